#include "worker/run/run_options.h"

#include <cstdlib>
#include <memory>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/command_line.h"

namespace wasmhpc::run {

namespace {

constexpr char kDescription[] =
    "wasmhpc-run: runs a WebAssembly MPI program as `mpirun -np N ./app`\n"
    "would run the native one:\n"
    "  mpirun -np N wasmhpc-run [options] app.wasm [args...]";
constexpr char kFooter[] =
    "Everything after app.wasm (or after --) is the guest's argv, never read\n"
    "as options. Exit code: the guest's; 125 if the module cannot be loaded,\n"
    "134 on a trap, 2 on bad usage.";

void AddRunOptions(CLI::App& app, RunOptions& o) {
  using S = const std::string&;
  app.add_option_function<std::vector<std::string>>(
         "--dir",
         [&o](const std::vector<std::string>& specs) {
           for (S spec : specs) {
             absl::StatusOr<wasi::Preopen> dir = wasi::ParseDirFlag(spec);
             if (!dir.ok()) {
               throw CLI::ValidationError("--dir",
                                          std::string(dir.status().message()));
             }
             o.dirs.push_back(*std::move(dir));
           }
         },
         "preopen a host directory, HOST[:GUEST][:ro] (repeatable)")
      ->allow_extra_args(false);
  app.add_option_function<std::vector<std::string>>(
         "--env",
         [&o](const std::vector<std::string>& vars) {
           for (S var : vars) {
             if (var.find('=') == std::string::npos || var.front() == '=') {
               throw CLI::ValidationError("--env",
                                          absl::StrCat(var, ": expected K=V"));
             }
             o.env.push_back(var);
           }
         },
         "set a guest environment variable, K=V (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--tier", o.tier, "turbofan (default), liftoff or dynamic");
  app.add_option_function<std::string>(
      "--max-memory",
      [&o](S v) {
        if (!absl::SimpleAtoi(v, &o.max_memory_mib) || o.max_memory_mib == 0 ||
            o.max_memory_mib > 4096) {
          throw CLI::ValidationError(
              "--max-memory",
              absl::StrCat(v, ": expected MiB between 1 and 4096"));
        }
      },
      "cap linear memory, MiB (default 4096)");
  app.add_option_function<std::string>(
      "--cache",
      [&o](S v) {
        if (v.empty())
          throw CLI::ValidationError("--cache", "needs a directory");
        o.cache_dir = v;
      },
      "compiled-code cache (default $XDG_CACHE_HOME/wasmhpc or "
      "~/.cache/wasmhpc)");
  app.add_flag_callback(
      "--no-cache", [&o] { o.cache_dir.clear(); },
      "compile every time, store nothing");
  app.add_flag("--timings", o.timings,
               "print load/instantiate/run times per rank");
  app.add_flag_callback(
      "--no-fast-calls", [&o] { o.fast_calls = false; },
      "host calls through V8's API callbacks only (no fast API calls; for "
      "comparison)");
  // The module and the guest's argv: not parsed (they land in remaining()).
  app.prefix_command();
}

}  // namespace

std::string DefaultCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return absl::StrCat(xdg, "/wasmhpc");
  const char* home = std::getenv("HOME");
  if (home && *home) return absl::StrCat(home, "/.cache/wasmhpc");
  return "";
}

absl::StatusOr<RunOptions> ParseRunOptions(const std::vector<std::string>& argv,
                                           std::string default_cache_dir) {
  RunOptions options;
  options.cache_dir = std::move(default_cache_dir);
  std::unique_ptr<CLI::App> app =
      NewCommandLineApp("wasmhpc-run", kDescription, kFooter);
  AddRunOptions(*app, options);
  if (absl::Status s = ParseArgs(*app, argv, &options.exit_text); !s.ok()) {
    return s;
  }
  if (!options.exit_text.empty()) return options;  // --help, --version
  // The first argument that is no option, and all after it; "--" before it
  // lets it start with '-'.
  std::vector<std::string> rest = app->remaining();
  if (!rest.empty() && rest[0] == "--") {
    rest.erase(rest.begin());
  } else if (!rest.empty() && rest[0].starts_with("-")) {
    return absl::InvalidArgumentError(absl::StrCat("unknown option ", rest[0]));
  }
  if (rest.empty()) return absl::InvalidArgumentError("no module given");
  options.module_path = rest[0];
  options.guest_args = std::move(rest);
  return options;
}

}  // namespace wasmhpc::run
