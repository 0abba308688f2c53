// ReceivedText: text a streaming HTTP GET receives on httplib's thread, for
// a test to wait on. Shared by the REST unit and end-to-end tests.
// Thread safety: all methods may be called from any thread.
#ifndef WASMHPC_SERVER_REST_RECEIVED_TEXT_H_
#define WASMHPC_SERVER_REST_RECEIVED_TEXT_H_

#include <cstddef>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace wasmhpc::server {

class ReceivedText {
 public:
  // An httplib content receiver: appends and asks for more.
  bool Add(const char* data, size_t length) {
    absl::MutexLock lock(&mu_);
    text_.append(data, length);
    return true;
  }
  // Waits up to 10 s until the text contains `part`.
  bool WaitFor(const std::string& part) {
    absl::MutexLock lock(&mu_);
    auto has = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return text_.find(part) != std::string::npos;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&has), absl::Seconds(10));
  }
  std::string text() {
    absl::MutexLock lock(&mu_);
    return text_;
  }

 private:
  absl::Mutex mu_;
  std::string text_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_REST_RECEIVED_TEXT_H_
