#include "engine/module_info.h"

#include <sys/resource.h>

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
    0x02, 0x1b, 0x02, 0x03, 'e', 'n', 'v', 0x08, 'M', 'P', 'I', '_', 'I', 'n',
    'i', 't', 0x00, 0x00, 0x03, 'e', 'n', 'v', 0x03, 'm', 'e', 'm', 0x02, 0x00,
    0x01,
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
  EXPECT_EQ(ToString(info->ImportType(info->imports[0])), "(i32, i64) -> f64");
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

// The header, then one section `id` whose body is `body`.
std::vector<uint8_t> OneSection(uint8_t id, std::vector<uint8_t> body) {
  std::vector<uint8_t> bytes = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  bytes.push_back(id);
  bytes.push_back(static_cast<uint8_t>(body.size()));  // < 128 here
  bytes.insert(bytes.end(), body.begin(), body.end());
  return bytes;
}

// 2^32-1 and 2^26 as LEB128.
const std::vector<uint8_t> kHugeCount = {0xff, 0xff, 0xff, 0xff, 0x0f};
const std::vector<uint8_t> kLargeCount = {0x80, 0x80, 0x80, 0x20};

std::vector<uint8_t> Concat(std::vector<uint8_t> a,
                            const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// This process's peak resident set, in MiB.
long PeakRssMib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

// Counts read from the module are untrusted: one the bytes left cannot
// hold is an error before anything is sized from it (was: a 15-byte module
// made the parser allocate 2^32-1 types, std::bad_alloc; 2^26 types took
// gigabytes).
TEST(ModuleInfo, CountsLargerThanTheModuleAreErrorsNotAllocations) {
  std::vector<std::vector<uint8_t>> crafted;
  for (const std::vector<uint8_t>& count : {kHugeCount, kLargeCount}) {
    for (uint8_t id : {1, 2, 3, 4, 7, 9}) {  // every section with a vector
      crafted.push_back(OneSection(id, count));
    }
    // One type with that many parameters, or results.
    crafted.push_back(OneSection(1, Concat({0x01, 0x60}, count)));
    crafted.push_back(OneSection(1, Concat({0x01, 0x60, 0x00}, count)));
    // An element segment with that many entries, far into the table.
    crafted.push_back(OneSection(
        9,
        Concat({0x01, 0x00, 0x41, 0xf0, 0xff, 0xff, 0xff, 0x00, 0x0b}, count)));
  }
  ASSERT_EQ(crafted[0].size(), 15u);
  const long rss_before = PeakRssMib();
  for (const std::vector<uint8_t>& bytes : crafted) {
    absl::StatusOr<ModuleInfo> info = ParseModuleInfo(bytes);
    ASSERT_FALSE(info.ok()) << "section " << int{bytes[8]};
    EXPECT_THAT(info.status().message(),
                ::testing::HasSubstr("count larger than the bytes left"));
  }
  EXPECT_LT(PeakRssMib() - rss_before, 64)
      << "the parser allocated from a count";
}

// LEB128 of `n`.
std::vector<uint8_t> Leb(uint32_t n) {
  std::vector<uint8_t> out;
  do {
    out.push_back((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>= 7;
  } while (n > 0);
  return out;
}

// A type is stored once however many functions have it (was: copied per
// function, n^2 memory: a 100 KB module took 2.5 GB).
TEST(ModuleInfo, ManyFunctionsOfOneBigTypeTakeLinearMemory) {
  constexpr uint32_t kN = 50000;
  std::vector<uint8_t> type = Concat({0x01, 0x60}, Leb(kN));
  type.insert(type.end(), kN, 0x7f);  // i32 params
  type.push_back(0x00);
  std::vector<uint8_t> functions = Leb(kN);
  functions.insert(functions.end(), kN, 0x00);  // all of type 0
  std::vector<uint8_t> bytes = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  for (auto [id, body] : {std::pair{1, &type}, std::pair{3, &functions}}) {
    bytes.push_back(static_cast<uint8_t>(id));
    bytes = Concat(bytes, Leb(static_cast<uint32_t>(body->size())));
    bytes = Concat(bytes, *body);
  }
  const long rss_before = PeakRssMib();
  absl::StatusOr<ModuleInfo> info = ParseModuleInfo(bytes);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->function_types.size(), kN);
  EXPECT_LT(PeakRssMib() - rss_before, 64);
}

// A far element offset costs nothing: slots are kept sparsely.
TEST(ModuleInfo, FarElementSegmentIsSparse) {
  // (elem (i32.const 0x7ffffff0) 0): one slot, no type for function 0.
  std::vector<uint8_t> bytes = OneSection(
      9, {0x01, 0x00, 0x41, 0xf0, 0xff, 0xff, 0xff, 0x07, 0x0b, 0x01, 0x00});
  const long rss_before = PeakRssMib();
  absl::StatusOr<ModuleInfo> info = ParseModuleInfo(bytes);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->table_functions.size(), 1u);
  EXPECT_EQ(info->TableFunctionType(0x7ffffff0), nullptr);  // no such function
  EXPECT_LT(PeakRssMib() - rss_before, 16);
}

// Found by fuzz/module_info_fuzz.cc: a module ParseModuleInfo accepts
// must have every type index in range (ImportType and ExportedFunctionType
// index `types` with them) and known export kinds (ToString indexes a
// table with them). Was: a second, shorter type section left the function
// section's indices past the end of `types`; an export kind byte of 200
// was stored as is.
TEST(ModuleInfo, RepeatedOrMisorderedSectionsAreErrors) {
  const std::vector<uint8_t> header = {0x00, 0x61, 0x73, 0x6d,
                                       0x01, 0x00, 0x00, 0x00};
  const std::vector<uint8_t> two_types = {0x01, 0x07, 0x02, 0x60, 0x00,
                                          0x00, 0x60, 0x00, 0x00};
  const std::vector<uint8_t> function_of_type_1 = {0x03, 0x02, 0x01, 0x01};
  const std::vector<uint8_t> no_types = {0x01, 0x01, 0x00};
  const std::vector<uint8_t> no_exports = {0x07, 0x01, 0x00};
  for (const std::vector<uint8_t>& bytes :
       {Concat(Concat(Concat(header, two_types), function_of_type_1), no_types),
        Concat(Concat(header, two_types), two_types),
        Concat(Concat(header, no_exports), two_types),
        Concat(Concat(header, no_exports), no_exports)}) {
    absl::StatusOr<ModuleInfo> info = ParseModuleInfo(bytes);
    ASSERT_FALSE(info.ok());
    EXPECT_THAT(info.status().message(),
                ::testing::HasSubstr("section repeated or out of order"));
  }
  // Custom sections (id 0) may come anywhere, any number of times.
  const std::vector<uint8_t> custom = {0x00, 0x02, 0x01, 'x'};
  EXPECT_TRUE(
      ParseModuleInfo(Concat(Concat(Concat(header, custom), two_types), custom))
          .ok());
}

TEST(ModuleInfo, UnknownExportKindIsAnError) {
  // (export "f" <kind 0xc8> 0)
  absl::StatusOr<ModuleInfo> info =
      ParseModuleInfo(OneSection(7, {0x01, 0x01, 'f', 0xc8, 0x00}));
  ASSERT_FALSE(info.ok());
  EXPECT_THAT(info.status().message(),
              ::testing::HasSubstr("unknown export kind"));
}

TEST(ModuleInfo, ReadsTables) {
  // (table 10 funcref) (table 5 20 funcref)
  absl::StatusOr<ModuleInfo> info = ParseModuleInfo(
      OneSection(4, {0x02, 0x70, 0x00, 0x0a, 0x70, 0x01, 0x05, 0x14}));
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->tables.size(), 2u);
  EXPECT_EQ(info->tables[0].initial, 10u);
  EXPECT_FALSE(info->tables[0].maximum.has_value());
  EXPECT_EQ(info->tables[1].maximum, 20u);
  EXPECT_EQ(info->InitialTableEntries(), 15u);
}

}  // namespace
}  // namespace wasmhpc::engine
