#include "worker/pool/run_control.h"

#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace wasmhpc::pool {
namespace {

// A guest that ends by itself after a loop (whose back edge would notice a
// pending termination; an empty function would not):
// (module (global $n (mut i32) (i32.const 0))
//   (func (export "_start")
//     (loop $l (global.set $n (i32.add (global.get $n) (i32.const 1)))
//              (br_if $l (i32.lt_u (global.get $n) (i32.const 1000))))))
constexpr uint8_t kQuick[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01,
    0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x06, 0x06, 0x01, 0x7f,
    0x01, 0x41, 0x00, 0x0b, 0x07, 0x0a, 0x01, 0x06, 0x5f, 0x73, 0x74,
    0x61, 0x72, 0x74, 0x00, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0x03,
    0x40, 0x23, 0x00, 0x41, 0x01, 0x6a, 0x24, 0x00, 0x23, 0x00, 0x41,
    0xe8, 0x07, 0x49, 0x0d, 0x00, 0x0b, 0x0b};
// (module (func (export "_start") (loop $forever (br $forever))))
constexpr uint8_t kSpin[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01,
    0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x0a, 0x01, 0x06,
    0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, 0x0a, 0x09, 0x01,
    0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b};

class RunControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<engine::Engine*> engine = engine::Engine::Get();
    ASSERT_TRUE(engine.ok()) << engine.status();
    store_ = engine::Store::Create(**engine);
    auto control = RunControl::Create(*store_, [this] { ++wakes_; });
    ASSERT_TRUE(control.ok()) << control.status();
    control_ = *std::move(control);
  }

  engine::RunResult Run(absl::Span<const uint8_t> bytes) {
    auto module = engine::Module::Compile(*store_, bytes);
    EXPECT_TRUE(module.ok()) << module.status();
    auto instance = engine::Instance::Create(*store_, **module, {});
    EXPECT_TRUE(instance.ok()) << instance.status();
    absl::StatusOr<engine::RunResult> result = (*instance)->RunStart();
    EXPECT_TRUE(result.ok()) << result.status();
    return *result;
  }

  std::unique_ptr<engine::Store> store_;
  std::unique_ptr<RunControl> control_;
  std::atomic<int> wakes_{0};
};

// Guards the engine behaviour RunControl exists for: a Terminate while
// nothing runs stops the next run.
TEST_F(RunControlTest, TerminateWhileIdleStopsTheNextRun) {
  store_->Terminate();
  EXPECT_TRUE(Run(kQuick).terminated);
  EXPECT_FALSE(Run(kQuick).terminated);
}

TEST_F(RunControlTest, StopEndsASpinningGuest) {
  control_->BeginJob("a");
  ASSERT_TRUE(control_->EnterRun());
  std::thread stopper([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    control_->Stop("a");
  });
  engine::RunResult result = Run(kSpin);
  stopper.join();
  control_->LeaveRun(result);
  control_->EndJob();
  EXPECT_TRUE(result.terminated);
  EXPECT_TRUE(control_->stop_requested());
  EXPECT_EQ(wakes_, 1);
  EXPECT_EQ(control_->drained(), 0);
}

// Regression: a Stop that lands after the guest returned, before LeaveRun,
// must not stop the next job's guest.
TEST_F(RunControlTest, LateStopDoesNotLeakIntoTheNextJob) {
  control_->BeginJob("a");
  ASSERT_TRUE(control_->EnterRun());
  engine::RunResult result = Run(kQuick);
  control_->Stop("a");  // the guest is done: the Terminate finds nothing
  control_->LeaveRun(result);
  control_->EndJob();
  EXPECT_EQ(control_->drained(), 1);

  control_->BeginJob("b");
  EXPECT_FALSE(control_->stop_requested());
  ASSERT_TRUE(control_->EnterRun());
  result = Run(kQuick);
  control_->LeaveRun(result);
  control_->EndJob();
  EXPECT_FALSE(result.terminated);
}

TEST_F(RunControlTest, StopBeforeTheJobBeginsAppliesWhenItBegins) {
  control_->Stop("early");
  control_->BeginJob("early");
  EXPECT_TRUE(control_->stop_requested());
  EXPECT_FALSE(control_->EnterRun());
  control_->EndJob();
}

TEST_F(RunControlTest, StopForAnEndedJobDoesNotTouchTheNext) {
  control_->BeginJob("old");
  control_->EndJob();
  control_->Stop("old");
  control_->BeginJob("new");
  EXPECT_FALSE(control_->stop_requested());
  ASSERT_TRUE(control_->EnterRun());
  engine::RunResult result = Run(kQuick);
  control_->LeaveRun(result);
  EXPECT_FALSE(result.terminated);
  EXPECT_EQ(wakes_, 0);
}

}  // namespace
}  // namespace wasmhpc::pool
