#include "engine/engine.h"

#include <chrono>
#include <thread>

#include "engine/test_modules.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

HostFunc Func(std::string name, FuncType type, HostCallback callback) {
  return HostFunc{"test", std::move(name), std::move(type),
                  std::move(callback)};
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Engine*> engine = Engine::Get();
    ASSERT_TRUE(engine.ok()) << engine.status();
    store_ = Store::Create(**engine);
  }

  std::unique_ptr<Module> Compile(const std::string& name) {
    auto module = Module::Compile(*store_, TestModule(name));
    EXPECT_TRUE(module.ok()) << module.status();
    return module.ok() ? *std::move(module) : nullptr;
  }

  // Runs traps.wasm choosing trap `which`.
  RunResult RunTrap(int which) {
    auto module = Compile("traps");
    std::vector<HostFunc> host = {
        Func("which", {{}, {ValType::kI32}},
             [which](HostContext&, const uint64_t*) { return which; }),
        Func("fail", {}, [](HostContext&, const uint64_t*) {
          return absl::StatusOr<uint64_t>(
              absl::InvalidArgumentError("MPI_Send: host says no"));
        })};
    auto instance = Instance::Create(*store_, *module, host);
    EXPECT_TRUE(instance.ok()) << instance.status();
    absl::StatusOr<RunResult> result = (*instance)->RunStart();
    EXPECT_TRUE(result.ok()) << result.status();
    return *result;
  }
  // The imports of host_calls.wasm: record_i32 appends to `recorded`,
  // add_i64 adds, half_f64 halves, exit asks the guest to exit.
  std::vector<HostFunc> HostCallsImports(std::vector<int32_t>& recorded) {
    return {
        Func("record_i32", {{ValType::kI32}, {}},
             [&recorded](HostContext&, const uint64_t* args) {
               recorded.push_back(static_cast<int32_t>(args[0]));
               return 0;
             }),
        Func("add_i64", {{ValType::kI64, ValType::kI64}, {ValType::kI64}},
             [](HostContext&, const uint64_t* args) {
               return args[0] + args[1];
             }),
        Func("half_f64", {{ValType::kF64}, {ValType::kF64}},
             [](HostContext&, const uint64_t* args) {
               return std::bit_cast<uint64_t>(std::bit_cast<double>(args[0]) /
                                              2);
             }),
        Func("exit", {{ValType::kI32}, {}},
             [](HostContext& ctx, const uint64_t* args) {
               ctx.RequestExit(static_cast<int32_t>(args[0]));
               return 0;
             }),
    };
  }
  // The trap of RunTrap(which); a test failure (and an empty Trap) when
  // case `which` did not trap.
  Trap TrapOf(int which) {
    RunResult result = RunTrap(which);
    EXPECT_TRUE(result.trap.has_value()) << "case " << which << " did not trap";
    return result.trap.value_or(Trap{});
  }

  std::unique_ptr<Store> store_;
};

