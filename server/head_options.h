// Command line of wasmhpc-head.
#ifndef WASMHPC_SERVER_HEAD_OPTIONS_H_
#define WASMHPC_SERVER_HEAD_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace wasmhpc::server {

// --rest-port off: no REST server.
inline constexpr int kRestOff = -1;

struct HeadOptions {
  int grpc_port = 7070;  // --grpc-port N (0: pick a free one)
  int rest_port = 7080;  // --rest-port N|off (0: a free one)
  // --host ADDR (interface to bind); default "127.0.0.1", or "0.0.0.0"
  // with --auth-tokens or --jwt-key.
  std::string host;
  std::string data_dir;                 // --data-dir DIR (required)
  std::vector<std::string> allow_dirs;  // --allow-dir DIR, repeatable
  std::string auth_tokens;              // --auth-tokens FILE
  std::string jwt_key;                  // --jwt-key FILE (jwt_auth.h)
  std::string jwt_issuer;               // --jwt-issuer ISS
  std::string jwt_audience;             // --jwt-audience AUD
  bool insecure = false;                // --insecure
  std::string code_key;                 // --code-key FILE (DATA_DIR/code.key)
  int64_t max_jobs_per_user = 1000;     // --max-jobs-per-user N (0: none)
  int64_t max_modules_per_user = 1000;  // --max-modules-per-user N (0: none)
  // --max-user-priority N: the highest JobSpec.priority users may ask
  // (-1000..1000; admins: 1000).
  int32_t max_user_priority = 0;
  // --max-log-bytes N[K|M|G]: output kept per job (0: unlimited).
  uint64_t max_log_bytes = uint64_t{64} << 20;
  // --retain-jobs DURATION|forever: how long ended jobs and their logs stay.
  absl::Duration retain_jobs = absl::Hours(7 * 24);
  // --help, --version: the text to print before exiting 0 ("": run).
  std::string exit_text;
  std::string tls_cert;       // --tls-cert FILE (PEM)
  std::string tls_key;        // --tls-key FILE (PEM)
  std::string tls_client_ca;  // --tls-client-ca FILE (PEM)
  bool repair = false;        // --repair: salvage, then exit
  std::string backup;         // --backup DEST: copy, then exit
};

// Parses argv (argv[0] is the program). Options take their value as the next
// argument or after '='; --data-dir, --auth-tokens, --jwt-key, --jwt-issuer,
// --jwt-audience, --host, --grpc-port and --rest-port fall back to
// $WASMHPC_DATA_DIR, $WASMHPC_AUTH_TOKENS, $WASMHPC_JWT_KEY,
// $WASMHPC_JWT_ISSUER, $WASMHPC_JWT_AUDIENCE, $WASMHPC_HOST,
// $WASMHPC_GRPC_PORT and $WASMHPC_REST_PORT. InvalidArgument naming the
// offending argument, "--data-dir is required", for --jwt-issuer or
// --jwt-audience without --jwt-key, or for a --host other than loopback
// without --auth-tokens, --jwt-key or --insecure.
absl::StatusOr<HeadOptions> ParseHeadOptions(
    const std::vector<std::string>& argv);

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HEAD_OPTIONS_H_
