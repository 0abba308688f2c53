// The /v1/modules routes of RestRouter.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/rest/http_status.h"
#include "server/rest/rest_params.h"
#include "server/rest/rest_router.h"

namespace wasmhpc::server {
namespace {

// The upload's header from the query (?name=, ?digest=, ?label=K=V) and
// Content-Length (so an oversize upload is refused before its bytes).
absl::StatusOr<v1::UploadModuleRequest> UploadHeader(
    const httplib::Request& request) {
  if (absl::Status s = CheckParams(request, {"name", "digest", "label"});
      !s.ok()) {
    return s;
  }
  const std::string type = request.get_header_value("Content-Type");
  if (!type.empty() && !absl::StartsWith(type, "application/wasm") &&
      !absl::StartsWith(type, "application/octet-stream")) {
    return absl::InvalidArgumentError(
        absl::StrCat("Content-Type must be application/wasm (got '", type,
                     "'); the body is the module's bytes"));
  }
  v1::UploadModuleRequest part;
  v1::UploadModuleRequest::Header* header = part.mutable_header();
  header->set_name(request.get_param_value("name"));
  header->set_expected_digest(request.get_param_value("digest"));
  if (absl::Status s = LabelParams(request, header->mutable_labels());
      !s.ok()) {
    return s;
  }
  uint64_t size = 0;
  if (request.has_header("Content-Length") &&
      absl::SimpleAtoi(request.get_header_value("Content-Length"), &size)) {
    header->set_size_bytes(size);
  }
  return part;
}

// An upload over the size limit is 413 Payload Too Large.
absl::Status UploadError(absl::Status status) {
  if (status.code() != absl::StatusCode::kResourceExhausted ||
      IsDiskFull(status)) {
    return status;
  }
  return WithHttpStatus(std::move(status), 413);
}

}  // namespace

absl::Status RestRouter::UploadModule(const Request& request,
                                      Response& response, const Caller& caller,
                                      const ContentReader& body) {
  absl::StatusOr<v1::UploadModuleRequest> part = UploadHeader(request);
  if (!part.ok()) {
    DrainBody(body);
    return part.status();
  }
  // Destroying `upload` without Finish stores nothing.
  std::unique_ptr<ModuleHandler::Upload> upload =
      options_.modules->StartUpload(caller);
  absl::Status failed = upload->Add(*part);  // Content-Length too big?
  // Each piece goes from httplib's read buffer into the upload; the upload
  // holds the only whole copy of the module. After a failure the rest is
  // drained (up to a limit) so the client reads the answer.
  size_t drained = 0;
  const bool complete = body([&](const char* data, size_t length) {
    if (!failed.ok()) {
      drained += length;
      return drained <= kMaxDrainBytes;
    }
    part->set_chunk(data, length);
    failed = upload->Add(*part);
    return true;
  });
  if (!failed.ok()) return UploadError(failed);
  if (!complete) {
    return absl::CancelledError(
        "upload cut short (client gone or body incomplete); nothing stored");
  }
  absl::StatusOr<v1::UploadModuleResponse> done = upload->Finish();
  if (!done.ok()) return done.status();
  SetJson(response, *done, done->already_present() ? 200 : 201);
  response.set_header("Location",
                      absl::StrCat("/v1/modules/", done->module().digest()));
  return absl::OkStatus();
}

absl::Status RestRouter::ListModules(const Request& request, Response& response,
                                     const Caller&) {
  if (absl::Status s = CheckParams(request, {"page_size", "page_token"});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<int64_t> page_size =
      IntParam(request, "page_size", 0, 0, 1000);
  if (!page_size.ok()) return page_size.status();
  v1::ListModulesRequest list;
  list.set_page_size(static_cast<int32_t>(*page_size));
  list.set_page_token(request.get_param_value("page_token"));
  absl::StatusOr<v1::ListModulesResponse> modules =
      options_.modules->List(list);
  if (!modules.ok()) return modules.status();
  SetJson(response, *modules);
  return absl::OkStatus();
}

absl::Status RestRouter::GetModule(const Request& request, Response& response,
                                   const Caller&) {
  if (absl::Status s = CheckParams(request, {}); !s.ok()) return s;
  absl::StatusOr<v1::Module> module = options_.modules->Get(PathParam(request));
  if (!module.ok()) return module.status();
  SetJson(response, *module);
  return absl::OkStatus();
}

absl::Status RestRouter::DeleteModule(const Request& request,
                                      Response& response,
                                      const Caller& caller) {
  if (absl::Status s = CheckParams(request, {}); !s.ok()) return s;
  if (absl::Status s = options_.modules->Delete(PathParam(request), caller);
      !s.ok()) {
    return s;
  }
  SetJson(response, v1::DeleteModuleResponse());
  return absl::OkStatus();
}

}  // namespace wasmhpc::server
