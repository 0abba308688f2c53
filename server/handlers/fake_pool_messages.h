// Test support (never product code): the messages a fake worker pool sends
// the head, built as a pool's rank 0 builds them. FakePool (fake_pool.h)
// sends them through a PoolHandler, the service tests' GrpcFakePool over a
// real Attach stream.
#ifndef WASMHPC_SERVER_HANDLERS_FAKE_POOL_MESSAGES_H_
#define WASMHPC_SERVER_HANDLERS_FAKE_POOL_MESSAGES_H_

#include <string>

#include "wasmhpc/v1/pools.pb.h"

namespace wasmhpc::server {

// A Hello for a pool world of `world_size` ranks (rank 0 the controller),
// every rank on "localhost".
inline v1::PoolMessage HelloMessage(int world_size, const std::string& name,
                                    const std::string& fingerprint) {
  v1::PoolMessage message;
  v1::PoolMessage::Hello* hello = message.mutable_hello();
  hello->set_name(name);
  hello->set_engine_fingerprint(fingerprint);
  for (int rank = 0; rank < world_size; ++rank) {
    v1::RankInfo* info = hello->add_ranks();
    info->set_rank(rank);
    info->set_host("localhost");
  }
  return message;
}

// Job `job_id` started.
inline v1::PoolMessage StartedMessage(const std::string& job_id) {
  v1::PoolMessage message;
  message.mutable_started()->set_job_id(job_id);
  return message;
}

// `data` that job rank `rank` wrote on `stream`.
inline v1::PoolMessage LogMessage(const std::string& job_id, int rank,
                                  const std::string& data,
                                  v1::Stream stream = v1::STDOUT) {
  v1::PoolMessage message;
  message.mutable_logs()->set_job_id(job_id);
  v1::LogChunk* chunk = message.mutable_logs()->add_chunks();
  chunk->set_rank(rank);
  chunk->set_stream(stream);
  chunk->set_data(data);
  return message;
}

// Job `job_id` ended SUCCEEDED: each of its `ranks` ranks exited 0.
inline v1::PoolMessage SucceededMessage(const std::string& job_id, int ranks) {
  v1::PoolMessage message;
  v1::PoolMessage::JobFinished* finished = message.mutable_finished();
  finished->set_job_id(job_id);
  finished->set_state(v1::SUCCEEDED);
  for (int rank = 0; rank < ranks; ++rank) {
    finished->add_ranks()->set_rank(rank);
  }
  return message;
}

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_FAKE_POOL_MESSAGES_H_
