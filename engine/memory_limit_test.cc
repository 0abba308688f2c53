// Memory limits: per instance on linear memory, tables counted against
// them, and a store's V8 heap that runs out stopping the guest, not the
// process.

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "engine/test_modules.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::engine {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class MemoryLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Engine*> engine = Engine::Get();
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *engine;
    store_ = Store::Create(*engine_);
  }

  std::unique_ptr<Module> Compile(const std::string& name,
                                  Store* store = nullptr) {
    auto module = Module::Compile(store ? *store : *store_, TestModule(name));
    EXPECT_TRUE(module.ok()) << module.status();
    return module.ok() ? *std::move(module) : nullptr;
  }

  struct Grown {
    int32_t pages = 0;
    int32_t last_grow = 0;
  };

  // Runs memory_grow.wasm towards `target` pages under `options`.
  Grown GrowTo(const Module& module, int32_t target,
               const InstanceOptions& options) {
    Grown grown;
    std::vector<HostFunc> host = {
        {"test",
         "target",
         {{}, {ValType::kI32}},
         [target](HostContext&, const uint64_t*) { return target; }},
        {"test",
         "record",
         {{ValType::kI32, ValType::kI32}, {}},
         [&grown](HostContext&, const uint64_t* args) {
           grown = {static_cast<int32_t>(args[0]),
                    static_cast<int32_t>(args[1])};
           return 0;
         }}};
    auto instance = Instance::Create(*store_, module, host, options);
    EXPECT_TRUE(instance.ok()) << instance.status();
    if (!instance.ok()) return grown;
    absl::StatusOr<RunResult> result = (*instance)->RunStart();
    EXPECT_TRUE(result.ok() && !result->trap) << "the guest trapped";
    return grown;
  }

  Engine* engine_ = nullptr;
  std::unique_ptr<Store> store_;
};

// Was: the limit was engine-wide only (a pool job's limit was checked
// against its initial memory, and growth went up to 4 GiB).
TEST_F(MemoryLimitTest, GrowPastTheInstanceLimitFailsInThatInstanceOnly) {
  std::unique_ptr<Module> module = Compile("memory_grow");
  ASSERT_NE(module, nullptr);
  Grown limited = GrowTo(*module, 128, {.max_memory_bytes = 4 << 20});
  EXPECT_EQ(limited.pages, 64);  // 4 MiB
  EXPECT_EQ(limited.last_grow, -1);
  // The same module in the same store, without a limit of its own.
  Grown free = GrowTo(*module, 128, {});
  EXPECT_EQ(free.pages, 128);
  EXPECT_EQ(free.last_grow, 127);
  // A limit above the engine's is the engine's; one not a whole number of
  // pages is rounded down.
  Grown odd = GrowTo(*module, 8, {.max_memory_bytes = 3 * kWasmPageSize + 7});
  EXPECT_EQ(odd.pages, 3);
  EXPECT_EQ(odd.last_grow, -1);
}

TEST_F(MemoryLimitTest, InitialMemoryOverTheLimitIsRefused) {
  std::unique_ptr<Module> module = Compile("memory_grow");
  auto instance = Instance::Create(*store_, *module, {},
                                   {.max_memory_bytes = kWasmPageSize / 2});
  EXPECT_EQ(instance.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(instance.status().message(),
              HasSubstr("more than the limit of 0 MiB"));
}

TEST_F(MemoryLimitTest, UnexportedMemoryCannotRunUnderALowerLimit) {
  std::unique_ptr<Module> module = Compile("memory_hidden");
  auto instance =
      Instance::Create(*store_, *module, {}, {.max_memory_bytes = 1 << 20});
  EXPECT_EQ(instance.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(instance.status().message(),
              HasSubstr("does not export its memory"));
  EXPECT_TRUE(Instance::Create(*store_, *module, {}).ok());
}

// Was: 64 tables of 10M entries made V8 abort the process (fatal OOM).
TEST_F(MemoryLimitTest, TablesCountAgainstTheLimit) {
  std::unique_ptr<Module> module = Compile("tables_huge");
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(module->info().tables.size(), 64u);
  auto instance = Instance::Create(*store_, *module, {});
  EXPECT_EQ(instance.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(instance.status().message(),
              HasSubstr("the module's 64 tables start with 640000000 entries"));
  EXPECT_THAT(instance.status().message(),
              HasSubstr(absl::StrCat("more than the limit of ",
                                     engine_->options().max_memory_bytes >> 20,
                                     " MiB")));
}

// Tables grown while running fill the V8 heap: the guest stops with a
// trap, and the store (the process) goes on.
TEST_F(MemoryLimitTest, HeapThatRunsOutStopsTheGuestNotTheProcess) {
  std::unique_ptr<Store> store =
      Store::Create(*engine_, {.max_heap_bytes = 64 << 20});
  std::unique_ptr<Module> module = Compile("tables_grow", store.get());
  ASSERT_NE(module, nullptr);
  for (int run = 0; run < 2; ++run) {  // and again, once the heap is free
    auto instance = Instance::Create(*store, *module, {});
    ASSERT_TRUE(instance.ok()) << instance.status();
    absl::StatusOr<RunResult> result = (*instance)->RunStart();
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_TRUE(result->trap.has_value()) << "the tables fit in 64 MiB?";
    EXPECT_FALSE(result->terminated);
    EXPECT_THAT(result->trap->message,
                StartsWith("out of memory: the engine heap (tables and other "
                           "V8 memory) reached its limit of 64 MiB"));
  }
  // The store still runs guests.
  std::unique_ptr<Module> small = Compile("memory_hidden", store.get());
  auto instance = Instance::Create(*store, *small, {});
  ASSERT_TRUE(instance.ok()) << instance.status();
  absl::StatusOr<RunResult> result = (*instance)->RunStart();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->trap.has_value()) << result->trap->message;
}

// An instance's memory limit holds for its engine heap too (tables grown
// while running), and the next instance of the store gets its own limit.
TEST_F(MemoryLimitTest, TablesGrownCountAgainstTheInstancesLimit) {
  std::unique_ptr<Store> store =
      Store::Create(*engine_, {.max_heap_bytes = 96 << 20});
  std::unique_ptr<Module> module = Compile("tables_grow", store.get());
  ASSERT_NE(module, nullptr);
  for (uint64_t limit : {uint64_t{16} << 20, uint64_t{0}, uint64_t{40} << 20}) {
    auto instance =
        Instance::Create(*store, *module, {}, {.max_memory_bytes = limit});
    ASSERT_TRUE(instance.ok()) << instance.status();
    absl::StatusOr<RunResult> result = (*instance)->RunStart();
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_TRUE(result->trap.has_value());
    const uint64_t expected = limit == 0 ? 96 : limit >> 20;
    EXPECT_THAT(result->trap->message,
                StartsWith(absl::StrCat("out of memory: the engine heap "
                                        "(tables and other V8 memory) "
                                        "reached its limit of ",
                                        expected, " MiB")));
  }
}

}  // namespace
}  // namespace wasmhpc::engine
