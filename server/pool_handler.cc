#include "server/pool_handler.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "cache-store/module_digest.h"

namespace wasmhpc::server {

PoolHandler::PoolHandler(PoolHandlerOptions options)
    : options_(std::move(options)) {}

absl::StatusOr<std::string> PoolHandler::Attach(const v1::PoolMessage& first,
                                                PoolSink* sink) {
  if (!first.has_hello()) {
    return absl::InvalidArgumentError(
        "the first message of an Attach stream must be a hello");
  }
  return options_.scheduler->AttachPool(first.hello(), sink);
}

void PoolHandler::OnMessage(absl::string_view pool_id,
                            const v1::PoolMessage& message) {
  absl::Status status = options_.scheduler->HandlePoolMessage(pool_id, message);
  if (!status.ok()) {
    EmitLog(options_.log, absl::StrCat("pool ", pool_id, ": message ignored: ",
                                       status.message()));
  }
}

void PoolHandler::Detach(absl::string_view pool_id) {
  options_.scheduler->DetachPool(pool_id);
}

absl::StatusOr<FetchedModule> PoolHandler::FetchModule(
    absl::string_view digest, absl::string_view fingerprint) const {
  if (!IsValidDigest(digest)) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed module digest '", digest, "'"));
  }
  absl::StatusOr<SharedBytes> bytes = options_.store->GetModule(digest);
  if (!bytes.ok()) {
    if (absl::IsNotFound(bytes.status())) {
      return absl::NotFoundError(absl::StrCat("no module ", digest));
    }
    return bytes.status();
  }
  FetchedModule fetched{*std::move(bytes), std::nullopt};
  if (!fingerprint.empty()) {
    absl::StatusOr<SharedBytes> code =
        options_.store->GetCode(digest, fingerprint);
    if (code.ok()) fetched.code = *std::move(code);
  }
  return fetched;
}

std::vector<v1::Pool> PoolHandler::List() const {
  return options_.scheduler->ListPools();
}

}  // namespace wasmhpc::server
