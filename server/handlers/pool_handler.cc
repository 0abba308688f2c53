#include "server/handlers/pool_handler.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "cache-store/module_digest.h"
#include "server/handlers/api_limits.h"
#include "server/handlers/text_check.h"

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
  FetchedModule fetched{.bytes = *std::move(bytes)};
  if (!fingerprint.empty()) {
    absl::StatusOr<SharedBytes> code =
        options_.store->GetCode(digest, fingerprint);
    if (code.ok()) {
      fetched.code_signature =
          options_.code_key->Sign(digest, fingerprint, code->view());
      fetched.code = *std::move(code);
    }
  }
  return fetched;
}

absl::StatusOr<uint64_t> PoolHandler::CodeLimit(
    absl::string_view digest) const {
  absl::StatusOr<SharedBytes> module = options_.store->GetModule(digest);
  if (!module.ok()) {
    if (absl::IsNotFound(module.status())) {
      return absl::NotFoundError(absl::StrCat("no module ", digest));
    }
    return module.status();
  }
  return module->view().size() * kMaxCodeToModuleRatio + kCodeSlackBytes;
}

absl::Status PoolHandler::PutCode(absl::string_view digest,
                                  absl::string_view fingerprint,
                                  absl::string_view code,
                                  absl::string_view signature) {
  if (!IsValidDigest(digest)) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed module digest '", digest, "'"));
  }
  if (fingerprint.empty() || code.empty()) {
    return absl::InvalidArgumentError(
        "compiled code needs an engine fingerprint and some bytes");
  }
  absl::StatusOr<uint64_t> limit = CodeLimit(digest);
  if (!limit.ok()) return limit.status();
  if (code.size() > *limit) {
    return absl::ResourceExhaustedError(
        absl::StrCat("compiled code of ", code.size(), " bytes for ", digest,
                     "; at most ", *limit, " for a module of its size"));
  }
  if (!options_.code_key->Verify(digest, fingerprint, code, signature)) {
    return absl::PermissionDeniedError(
        "the code's signature does not verify: only pools holding this "
        "deployment's code key (wasmhpc-worker --code-key) may upload code");
  }
  absl::MutexLock lock(&put_mu_);
  if (options_.store->HasCode(digest, fingerprint).value_or(false)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "code of ", digest, " for this engine is stored already; kept"));
  }
  return options_.store->PutCode(digest, fingerprint, code);
}

std::vector<v1::Pool> PoolHandler::List() const {
  return options_.scheduler->ListPools();
}

absl::StatusOr<v1::Pool> PoolHandler::Drain(
    const v1::DrainPoolRequest& request) {
  if (absl::Status s = CheckUtf8Fields(request); !s.ok()) return s;
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
  if (absl::Status s = CheckUtf8Fields(request); !s.ok()) return s;
  if (absl::Status s = CheckName("the pool's name", request.name(), 1024);
      !s.ok()) {
    return s;
  }
  if (request.hosts_size() > kMaxReportedHosts) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a failure report lists at most ", kMaxReportedHosts, " hosts"));
  }
  for (const std::string& host : request.hosts()) {
    if (absl::Status s = CheckName("a host name", host, kMaxHostNameBytes);
        !s.ok()) {
      return s;
    }
  }
  return options_.scheduler->ReportPoolFailure(
      request.name(),
      std::vector<std::string>(request.hosts().begin(), request.hosts().end()),
      CutUtf8(request.reason(), kMaxFailureReason));
}

}  // namespace wasmhpc::server
