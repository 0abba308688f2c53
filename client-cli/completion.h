// Shell completion scripts for wasmhpc-cli, generated from its CLI11 parser
// (`wasmhpc-cli completion bash|zsh`, and at build time for
// `cmake --install`): the script knows every command path (`modules push`),
// its subcommands, its options (a command's own and the global ones, which
// may follow it) and which options take a value. It completes commands,
// options, the values of options with known choices (--output), the
// arguments of commands with known choices (completion SHELL, help TOPIC)
// and file names for the rest.
//
// Thread safety: pure functions of the app, thread safe for a const app.
#ifndef WASMHPC_CLIENT_CLI_COMPLETION_H_
#define WASMHPC_CLIENT_CLI_COMPLETION_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace CLI {
class App;
}  // namespace CLI

namespace wasmhpc::cli {

// The shells `completion` supports: "bash", "zsh".
extern const std::vector<std::string> kCompletionShells;

// What the parser does not say about values.
struct CompletionHints {
  // Option ("--output") or positional ("SHELL") name -> the words it takes.
  std::map<std::string, std::vector<std::string>> choices;
  // Positional names that take a file ("MODULE", "FILE"); options taking a
  // value without choices always complete file names.
  std::set<std::string> file_arguments;
};

// The completion script for `shell` of the program `app` parses (app's name
// is the command completed). InvalidArgument naming the supported shells
// for another shell.
absl::StatusOr<std::string> CompletionScript(const CLI::App& app,
                                             absl::string_view shell,
                                             const CompletionHints& hints);

}  // namespace wasmhpc::cli

#endif  // WASMHPC_CLIENT_CLI_COMPLETION_H_
