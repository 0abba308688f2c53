#include "worker/pool/log_batcher.h"

namespace wasmhpc::pool {

void LogBatcher::Append(int fd, std::string_view bytes) {
  if (bytes.empty()) return;
  v1::Stream stream = fd == 1 ? v1::STDOUT : v1::STDERR;
  absl::MutexLock lock(&mu_);
  int n = pending_.chunks_size();
  v1::LogChunk* chunk = n > 0 && pending_.chunks(n - 1).stream() == stream
                            ? pending_.mutable_chunks(n - 1)
                            : pending_.add_chunks();
  chunk->set_stream(stream);
  chunk->mutable_data()->append(bytes.data(), bytes.size());
  bytes_ += bytes.size();
}

size_t LogBatcher::pending_bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_;
}

bool LogBatcher::Take(int rank, ToController::Logs* logs) {
  absl::MutexLock lock(&mu_);
  if (pending_.chunks_size() == 0) return false;
  for (v1::LogChunk& chunk : *pending_.mutable_chunks()) {
    chunk.set_rank(rank);
    *logs->add_chunks() = std::move(chunk);
  }
  pending_.Clear();
  bytes_ = 0;
  return true;
}

}  // namespace wasmhpc::pool
