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
#include "server/handlers/pool_handler.h"
#include "wasmhpc/v1/pools.pb.h"

namespace wasmhpc::server {

class FakePool final : public PoolSink {
 public:
  explicit FakePool(PoolHandler* handler) : handler_(handler) {}

  // A Hello for a pool world of `world_size` ranks (rank 0 the controller).
  static v1::PoolMessage Hello(int world_size,
                               const std::string& name = "fake") {
    v1::PoolMessage message;
    v1::PoolMessage::Hello* hello = message.mutable_hello();
    hello->set_name(name);
    hello->set_engine_fingerprint("fake-engine");
    for (int rank = 0; rank < world_size; ++rank) {
      v1::RankInfo* info = hello->add_ranks();
      info->set_rank(rank);
      info->set_host("localhost");
    }
    return message;
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
    v1::PoolMessage message;
    message.mutable_started()->set_job_id(job_id);
    handler_->OnMessage(id_, message);
  }
  void Log(const std::string& job_id, int rank, const std::string& data,
           v1::Stream stream = v1::STDOUT) {
    v1::PoolMessage message;
    message.mutable_logs()->set_job_id(job_id);
    v1::LogChunk* chunk = message.mutable_logs()->add_chunks();
    chunk->set_rank(rank);
    chunk->set_stream(stream);
    chunk->set_data(data);
    handler_->OnMessage(id_, message);
  }
  // Every rank of the job exits 0.
  void Succeeded(const std::string& job_id, int ranks) {
    v1::PoolMessage message;
    v1::PoolMessage::JobFinished* finished = message.mutable_finished();
    finished->set_job_id(job_id);
    finished->set_state(v1::SUCCEEDED);
    for (int rank = 0; rank < ranks; ++rank)
      finished->add_ranks()->set_rank(rank);
    handler_->OnMessage(id_, message);
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
