// Conversions between absl time types and the protobuf well-known types,
// and the head's diagnostic line sink.
#ifndef WASMHPC_SERVER_HANDLERS_PROTO_TIME_H_
#define WASMHPC_SERVER_HANDLERS_PROTO_TIME_H_

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "common/logging.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace wasmhpc::server {

inline google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp out;
  int64_t nanos = absl::ToUnixNanos(t);
  out.set_seconds(nanos / 1000000000);
  out.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  if (out.nanos() < 0) {
    out.set_seconds(out.seconds() - 1);
    out.set_nanos(out.nanos() + 1000000000);
  }
  return out;
}

inline absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

inline absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

// Receives one diagnostic line (no trailing newline), from any thread.
using LogFn = std::function<void(const std::string& line)>;

// Sends `line` to `log`, or to the process's log (common/logging.h, level
// info: a LogFn carries no level) when empty.
inline void EmitLog(const LogFn& log, const std::string& line) {
  if (log) {
    log(line);
  } else {
    LogInfo(line);
  }
}

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_PROTO_TIME_H_
