// FakePool: a worker pool driven by a test. It records what the head sends
// (as a PoolSink) and sends pool messages through a PoolHandler, exactly as
// the gRPC Attach adaptor does for a real pool.
//
// Thread safety: Send may come from any thread; the rest is for the test's
// thread.
#ifndef WASMHPC_SERVER_HANDLERS_FAKE_POOL_H_
#define WASMHPC_SERVER_HANDLERS_FAKE_POOL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "server/handlers/fake_pool_messages.h"
#include "server/handlers/pool_handler.h"
#include "wasmhpc/v1/pools.pb.h"

namespace wasmhpc::server {

class FakePool final : public PoolSink {
 public:
  explicit FakePool(PoolHandler* handler) : handler_(handler) {}

  // A Hello for a pool world of `world_size` ranks (rank 0 the controller).
  static v1::PoolMessage Hello(int world_size,
                               const std::string& name = "fake") {
    return HelloMessage(world_size, name, "fake-engine");
  }

  // Attaches with `world_size` ranks; returns the pool id or the error.
  absl::StatusOr<std::string> Attach(int world_size) {
    absl::StatusOr<std::string> id = handler_->Attach(Hello(world_size), this);
    if (id.ok()) id_ = *id;
    return id;
  }
  void Detach() { handler_->Detach(id_); }
  const std::string& id() const { return id_; }

  void Started(const std::string& job_id) {
    handler_->OnMessage(id_, StartedMessage(job_id));
  }
  void Log(const std::string& job_id, int rank, const std::string& data,
           v1::Stream stream = v1::STDOUT) {
    handler_->OnMessage(id_, LogMessage(job_id, rank, data, stream));
  }
  // Every rank of the job exits 0.
  void Succeeded(const std::string& job_id, int ranks) {
    handler_->OnMessage(id_, SucceededMessage(job_id, ranks));
  }
  void Finished(const v1::PoolMessage::JobFinished& finished) {
    v1::PoolMessage message;
    *message.mutable_finished() = finished;
    handler_->OnMessage(id_, message);
  }

  // The pool asks to leave (its launcher was signalled).
  void Drain(const std::string& reason) {
    v1::PoolMessage message;
    message.mutable_drain()->set_reason(reason);
    handler_->OnMessage(id_, message);
  }
  // How many Detach messages came.
  int detaches() const {
    int n = 0;
    for (const v1::HeadMessage& m : received()) n += m.has_detach();
    return n;
  }

  // What the head sent, in order.
  std::vector<v1::HeadMessage> received() const {
    absl::MutexLock lock(&mu_);
    return received_;
  }
  // The Assign of `job_id`, if one came.
  std::optional<v1::HeadMessage::Assign> AssignOf(
      const std::string& job_id) const {
    for (const v1::HeadMessage& m : received()) {
      if (m.has_assign() && m.assign().job_id() == job_id) return m.assign();
    }
    return std::nullopt;
  }
  // The Cancel of `job_id`, if one came.
  std::optional<v1::HeadMessage::Cancel> CancelOf(
      const std::string& job_id) const {
    for (const v1::HeadMessage& m : received()) {
      if (m.has_cancel() && m.cancel().job_id() == job_id) return m.cancel();
    }
    return std::nullopt;
  }

  void Send(const v1::HeadMessage& message) override {
    absl::MutexLock lock(&mu_);
    received_.push_back(message);
  }

 private:
  PoolHandler* const handler_;
  std::string id_;
  mutable absl::Mutex mu_;
  std::vector<v1::HeadMessage> received_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_FAKE_POOL_H_
