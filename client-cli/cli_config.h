// The settings file of wasmhpc-cli and the token file: what a user would
// otherwise type on every command line.
//
// The settings file ($XDG_CONFIG_HOME/wasmhpc/config, else
// ~/.config/wasmhpc/config; --config FILE or $WASMHPC_CONFIG choose
// another) holds `KEY = VALUE` lines; blank lines and lines starting with
// '#' are ignored; a value may be double-quoted. KEY is a global option
// without its dashes (kConfigKeys). Its values come below the command line
// and the environment (cli_options.cc applies them).
//
//   # ~/.config/wasmhpc/config
//   server = head.example.org:7070
//   token-file = ~/.config/wasmhpc/token
//   ca = /etc/wasmhpc/ca.pem
//   output = wide
//
// Thread safety: the functions read files (and ApplySettings the
// environment); they are thread safe for distinct arguments.
#ifndef WASMHPC_CLIENT_CLI_CLI_CONFIG_H_
#define WASMHPC_CLIENT_CLI_CLI_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client-cli/cli_options.h"

namespace CLI {
class App;
}  // namespace CLI

namespace wasmhpc::cli {

// The keys a settings file may set: server, token-file, ca, tls, output.
extern const std::vector<std::string> kConfigKeys;

struct ConfigEntry {
  std::string key;
  std::string value;
  // 1-based, for error messages.
  int line = 0;
};

struct ConfigFile {
  // Where it was read from; "" when there was none.
  std::string path;
  std::vector<ConfigEntry> entries;
};

// $XDG_CONFIG_HOME/wasmhpc/config when `xdg_config_home` is set and
// absolute, else $HOME/.config/wasmhpc/config; "" when neither is set.
// Arguments may be null (unset).
std::string DefaultConfigPath(const char* xdg_config_home, const char* home);

// Parses a settings file's text. InvalidArgument "PATH:LINE: what is wrong
// (what to do)" for a line without '=', an unknown key or an unclosed
// quote.
absl::StatusOr<std::vector<ConfigEntry>> ParseConfigText(
    absl::string_view text, absl::string_view path);

// Reads and parses `path`. A missing file gives an empty ConfigFile unless
// `required` (--config, $WASMHPC_CONFIG); any other read error, and a
// missing required file, is InvalidArgument naming the file.
absl::StatusOr<ConfigFile> ReadConfigFile(const std::string& path,
                                          bool required);

// A path from a settings file: "~/x" under `home`; relative paths against
// the directory of `config_path`; absolute ones unchanged.
std::string ConfigRelativePath(absl::string_view value,
                               absl::string_view config_path,
                               absl::string_view home);

// After `app` (wasmhpc-cli's parser, cli_options.cc) parsed the command
// line: sets each global option that neither a flag nor its environment
// variable set from the settings file (--config / $WASMHPC_CONFIG, which
// must exist, else the default one, which may be missing), through the
// option's own parser; then picks the token's source, the first of:
// --token or --token-file (not both), $WASMHPC_TOKEN_FILE, $WASMHPC_TOKEN,
// the file's token-file (relative to the file). InvalidArgument naming the
// file and line for a bad file or value. Reads $HOME and $XDG_CONFIG_HOME.
absl::Status ApplySettings(CLI::App& app, GlobalOptions& g);

// The bearer token on the first line of `path` (surrounding blanks
// dropped), as wasmhpc-worker and the Python client read theirs.
// InvalidArgument "WHAT PATH: cannot open it (...)" / "no token on its
// first line". When group or others may read the file, *warning says so
// and how to fix it (chmod 600); the token is still used (ssh refuses such
// keys; a warning keeps setups that share a token file working); otherwise
// *warning is cleared.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path,
                                          absl::string_view what,
                                          std::string* warning);

}  // namespace wasmhpc::cli

#endif  // WASMHPC_CLIENT_CLI_CLI_CONFIG_H_
