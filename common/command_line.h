// The command-line glue of the wasmhpc binaries: each declares its options
// on a CLI11 app (CLI/CLI.hpp: flags, subcommands, environment fallbacks);
// ParseArgs runs it with what all four share: `--version`, `-h/--help` (per
// subcommand), and errors as absl::Status instead of exceptions.
//
// Thread safety: ParseArgs mutates `app`; distinct apps are independent.
#ifndef WASMHPC_COMMON_COMMAND_LINE_H_
#define WASMHPC_COMMON_COMMAND_LINE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace CLI {
class App;
}  // namespace CLI

namespace wasmhpc {

// A CLI11 app for `program` ("wasmhpc-head"): `description` heads its
// --help, `footer` ends it; --version prints "PROGRAM VERSION". Environment
// fallbacks show in --help as "(Env:NAME)".
std::unique_ptr<CLI::App> NewCommandLineApp(absl::string_view program,
                                            absl::string_view description,
                                            absl::string_view footer = "");

// Parses argv (argv[0] is the program) into `app`'s options. Sets
// *exit_text to the text to print on stdout before exiting 0 for --help (the
// help of the subcommand it follows) or --version, and leaves it empty when
// the program should run. Returns InvalidArgument with CLI11's message
// (naming the offending argument) for bad usage: print it with UsageHint and
// exit 2. Callbacks may throw CLI::ValidationError("--flag", "what is
// wrong") to reject a value; the message reads "--flag: what is wrong".
absl::Status ParseArgs(CLI::App& app, const std::vector<std::string>& argv,
                       std::string* exit_text);

// "(run 'PROGRAM --help' for usage)".
std::string UsageHint(absl::string_view program);

}  // namespace wasmhpc

#endif  // WASMHPC_COMMON_COMMAND_LINE_H_
