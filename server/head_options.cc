#include "server/head_options.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wasmhpc::server {

const char kHeadUsage[] =
    "usage: wasmhpc-head --data-dir DIR [options]\n"
    "  --data-dir DIR      RocksDB directory for modules, code, jobs, logs\n"
    "  --grpc-port N       gRPC port (default 7070; 0 picks a free port)\n"
    "  --rest-port N|off   REST port (default 7080; 0 picks a free port;\n"
    "                      off serves no REST)\n"
    "  --host ADDR         interface to listen on (default 0.0.0.0)\n"
    "  --allow-dir DIR     a host directory jobs may preopen (repeatable)\n"
    "  --auth-tokens FILE  require 'authorization: Bearer <token>' with one\n"
    "                      of FILE's tokens (one per line) on every call\n"
    "  --repair            salvage a damaged --data-dir (stopped head), print\n"
    "                      what was kept and lost, and exit\n"
    "  --backup DEST       copy --data-dir (stopped head) to the new\n"
    "                      directory DEST and exit; restore by copying back\n"
    "  --help              this text\n"
    "The first line on stdout is 'wasmhpc-head: listening on HOST:PORT'\n"
    "(gRPC), the second 'wasmhpc-head: REST on HOST:PORT' unless REST is "
    "off.\n";

absl::StatusOr<HeadOptions> ParseHeadOptions(
    const std::vector<std::string>& argv) {
  HeadOptions options;
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      continue;
    }
    std::string value;
    bool has_value = false;
    if (size_t eq = arg.find('=');
        arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto take = [&]() -> absl::StatusOr<std::string> {
      if (has_value) return value;
      if (i + 1 >= argv.size()) {
        return absl::InvalidArgumentError(absl::StrCat(arg, " needs a value"));
      }
      return argv[++i];
    };
    absl::StatusOr<std::string> v;
    if (arg == "--grpc-port") {
      if (!(v = take()).ok()) return v.status();
      if (!absl::SimpleAtoi(*v, &options.grpc_port) || options.grpc_port < 0 ||
          options.grpc_port > 65535) {
        return absl::InvalidArgumentError(
            absl::StrCat("--grpc-port ", *v, ": not a port number"));
      }
    } else if (arg == "--rest-port") {
      if (!(v = take()).ok()) return v.status();
      if (*v == "off") {
        options.rest_port = kRestOff;
      } else if (!absl::SimpleAtoi(*v, &options.rest_port) ||
                 options.rest_port < 0 || options.rest_port > 65535) {
        return absl::InvalidArgumentError(
            absl::StrCat("--rest-port ", *v, ": not a port number (or 'off')"));
      }
    } else if (arg == "--host") {
      if (!(v = take()).ok()) return v.status();
      options.host = *v;
    } else if (arg == "--data-dir") {
      if (!(v = take()).ok()) return v.status();
      options.data_dir = *v;
    } else if (arg == "--allow-dir") {
      if (!(v = take()).ok()) return v.status();
      options.allow_dirs.push_back(*v);
    } else if (arg == "--repair") {
      options.repair = true;
    } else if (arg == "--backup") {
      if (!(v = take()).ok()) return v.status();
      options.backup = *v;
    } else if (arg == "--auth-tokens") {
      if (!(v = take()).ok()) return v.status();
      options.auth_tokens = *v;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown option ", arg));
    }
  }
  if (!options.help && options.data_dir.empty()) {
    return absl::InvalidArgumentError("--data-dir is required");
  }
  if (options.repair && !options.backup.empty()) {
    return absl::InvalidArgumentError(
        "--repair and --backup are separate runs: back up first");
  }
  return options;
}

}  // namespace wasmhpc::server
