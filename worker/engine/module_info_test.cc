#include "worker/engine/module_info.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::engine {
namespace {

// (module (type (func (param i32 i64) (result f64)))
//         (import "env" "MPI_Init" (func (type 0)))
//         (import "env" "mem" (memory 1))
//         (func (export "_start") (type 0) unreachable))
// Hand-assembled so the parser is tested without any tool.
const std::vector<uint8_t> kModule = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // type section: 1 type (i32 i64) -> f64
    0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7e, 0x01, 0x7c,
    // import section: 2 imports
    0x02, 0x1b, 0x02,
    0x03, 'e', 'n', 'v', 0x08, 'M', 'P', 'I', '_', 'I', 'n', 'i', 't', 0x00, 0x00,
    0x03, 'e', 'n', 'v', 0x03, 'm', 'e', 'm', 0x02, 0x00, 0x01,
    // function section: 1 function of type 0
    0x03, 0x02, 0x01, 0x00,
    // export section: "_start" -> func 1
    0x07, 0x0a, 0x01, 0x06, '_', 's', 't', 'a', 'r', 't', 0x00, 0x01,
    // code section
    0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b};

TEST(ModuleInfo, ReadsImportsWithSignaturesAndExports) {
  absl::StatusOr<ModuleInfo> info = ParseModuleInfo(kModule);
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->imports.size(), 2u);
  EXPECT_EQ(info->imports[0].module, "env");
  EXPECT_EQ(info->imports[0].name, "MPI_Init");
  EXPECT_EQ(ToString(info->imports[0].func_type), "(i32, i64) -> f64");
  EXPECT_EQ(info->imports[1].kind, ExternKind::kMemory);
  EXPECT_NE(info->FindExport("_start", ExternKind::kFunction), nullptr);
  EXPECT_EQ(info->FindExport("_start", ExternKind::kMemory), nullptr);
}

TEST(ModuleInfo, TruncatedSectionIsAnErrorNotACrash) {
  for (size_t n = 8; n < kModule.size(); ++n) {
    std::vector<uint8_t> cut(kModule.begin(), kModule.begin() + n);
    absl::StatusOr<ModuleInfo> info = ParseModuleInfo(cut);
    if (!info.ok()) {
      EXPECT_THAT(info.status().message(), ::testing::HasSubstr("malformed"));
    }
  }
}

TEST(ModuleInfo, RejectsMissingMagic) {
  EXPECT_FALSE(HasWasmMagic(std::vector<uint8_t>{'E', 'L', 'F', 0}));
  EXPECT_FALSE(ParseModuleInfo(std::vector<uint8_t>{1, 2}).ok());
}

}  // namespace
}  // namespace wasmhpc::engine
