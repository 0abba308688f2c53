#include "worker/run/run_options.h"

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace wasmhpc::run {

const char kUsage[] =
    "usage: wasmhpc-run [options] app.wasm [args...]\n"
    "  --dir HOST[:GUEST][:ro]  preopen a host directory (repeatable)\n"
    "  --env K=V                set a guest environment variable (repeatable)\n"
    "  --tier T                 turbofan (default), liftoff or dynamic\n"
    "  --max-memory MiB         cap linear memory (default 4096)\n"
    "  --cache DIR              compiled-code cache (default\n"
    "                           $XDG_CACHE_HOME/wasmhpc or ~/.cache/wasmhpc)\n"
    "  --no-cache               compile every time, store nothing\n"
    "  --timings                print load/instantiate/run times per rank\n"
    "  --no-fast-calls          host calls through V8's API callbacks only\n"
    "                           (no fast API calls; for comparison)\n"
    "  --help                   this text\n"
    "Everything after app.wasm is the guest's argv. Exit code: the guest's;\n"
    "125 if the module cannot be loaded, 134 on a trap, 2 on bad usage.\n";

namespace {

// Applies one `--name value` option.
absl::Status Apply(const std::string& name, const std::string& value,
                   RunOptions& options) {
  if (name == "--dir") {
    absl::StatusOr<wasi::Preopen> dir = wasi::ParseDirFlag(value);
    if (!dir.ok()) return dir.status();
    options.dirs.push_back(*std::move(dir));
  } else if (name == "--env") {
    if (value.find('=') == std::string::npos || value.front() == '=') {
      return absl::InvalidArgumentError(
          absl::StrCat("--env ", value, ": expected K=V"));
    }
    options.env.push_back(value);
  } else if (name == "--cache") {
    if (value.empty()) return absl::InvalidArgumentError("--cache needs a directory");
    options.cache_dir = value;
  } else if (name == "--tier") {
    options.tier = value;
  } else if (name == "--max-memory") {
    if (!absl::SimpleAtoi(value, &options.max_memory_mib) ||
        options.max_memory_mib == 0 || options.max_memory_mib > 4096) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--max-memory ", value, ": expected MiB between 1 and 4096"));
    }
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown option ", name));
  }
  return absl::OkStatus();
}

}  // namespace

std::string DefaultCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return absl::StrCat(xdg, "/wasmhpc");
  const char* home = std::getenv("HOME");
  if (home && *home) return absl::StrCat(home, "/.cache/wasmhpc");
  return "";
}

absl::StatusOr<RunOptions> ParseRunOptions(
    const std::vector<std::string>& argv, std::string default_cache_dir) {
  RunOptions options;
  options.cache_dir = std::move(default_cache_dir);
  size_t i = 1;
  for (; i < argv.size() && argv[i].starts_with("-"); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      return options;
    }
    if (arg == "--no-cache") {
      options.cache_dir.clear();
      continue;
    }
    if (arg == "--timings") {
      options.timings = true;
      continue;
    }
    if (arg == "--no-fast-calls") {
      options.fast_calls = false;
      continue;
    }
    size_t eq = arg.find('=');
    std::string name = arg.substr(0, eq);
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < argv.size()) {
      value = argv[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat(name, " needs a value"));
    }
    if (absl::Status s = Apply(name, value, options); !s.ok()) return s;
  }
  if (i >= argv.size()) {
    return absl::InvalidArgumentError("no module given");
  }
  options.module_path = argv[i];
  options.guest_args.assign(argv.begin() + i, argv.end());
  return options;
}

}  // namespace wasmhpc::run