TEST_F(EngineTest, RejectsBytesThatAreNotWasm) {
  std::string text = "#!/bin/sh\necho hi\n";
  auto module = Module::Compile(
      *store_, absl::Span<const uint8_t>(
                   reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  EXPECT_EQ(module.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(module.status().message(), HasSubstr("not a WebAssembly module"));
}

TEST_F(EngineTest, TruncatedModuleGivesValidatorMessage) {
  std::vector<uint8_t> bytes = TestModule("host_calls");
  bytes.resize(bytes.size() - 10);
  auto module = Module::Compile(*store_, bytes);
  EXPECT_EQ(module.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(module.status().message(), HasSubstr("invalid module: "));
  EXPECT_THAT(module.status().message(), HasSubstr("@+"));  // byte offset
}

TEST_F(EngineTest, HostCallsPassEveryNumericTypeAndExitStopsTheGuest) {
  auto module = Compile("host_calls");
  EXPECT_EQ(module->info().initial_memory_pages, 1u);
  std::vector<int32_t> recorded;
  std::vector<HostFunc> host = HostCallsImports(recorded);
  auto instance = Instance::Create(*store_, *module, host);
  ASSERT_TRUE(instance.ok()) << instance.status();
  absl::StatusOr<RunResult> result = (*instance)->RunStart();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->trap.has_value()) << result->trap->message;
  EXPECT_EQ(result->exit_code, 7);
  // 0x100000000 + 42 wrapped to i32 is 42; 9.0 / 2 truncated is 4; 1 + 2 pages.
  EXPECT_THAT(recorded, ElementsAre(-5, 42, 4, 3));

  GuestMemory& memory = (*instance)->memory();
  EXPECT_EQ(memory.size(), 3 * kWasmPageSize);  // length re-read after grow
  absl::StatusOr<absl::Span<uint8_t>> hello = memory.Span(16, 5);
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(std::string(hello->begin(), hello->end()), "hello");
  absl::StatusOr<absl::Span<uint8_t>> past =
      memory.Span(3 * kWasmPageSize - 2, 4, "MPI_Send: buffer");
  EXPECT_EQ(past.status().message(),
            "MPI_Send: buffer [0x2fffe,+4) exceeds linear memory of 196608 "
            "bytes");
}

TEST_F(EngineTest, UnreachableTrapsWithNamedStack) {
  Trap trap = TrapOf(0);
  EXPECT_EQ(trap.message, "unreachable");
  ASSERT_GE(trap.frames.size(), 2u);
  EXPECT_THAT(trap.frames[0], HasSubstr("inner_unreachable"));
  EXPECT_THAT(trap.frames[0], HasSubstr("wasm-function["));
}

TEST_F(EngineTest, OutOfBoundsLoadTraps) {
  EXPECT_EQ(TrapOf(1).message, "memory access out of bounds");
}

TEST_F(EngineTest, DivideByZeroTraps) {
  Trap trap = TrapOf(2);
  EXPECT_EQ(trap.message, "divide by zero");
  ASSERT_FALSE(trap.frames.empty());
  EXPECT_THAT(trap.frames[0], HasSubstr("divide"));
}

TEST_F(EngineTest, StackOverflowTraps) {
  EXPECT_EQ(TrapOf(3).message, "Maximum call stack size exceeded");
}

TEST_F(EngineTest, HostErrorBecomesTrapWithItsMessage) {
  EXPECT_EQ(TrapOf(4).message, "MPI_Send: host says no");
}

TEST_F(EngineTest, TerminateStopsASpinningGuestFromAnotherThread) {
  std::thread watchdog([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    store_->Terminate();
  });
  RunResult result = RunTrap(5);
  watchdog.join();
  EXPECT_TRUE(result.terminated);
  EXPECT_FALSE(result.trap.has_value());
  // The store runs guests again afterwards.
  EXPECT_EQ(TrapOf(2).message, "divide by zero");
}

TEST_F(EngineTest, StoreStaysUsableAfterATrap) {
  EXPECT_TRUE(RunTrap(0).trap.has_value());
  EXPECT_TRUE(RunTrap(3).trap.has_value());
  EXPECT_EQ(TrapOf(2).message, "divide by zero");
}

TEST_F(EngineTest, MissingStartIsNotFound) {
  auto module = Compile("no_start");
  auto instance = Instance::Create(*store_, *module, {});
  ASSERT_TRUE(instance.ok()) << instance.status();
  absl::StatusOr<RunResult> result = (*instance)->RunStart();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(result.status().message(), HasSubstr("_start"));
}

TEST_F(EngineTest, UnknownImportNamesModuleAndField) {
  auto module = Compile("imports_unknown");
  auto instance = Instance::Create(*store_, *module, {});
  EXPECT_EQ(instance.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(instance.status().message(),
            "unknown import somewhere.mystery (function)");
}

TEST_F(EngineTest, ImportSignatureMismatchIsRefused) {
  auto module = Compile("imports_unknown");
  std::vector<HostFunc> host = {
      HostFunc{"somewhere",
               "mystery",
               {{ValType::kI64}, {}},
               [](HostContext&, const uint64_t*) { return 0; }}};
  auto instance = Instance::Create(*store_, *module, host);
  EXPECT_EQ(instance.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(instance.status().message(),
            "import somewhere.mystery has type (i32) -> () but the host "
            "provides (i64) -> ()");
}

TEST_F(EngineTest, HostCallsGuestFunctionsThroughTheTable) {
  auto module = Compile("callbacks");
  const FuncType binop{{ValType::kI32, ValType::kI32}, {ValType::kI32}};
  std::vector<std::string> seen;
  std::vector<HostFunc> host = {Func(
      "call_back", {{ValType::kI32}, {ValType::kI32}},
      [&](HostContext& ctx, const uint64_t*) -> absl::StatusOr<uint64_t> {
        auto sum = ctx.CallIndirect(2, binop, {40, 2});
        seen.push_back(sum.ok() ? std::to_string(*sum)
                                : std::string(sum.status().message()));
        auto wrong = ctx.CallIndirect(3, binop, {1, 2});
        seen.push_back(std::string(wrong.status().message()));
        auto empty = ctx.CallIndirect(0, binop, {1, 2});
        seen.push_back(std::string(empty.status().message()));
        for (const char* name : {"address", "big", "real", "memory"}) {
          auto value = ctx.ExportedGlobal(name);
          seen.push_back(value.ok() ? std::to_string(*value)
                                    : std::string(value.status().message()));
        }
        return 0;
      })};
  auto instance = Instance::Create(*store_, *module, host);
  ASSERT_TRUE(instance.ok()) << instance.status();
  ASSERT_TRUE((*instance)->RunStart().ok());
  EXPECT_THAT(seen, ElementsAre("42",
                                "table index 3 is not a function of type "
                                "(i32, i32) -> i32 (it is (i32) -> i32)",
                                "table index 0 is not a function of type "
                                "(i32, i32) -> i32",
                                "1024", "4294967296",
                                "global real is not an i32 or i64",
                                "the module exports no global memory"));
}

TEST_F(EngineTest, SerializedCodeLoadsBackThroughTheCache) {
  std::vector<uint8_t> bytes = TestModule("host_calls");
  auto fresh = Module::CompileWithCache(*store_, bytes, {});
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_FALSE((*fresh)->from_cache());
  std::vector<uint8_t> code = (*fresh)->Serialize();
  ASSERT_FALSE(code.empty());

  auto cached = Module::CompileWithCache(*store_, bytes, code);
  ASSERT_TRUE(cached.ok()) << cached.status();
  EXPECT_TRUE((*cached)->from_cache());
  EXPECT_EQ((*cached)->info().imports.size(), 4u);
}

TEST_F(EngineTest, CompiledCodeIsSharedWithAnotherStoreWithoutCompiling) {
  auto module = Compile("host_calls");
  std::unique_ptr<Store> other = Store::Create(**Engine::Get());
  std::unique_ptr<Module> shared = module->ShareWith(*other);
  module.reset();  // V8 keeps the shared code alive
  std::vector<int32_t> recorded;
  std::vector<HostFunc> host = HostCallsImports(recorded);
  auto instance = Instance::Create(*other, *shared, host);
  ASSERT_TRUE(instance.ok()) << instance.status();
  EXPECT_EQ((*instance)->RunStart()->exit_code, 7);
  EXPECT_THAT(recorded, ElementsAre(-5, 42, 4, 3));
}

TEST_F(EngineTest, StreamingCompileReportsTheValidatorMessage) {
  std::vector<uint8_t> bytes = TestModule("host_calls");
  bytes.resize(bytes.size() - 10);
  auto module = Module::CompileWithCache(*store_, bytes, {});
  EXPECT_THAT(module.status().message(), HasSubstr("invalid module: "));
}

TEST(EngineFingerprint, NamesVersionTierAndCpu) {
  std::string fingerprint = (*Engine::Get())->Fingerprint();
  EXPECT_THAT(fingerprint, HasSubstr("v8 10.2"));
  EXPECT_THAT(fingerprint, HasSubstr("--no-liftoff"));
  EXPECT_THAT(fingerprint, HasSubstr(" cpu"));
}

TEST(TierTest, ParsesNamesAndRejectsOthers) {
  EXPECT_EQ(*ParseTier("liftoff"), Tier::kLiftoff);
  EXPECT_EQ(*ParseTier("turbofan"), Tier::kTurbofan);
  EXPECT_THAT(ParseTier("fast").status().message(), HasSubstr("unknown tier"));
}

}  // namespace
}  // namespace wasmhpc::engine

namespace wasmhpc::engine {
namespace {

// test.step for fast_calls.wasm: the fast entry finishes some calls itself
// and hands the others to the slow callback, which answers step + 1000.
struct Stepper {
  int fast_calls = 0;
  int slow_calls = 0;
  std::vector<int32_t> recorded;

  std::vector<HostFunc> Imports(
      std::function<std::optional<uint64_t>(HostContext&, int32_t, int32_t)>
          fast) {
    HostFunc step = Func(
        "step", {{ValType::kI32, ValType::kI32}, {ValType::kI32}},
        [this](HostContext&, const uint64_t* args) -> absl::StatusOr<uint64_t> {
          ++slow_calls;
          if (args[0] == 4) return absl::InternalError("step 4 fails");
          return args[0] + args[1] + 1000;
        });
    step.fast = HostFastEntry::Of(
        [this, fast](HostContext& host, const uint64_t* args) -> int64_t {
          ++fast_calls;
          std::optional<uint64_t> r = fast(host, static_cast<int32_t>(args[0]),
                                           static_cast<int32_t>(args[1]));
          return r ? static_cast<int64_t>(*r) : kHandToCallback;
        });
    return {std::move(step),
            Func("record", {{ValType::kI32}, {}},
                 [this](HostContext&, const uint64_t* args) {
                   recorded.push_back(static_cast<int32_t>(args[0]));
                   return uint64_t{0};
                 })};
  }
};

TEST_F(EngineTest, FastEntryRunsAndHandsCallsToTheSlowCallback) {
  auto module = Compile("fast_calls");
  Stepper s;
  auto instance =
      Instance::Create(*store_, *module,
                       s.Imports([](HostContext&, int32_t i,
                                    int32_t n) -> std::optional<uint64_t> {
                         if (i == 1 || i == 4)
                           return std::nullopt;  // to the slow callback
                         if (i == 2)
                           return static_cast<uint32_t>(INT32_MIN);  // the mark
                         return static_cast<uint32_t>(i + n);
                       }));
  ASSERT_TRUE(instance.ok()) << instance.status();
  absl::StatusOr<RunResult> result = (*instance)->RunStart();
  ASSERT_TRUE(result.ok()) << result.status();
  // V8 entered the fast entry for every step (this V8 supports it).
  EXPECT_EQ(s.fast_calls, 5);
  EXPECT_EQ(s.slow_calls, 2);
  EXPECT_THAT(s.recorded, ElementsAre(100, 1101, INT32_MIN, 103));
  ASSERT_TRUE(result->trap.has_value());
  EXPECT_EQ(result->trap->message, "step 4 fails");
}

TEST_F(EngineTest, FastEntryCanExit) {
  auto module = Compile("fast_calls");
  Stepper s;
  auto instance =
      Instance::Create(*store_, *module,
                       s.Imports([](HostContext& host, int32_t,
                                    int32_t) -> std::optional<uint64_t> {
                         host.RequestExit(9);
                         return 0;
                       }));
  ASSERT_TRUE(instance.ok()) << instance.status();
  absl::StatusOr<RunResult> result = (*instance)->RunStart();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 9);
  EXPECT_EQ(s.fast_calls, 1);
  EXPECT_EQ(s.slow_calls, 0);
  EXPECT_TRUE(s.recorded.empty());
}

TEST_F(EngineTest, FastEntryCannotCallTheGuest) {
  auto module = Compile("fast_calls");
  Stepper s;
  absl::Status called;
  auto instance = Instance::Create(
      *store_, *module,
      s.Imports([&called](HostContext& host, int32_t i,
                          int32_t n) -> std::optional<uint64_t> {
        if (i == 0) called = host.ExportedGlobal("memory").status();
        return static_cast<uint32_t>(i + n);
      }));
  ASSERT_TRUE(instance.ok()) << instance.status();
  ASSERT_TRUE((*instance)->RunStart().ok());
  EXPECT_EQ(called.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.recorded.size(), 6u);
}

}  // namespace
}  // namespace wasmhpc::engine
