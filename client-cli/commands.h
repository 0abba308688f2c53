// The commands of wasmhpc-cli. Each runs against a HeadClient, prints to
// stdout/stderr in the chosen format and returns the process exit code
// (0, kExitError on a failed call or bad file; submit: the job's code).
//
// Thread safety: run on the main thread; submit installs a Ctrl-C handler
// (InterruptWatcher) for the time it follows its job.
#ifndef WASMHPC_CLIENT_CLI_COMMANDS_H_
#define WASMHPC_CLIENT_CLI_COMMANDS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "client-cli/cli_options.h"
#include "client-cli/head_client.h"
#include "client-cli/job_follower.h"
#include "client-cli/output_format.h"

namespace wasmhpc::cli {

struct CommandEnv {
  // The head. REQUIRED.
  std::shared_ptr<HeadClient> client;
  // --server, --output (the token is the client's business).
  GlobalOptions global;
  // Clock and zone of printed times. Default: epoch, UTC (main sets now and
  // the local zone).
  FormatContext format;
  // stderr is a terminal: draw the upload progress bar and notes.
  bool stderr_is_terminal = false;
  // stdin and stderr are terminals: Ctrl-C while following asks before
  // cancelling (otherwise it cancels).
  bool interactive = false;
  // Reconnect knobs of `submit` and `logs -f`. Default: FollowOptions{}.
  FollowOptions follow;
};

// Runs the parsed command. REQUIRES: options.command != kHelp.
int RunCommand(const CliOptions& options, CommandEnv& env);

// `submit` (submit_command.cc).
int RunSubmit(const SubmitOptions& options, CommandEnv& env);

// What EnsureModule did.
struct PushedModule {
  v1::Module module;
  // The head had the digest already: nothing was sent.
  bool already_present = false;
};

// Reads `path`, computes its digest and uploads it unless the head already
// has that digest (ModuleService.Get first). Errors carry a complete
// one-line message (file or call), ready to print after "wasmhpc-cli: ".
absl::StatusOr<PushedModule> EnsureModule(const std::string& path,
                                          CommandEnv& env);

// Prints "wasmhpc-cli: <message>" on stderr and returns kExitError.
int Fail(const std::string& message);
// Prints the failed call (FormatRpcError) and returns kExitError.
int FailRpc(const CommandEnv& env, const std::string& action,
            const absl::Status& status);
// True for -o json and -o yaml: commands print the API's messages.
bool PrintsMessages(const CommandEnv& env);
// Prints `message` on stdout as pretty JSON or as YAML (-o yaml);
// kExitError if it cannot. REQUIRES: PrintsMessages(env).
int PrintMessage(const google::protobuf::Message& message,
                 const CommandEnv& env);

}  // namespace wasmhpc::cli

#endif  // WASMHPC_CLIENT_CLI_COMMANDS_H_
