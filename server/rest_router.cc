#include "server/rest_router.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "server/http_status.h"
#include "server/openapi.h"
#include "server/rest_json.h"
#include "server/rest_params.h"

namespace wasmhpc::server {

struct RestRouter::Entry {
  RestRoute route;
  // Exactly one is set: routes whose body httplib reads first, or routes
  // that stream the body themselves.
  absl::Status (RestRouter::*handle)(const Request&, Response&,
                                     const Caller&) = nullptr;
  absl::Status (RestRouter::*handle_body)(const Request&, Response&,
                                          const Caller&,
                                          const ContentReader&) = nullptr;
};

namespace {

// "/v1/jobs/{id}/logs" -> "/v1/jobs/([^/]+)/logs" (httplib matches the
// whole decoded path).
std::string PathPattern(const std::string& path) {
  std::string pattern;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      pattern += "([^/]+)";
      i = path.find('}', i);
    } else if (path[i] == '.') {
      pattern += "\\.";
    } else {
      pattern += path[i];
    }
  }
  return pattern;
}

void SetError(httplib::Response& response, const absl::Status& status) {
  response.status = HttpStatusOf(status);
  response.set_content(ErrorJson(status) + "\n", "application/json");
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    response.set_header("WWW-Authenticate", "Bearer");
  }
}

}  // namespace

const std::vector<RestRouter::Entry>& RestRouter::Table() {
  using R = RestRouter;
  static const auto* table = new std::vector<Entry>{
      {{"POST", "/v1/modules", false, Access::kUser, "upload modules"},
       nullptr,
       &R::UploadModule},
      {{"GET", "/v1/modules", false, Access::kUser, "list modules"},
       &R::ListModules},
      {{"GET", "/v1/modules/{digest}", false, Access::kUser, "read modules"},
       &R::GetModule},
      {{"DELETE", "/v1/modules/{digest}", false, Access::kAdmin,
        "delete modules"},
       &R::DeleteModule},
      {{"POST", "/v1/jobs", false, Access::kUser, "submit jobs"},
       &R::SubmitJob},
      {{"GET", "/v1/jobs", false, Access::kUser, "list jobs"}, &R::ListJobs},
      {{"GET", "/v1/jobs/{id}", false, Access::kUser, "read jobs"}, &R::GetJob},
      {{"DELETE", "/v1/jobs/{id}", false, Access::kUser, "cancel jobs"},
       &R::CancelJob},
      {{"GET", "/v1/jobs/{id}/logs", false, Access::kUser, "follow jobs"},
       &R::JobLogs},
      {{"GET", "/v1/pools", false, Access::kAny, "list pools"}, &R::ListPools},
      {{"POST", "/v1/pools/{id}/drain", false, Access::kAdmin, "drain pools"},
       &R::DrainPool},
      {{"POST", "/v1/pools/{id}/resume", false, Access::kAdmin, "resume pools"},
       &R::ResumePool},
      {{"GET", "/healthz", /*open=*/true}, &R::Health},
      {{"GET", "/metrics", /*open=*/true}, &R::Metrics},
      {{"GET", "/v1/openapi.json", /*open=*/true}, &R::OpenApi},
  };
  return *table;
}

std::vector<RestRoute> RestRouter::Routes() {
  std::vector<RestRoute> routes;
  for (const Entry& entry : Table()) routes.push_back(entry.route);
  return routes;
}

RestRouter::RestRouter(RestRouterOptions options) : options_(options) {}

void RestRouter::Stop() { stopping_ = true; }

void RestRouter::Register(httplib::Server* server) {
  for (const Entry& entry : Table()) {
    const std::string pattern = PathPattern(entry.route.path);
    const std::string& method = entry.route.method;
    if (entry.handle_body != nullptr) {
      // Only POST streams its body today.
      server->Post(pattern,
                   [this, &entry](const Request& request, Response& response,
                                  const ContentReader& body) {
                     Serve(entry, request, response, &body);
                   });
      continue;
    }
    auto handler = [this, &entry](const Request& request, Response& response) {
      Serve(entry, request, response, nullptr);
    };
    if (method == "GET") server->Get(pattern, handler);
    if (method == "POST") server->Post(pattern, handler);
    if (method == "DELETE") server->Delete(pattern, handler);
  }
  // httplib's own answers (no route, a malformed request) get a JSON body
  // too; answers of the routes already have one.
  server->set_error_handler([this](const Request& request, Response& response) {
    if (response.body.empty()) Answer(request, response);
  });
}

