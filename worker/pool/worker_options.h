// Command line of wasmhpc-worker (every rank parses the same one):
//   mpirun -np N wasmhpc-worker --head HOST:PORT [--name NAME] ...
#ifndef WASMHPC_WORKER_POOL_WORKER_OPTIONS_H_
#define WASMHPC_WORKER_POOL_WORKER_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/grpc_tls.h"

namespace wasmhpc::pool {

struct WorkerOptions {
  // Flags fall back to the environment where a name is given.
  std::string head;                // --head HOST:PORT, $WASMHPC_HEAD
  std::string name;                // --name, $WASMHPC_POOL_NAME ("": host)
  std::string tier = "turbofan";   // --tier turbofan|liftoff|dynamic
  uint64_t max_memory_mib = 4096;  // --max-memory MiB, per rank
  size_t module_cache = 16;        // --module-cache N, per executor
  bool interruptible_collectives = false;  // --interruptible-collectives
  std::string token_file;                  // --token-file, $WASMHPC_TOKEN_FILE
  std::string code_key;                    // --code-key, $WASMHPC_CODE_KEY
  std::vector<std::string> allow_dirs;     // --allow-dir DIR, repeatable
  std::string exit_text;                   // --help, --version: print, exit 0
  bool tls = false;                        // --tls (system root CAs)
  std::string ca_file;                     // --ca FILE, $WASMHPC_CA (TLS)
  std::string tls_cert;  // --tls-cert FILE (client certificate)
  std::string tls_key;   // --tls-key FILE (its key)
};

// Parses argv (argv[0] is the program; "--flag value" or "--flag=value").
// Errors are InvalidArgument naming the offending argument; a missing
// --head is one unless --help or --version is given.
absl::StatusOr<WorkerOptions> ParseWorkerOptions(
    const std::vector<std::string>& argv);

// The bearer token for the head: the first line of options.token_file
// (whitespace around it removed) if one is given, else `env_token` (the value
// of $WASMHPC_TOKEN; null or empty: none), else "" (no token is sent).
// Errors: InvalidArgument naming the file if it cannot be read or its first
// line is empty.
absl::StatusOr<std::string> ReadBearerToken(const WorkerOptions& options,
                                            const char* env_token);

// How to reach the head: plaintext, or TLS when options.tls, a CA file or a
// client certificate is given. Errors: InvalidArgument naming the flag and
// the file (see LoadClientTls).
absl::StatusOr<ClientTls> ReadHeadTls(const WorkerOptions& options);

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_WORKER_OPTIONS_H_
