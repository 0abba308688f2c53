// Command line of wasmhpc-head.
#ifndef WASMHPC_SERVER_HEAD_OPTIONS_H_
#define WASMHPC_SERVER_HEAD_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace wasmhpc::server {

// --rest-port off: no REST server.
inline constexpr int kRestOff = -1;

struct HeadOptions {
  int grpc_port = 7070;                 // --grpc-port N (0: pick a free one)
  int rest_port = 7080;                 // --rest-port N|off (0: a free one)
  std::string host = "0.0.0.0";         // --host ADDR (interface to bind)
  std::string data_dir;                 // --data-dir DIR (required)
  std::vector<std::string> allow_dirs;  // --allow-dir DIR, repeatable
  std::string auth_tokens;              // --auth-tokens FILE
  bool help = false;                    // --help
  bool repair = false;                  // --repair: salvage, then exit
  std::string backup;                   // --backup DEST: copy, then exit
};

// Parses argv (argv[0] is the program). Options take their value as the next
// argument or after '='. InvalidArgument naming the offending argument, or
// "--data-dir is required".
absl::StatusOr<HeadOptions> ParseHeadOptions(
    const std::vector<std::string>& argv);

extern const char kHeadUsage[];

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HEAD_OPTIONS_H_