void RestRouter::Serve(const Entry& entry, const Request& request,
                       Response& response, const ContentReader* body) {
  absl::Status status;
  Caller caller;
  if (!entry.route.open) {
    absl::StatusOr<Caller> known =
        options_.auth->Authenticate(request.get_header_value("Authorization"));
    status = known.ok() ? Permit(*known, entry.route.access, entry.route.what)
                        : known.status();
    if (known.ok()) caller = *std::move(known);
    if (!status.ok() && body != nullptr) DrainBody(*body);
  }
  if (status.ok()) {
    status = body != nullptr
                 ? (this->*entry.handle_body)(request, response, caller, *body)
                 : (this->*entry.handle)(request, response, caller);
  }
  if (!status.ok()) {
    SetError(response, status);
    // The rest of a streamed body may be unread: the connection cannot
    // carry another request.
    if (body != nullptr) response.set_header("Connection", "close");
  }
  requests_.Count(entry.route.method, entry.route.path,
                  response.status == -1 ? 200 : response.status);
}

void RestRouter::Answer(const Request& request, Response& response) {
  absl::Status status;
  switch (response.status) {
    case 404:
      status = absl::NotFoundError(absl::StrCat("no route ", request.method,
                                                " ", request.path,
                                                " (see /v1/openapi.json)"));
      break;
    case 413:
      status = absl::ResourceExhaustedError("request body too large");
      break;
    case 400:
      status = absl::InvalidArgumentError("malformed HTTP request");
      break;
    default:
      status = absl::UnknownError(absl::StrCat("HTTP ", response.status));
  }
  const int code = response.status;
  SetError(response, WithHttpStatus(status, code));
  requests_.Count(request.method, "(unmatched)", code);
}

absl::Status RestRouter::Health(const Request& request, Response& response,
                                const Caller&) {
  if (absl::Status s = CheckParams(request, {}); !s.ok()) return s;
  if (stopping_) return absl::UnavailableError("shutting down");
  response.set_content("ok\n", "text/plain");
  return absl::OkStatus();
}

absl::Status RestRouter::Metrics(const Request& request, Response& response,
                                 const Caller&) {
  if (absl::Status s = CheckParams(request, {}); !s.ok()) return s;
  MetricsSources sources;
  sources.scheduler = options_.scheduler;
  sources.modules = options_.modules;
  sources.requests = &requests_;
  response.set_content(RenderMetrics(sources), kMetricsContentType);
  return absl::OkStatus();
}

absl::Status RestRouter::OpenApi(const Request& request, Response& response,
                                 const Caller&) {
  if (absl::Status s = CheckParams(request, {}); !s.ok()) return s;
  response.set_content(kOpenApiJson, "application/json");
  return absl::OkStatus();
}

absl::Status RestRouter::ListPools(const Request& request, Response& response,
                                   const Caller&) {
  if (absl::Status s = CheckParams(request, {}); !s.ok()) return s;
  v1::ListPoolsResponse pools;
  for (v1::Pool& pool : options_.pools->List()) {
    *pools.add_pools() = std::move(pool);
  }
  SetJson(response, pools);
  return absl::OkStatus();
}

absl::Status RestRouter::DrainPool(const Request& request, Response& response,
                                   const Caller&) {
  if (absl::Status s = CheckParams(request, {}); !s.ok()) return s;
  v1::DrainPoolRequest drain;
  if (!request.body.empty()) {
    if (absl::Status s = ParseJson(request.body, &drain); !s.ok()) return s;
  }
  const std::string id = PathParam(request);
  if (!drain.pool_id().empty() && drain.pool_id() != id) {
    return absl::InvalidArgumentError(
        absl::StrCat("body names pool ", drain.pool_id(), ", the path ", id));
  }
  drain.set_pool_id(id);
  absl::StatusOr<v1::Pool> pool = options_.pools->Drain(drain);
  if (!pool.ok()) return pool.status();
  SetJson(response, *pool);
  return absl::OkStatus();
}

absl::Status RestRouter::ResumePool(const Request& request, Response& response,
                                    const Caller&) {
  if (absl::Status s = CheckParams(request, {}); !s.ok()) return s;
  v1::ResumePoolRequest resume;
  resume.set_pool_id(PathParam(request));
  absl::StatusOr<v1::Pool> pool = options_.pools->Resume(resume);
  if (!pool.ok()) return pool.status();
  SetJson(response, *pool);
  return absl::OkStatus();
}

}  // namespace wasmhpc::server
