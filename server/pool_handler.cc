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

absl::Status PoolHandler::PutCode(absl::string_view digest,
                                  absl::string_view fingerprint,
                                  absl::string_view code) {
  if (!IsValidDigest(digest)) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed module digest '", digest, "'"));
  }
  if (fingerprint.empty() || code.empty()) {
    return absl::InvalidArgumentError(
        "compiled code needs an engine fingerprint and some bytes");
  }
  absl::StatusOr<bool> known = options_.store->HasModule(digest);
  if (!known.ok()) return known.status();
  if (!*known) return absl::NotFoundError(absl::StrCat("no module ", digest));
  return options_.store->PutCode(digest, fingerprint, code);
}

std::vector<v1::Pool> PoolHandler::List() const {
  return options_.scheduler->ListPools();
}

absl::StatusOr<v1::Pool> PoolHandler::Drain(
    const v1::DrainPoolRequest& request) {
  return options_.scheduler->DrainPool(request.pool_id(), request.detach(),
                                       request.reason());
}

absl::StatusOr<v1::Pool> PoolHandler::Resume(
    const v1::ResumePoolRequest& request) {
  return options_.scheduler->ResumePool(request.pool_id());
}

absl::StatusOr<v1::Pool> PoolHandler::ReportFailure(
    const v1::ReportPoolFailureRequest& request) {
  if (request.name().empty() || request.reason().empty()) {
    return absl::InvalidArgumentError(
        "a pool failure report needs the pool's name and a reason");
  }
  return options_.scheduler->ReportPoolFailure(
      request.name(),
      std::vector<std::string>(request.hosts().begin(), request.hosts().end()),
      request.reason().substr(0, kMaxFailureReason));
}

}  // namespace wasmhpc::server
