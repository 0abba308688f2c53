#include "client-cli/cli_config.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace wasmhpc::cli {

const std::vector<std::string> kConfigKeys = {"server", "token-file", "ca",
                                              "tls", "output"};

namespace {

absl::Status LineError(absl::string_view path, int line,
                       absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": ", what));
}

// One "KEY = VALUE" line (not blank, not a comment).
absl::StatusOr<ConfigEntry> ParseLine(absl::string_view text,
                                      absl::string_view path, int line) {
  const size_t eq = text.find('=');
  if (eq == absl::string_view::npos) {
    return LineError(path, line,
                     absl::StrCat("expected KEY = VALUE, got '", text, "'"));
  }
  ConfigEntry entry;
  entry.line = line;
  entry.key = std::string(absl::StripAsciiWhitespace(text.substr(0, eq)));
  absl::string_view value = absl::StripAsciiWhitespace(text.substr(eq + 1));
  if (std::find(kConfigKeys.begin(), kConfigKeys.end(), entry.key) ==
      kConfigKeys.end()) {
    return LineError(path, line,
                     absl::StrCat("unknown key '", entry.key, "' (known: ",
                                  absl::StrJoin(kConfigKeys, ", "), ")"));
  }
  if (absl::ConsumePrefix(&value, "\"") && !absl::ConsumeSuffix(&value, "\"")) {
    return LineError(path, line, "unclosed quote (\"VALUE\")");
  }
  entry.value = std::string(value);
  return entry;
}

}  // namespace

std::string DefaultConfigPath(const char* xdg_config_home, const char* home) {
  if (xdg_config_home != nullptr && xdg_config_home[0] == '/') {
    return absl::StrCat(xdg_config_home, "/wasmhpc/config");
  }
  if (home != nullptr && home[0] != '\0') {
    return absl::StrCat(home, "/.config/wasmhpc/config");
  }
  return "";
}

absl::StatusOr<std::vector<ConfigEntry>> ParseConfigText(
    absl::string_view text, absl::string_view path) {
  std::vector<ConfigEntry> entries;
  int line = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line;
    absl::string_view stripped = absl::StripAsciiWhitespace(raw);
    if (stripped.empty() || stripped[0] == '#') continue;
    absl::StatusOr<ConfigEntry> entry = ParseLine(stripped, path, line);
    if (!entry.ok()) return entry.status();
    entries.push_back(*std::move(entry));
  }
  return entries;
}

absl::StatusOr<ConfigFile> ReadConfigFile(const std::string& path,
                                          bool required) {
  ConfigFile config;
  if (path.empty()) return config;
  auto unreadable = [&path](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("config file ", path, ": cannot read it (", why, ")"));
  };
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT && !required) return config;
    return unreadable(std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) return unreadable(std::strerror(EISDIR));
  errno = 0;
  std::ifstream in(path);
  std::stringstream text;
  if (!in || (!(text << in.rdbuf()) && in.bad())) {
    return unreadable(std::strerror(errno));
  }
  absl::StatusOr<std::vector<ConfigEntry>> entries =
      ParseConfigText(text.str(), path);
  if (!entries.ok()) return entries.status();
  config.path = path;
  config.entries = *std::move(entries);
  return config;
}

std::string ConfigRelativePath(absl::string_view value,
                               absl::string_view config_path,
                               absl::string_view home) {
  if (absl::StartsWith(value, "~/")) {
    return absl::StrCat(home, value.substr(1));
  }
  if (absl::StartsWith(value, "/") || value.empty()) return std::string(value);
  const size_t slash = config_path.find_last_of('/');
  if (slash == absl::string_view::npos) return std::string(value);
  return absl::StrCat(config_path.substr(0, slash + 1), value);
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path,
                                          absl::string_view what,
                                          std::string* warning) {
  auto problem = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": ", why));
  };
  warning->clear();
  errno = 0;
  std::ifstream in(path);
  if (!in) {
    return problem(absl::StrCat("cannot open it (", std::strerror(errno), ")"));
  }
  std::string line;
  std::getline(in, line);
  if (in.bad()) {
    return problem(absl::StrCat("cannot read it (", std::strerror(errno), ")"));
  }
  absl::StripAsciiWhitespace(&line);
  if (line.empty()) return problem("no token on its first line");
  struct stat info;
  if (stat(path.c_str(), &info) == 0 && (info.st_mode & (S_IRGRP | S_IROTH))) {
    *warning = absl::StrCat(
        what, " ", path, " can be read by other users (chmod 600 ", path, ")");
  }
  return line;
}

namespace {

// The token's source, first found: --token or --token-file (not both),
// $WASMHPC_TOKEN_FILE, $WASMHPC_TOKEN, the settings file's token-file.
absl::Status ResolveToken(GlobalOptions& g,
                          const std::string& config_token_file,
                          const std::string& config_origin) {
  if (!g.token.empty() && !g.token_file.empty()) {
    return absl::InvalidArgumentError(
        "pass --token or --token-file, not both (prefer --token-file: a "
        "token on the command line shows in ps)");
  }
  if (!g.token.empty()) return absl::OkStatus();
  if (!g.token_file.empty()) {
    g.token_file_origin = "--token-file";
  } else if (const char* file = std::getenv("WASMHPC_TOKEN_FILE");
             file != nullptr && file[0] != '\0') {
    g.token_file = file;
    g.token_file_origin = "WASMHPC_TOKEN_FILE";
  } else if (const char* token = std::getenv("WASMHPC_TOKEN")) {
    g.token = token;
  } else {
    g.token_file = config_token_file;
    g.token_file_origin = config_origin;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplySettings(CLI::App& app, GlobalOptions& g) {
  const char* home = std::getenv("HOME");
  const bool required = !g.config_file.empty();
  const std::string path =
      required ? g.config_file
               : DefaultConfigPath(std::getenv("XDG_CONFIG_HOME"), home);
  absl::StatusOr<ConfigFile> config = ReadConfigFile(path, required);
  if (!config.ok()) return config.status();
  std::string token_file;
  std::string token_origin;
  for (const ConfigEntry& entry : config->entries) {
    std::string value = entry.value;
    if (entry.key == "token-file" || entry.key == "ca") {
      value = ConfigRelativePath(value, path, home ? home : "");
    }
    if (entry.key == "token-file") {
      token_file = value;
      token_origin = absl::StrCat("token-file (", path, ":", entry.line, ")");
      continue;
    }
    CLI::Option* option = app.get_option_no_throw("--" + entry.key);
    if (option == nullptr || option->count() > 0) continue;
    try {
      option->add_result(value);
      option->run_callback();
    } catch (const CLI::Error& error) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", entry.line, ": ", error.what()));
    }
  }
  return ResolveToken(g, token_file, token_origin);
}

}  // namespace wasmhpc::cli
