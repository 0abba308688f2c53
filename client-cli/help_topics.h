// `wasmhpc-cli help TOPIC`: the topics that are not commands (a command's
// help comes from the parser, as `COMMAND --help` prints it).
//
// Thread safety: constant data, thread safe.
#ifndef WASMHPC_CLIENT_CLI_HELP_TOPICS_H_
#define WASMHPC_CLIENT_CLI_HELP_TOPICS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace wasmhpc::cli {

// "config", "environment", "output".
std::vector<std::string> HelpTopicNames();

// The text of topic `name`, ending in '\n'; "" when there is no such topic.
std::string HelpTopic(absl::string_view name);

}  // namespace wasmhpc::cli

#endif  // WASMHPC_CLIENT_CLI_HELP_TOPICS_H_
