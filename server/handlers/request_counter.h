// RequestCounter: answered requests by method, route and status code, for
// the head's /metrics (REST: HTTP method, route pattern such as
// "/v1/jobs/{id}" so that ids make no new series, HTTP code; gRPC: "grpc",
// the full method name, the status code name).
//
// Thread safety: all methods may be called from any thread.
#ifndef WASMHPC_SERVER_HANDLERS_REQUEST_COUNTER_H_
#define WASMHPC_SERVER_HANDLERS_REQUEST_COUNTER_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace wasmhpc::server {

class RequestCounter {
 public:
  using Key =
      std::tuple<std::string, std::string, std::string>;  // Method,
                                                          // route, code.

  void Count(absl::string_view method, absl::string_view route,
             absl::string_view code) {
    absl::MutexLock lock(&mu_);
    ++counts_[Key(std::string(method), std::string(route), std::string(code))];
  }
  std::map<Key, uint64_t> Snapshot() const {
    absl::MutexLock lock(&mu_);
    return counts_;
  }

  // Streamed answers (follow logs) in progress: each holds a server thread.
  void StreamOpened() { ++streams_; }
  void StreamClosed() { --streams_; }
  int64_t open_streams() const { return streams_; }

 private:
  mutable absl::Mutex mu_;
  std::map<Key, uint64_t> counts_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> streams_{0};
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_REQUEST_COUNTER_H_
