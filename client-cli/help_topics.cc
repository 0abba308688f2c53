#include "client-cli/help_topics.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client-cli/cli_config.h"

namespace wasmhpc::cli {
namespace {

std::string ConfigTopic() {
  return absl::StrCat(
      "The settings file holds what you would otherwise type on every "
      "command line.\n"
      "\n"
      "Where: --config FILE, else $WASMHPC_CONFIG, else\n"
      "$XDG_CONFIG_HOME/wasmhpc/config, else ~/.config/wasmhpc/config (that "
      "one may\nbe missing; a file named by --config or $WASMHPC_CONFIG may "
      "not).\n"
      "\n"
      "Format: KEY = VALUE lines; blank lines and lines starting with # are\n"
      "ignored; VALUE may be double-quoted. Keys: ",
      absl::StrJoin(kConfigKeys, ", "),
      " (the global options\nof the same names). Relative paths are relative "
      "to the file's directory; ~/\nis your home.\n"
      "\n"
      "  server = head.example.org:7070\n"
      "  token-file = ~/.config/wasmhpc/token\n"
      "  ca = /etc/wasmhpc/ca.pem\n"
      "  output = wide\n"
      "\n"
      "Precedence: a flag wins over its environment variable, which wins "
      "over the\nfile. The token: --token or --token-file, then "
      "$WASMHPC_TOKEN_FILE, then\n$WASMHPC_TOKEN, then the file's token-file.\n"
      "Commands that do not talk to the head (help, completion, --version) "
      "do not\nread the file.\n");
}

constexpr char kEnvironmentTopic[] =
    "WASMHPC_SERVER      the head's address, HOST:PORT (--server)\n"
    "WASMHPC_TOKEN_FILE  a file whose first line is the bearer token "
    "(--token-file)\n"
    "WASMHPC_TOKEN       the bearer token (--token; visible to other users "
    "in\n"
    "                    /proc: prefer WASMHPC_TOKEN_FILE)\n"
    "WASMHPC_CA          trust the CA certificates in FILE (--ca)\n"
    "WASMHPC_CONFIG      the settings file (--config; see 'wasmhpc-cli help "
    "config')\n"
    "XDG_CONFIG_HOME     where the settings file is looked for by default\n"
    "A flag wins over its variable; a variable wins over the settings file.\n"
    "The Python client (python/wasmhpc) reads the same variables.\n";

constexpr char kOutputTopic[] =
    "-o / --output FORMAT, or output = FORMAT in the settings file:\n"
    "  text  tables and plain words for people (default)\n"
    "  wide  text, with more columns in the jobs, modules and pools tables\n"
    "  json  the API's messages (wasmhpc.v1, proto3 JSON mapping); submit "
    "and\n"
    "        logs print one JobEvent per line\n"
    "  yaml  the same messages as YAML; submit and logs print one JobEvent "
    "per\n"
    "        document ('---' before each)\n"
    "Errors and notes go to stderr in every format.\n";

}  // namespace

std::vector<std::string> HelpTopicNames() {
  return {"config", "environment", "output"};
}

std::string HelpTopic(absl::string_view name) {
  if (name == "config") return ConfigTopic();
  if (name == "environment") return kEnvironmentTopic;
  if (name == "output") return kOutputTopic;
  return "";
}

}  // namespace wasmhpc::cli
