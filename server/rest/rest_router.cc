#include "server/rest/rest_router.h"

#include <regex>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/logging.h"
#include "server/handlers/request_log.h"
#include "server/rest/bounded_http_server.h"
#include "server/rest/http_status.h"
#include "server/rest/openapi.h"
#include "server/rest/rest_json.h"
#include "server/rest/rest_params.h"

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

// Chunked framing (size lines, CRLFs) a body of `limit` bytes may add.
uint64_t WithFraming(uint64_t limit) {
  return limit == 0 ? 0 : limit + limit / 8 + 65536;
}

absl::Status NoRoute(const httplib::Request& request) {
  return WithHttpStatus(absl::NotFoundError(absl::StrCat(
                            "no route ", request.method, " ", request.path,
                            " (see /v1/openapi.json)")),
                        404);
}

// The answer when the body broke a limit (size, time); OK otherwise (a
// client that went away is the route's to report).
absl::Status BodyStatus() {
  absl::Status status = BoundedHttpServer::BodyError();
  switch (status.code()) {
    case absl::StatusCode::kResourceExhausted:
      return WithHttpStatus(status, 413);
    case absl::StatusCode::kDeadlineExceeded:
      return WithHttpStatus(status, 408);
    default:
      return absl::OkStatus();
  }
}

bool HasBody(const httplib::Request& request) {
  return request.has_header("Transfer-Encoding") ||
         (request.has_header("Content-Length") &&
          request.get_header_value("Content-Length") != "0");
}

// How the head says the body is framed (RFC 9112 6.1-6.3), where httplib
// would take the first of several headers or inflate the body.
absl::Status CheckFraming(const httplib::Request& request) {
  const size_t lengths = request.get_header_value_count("Content-Length");
  const std::string length = request.get_header_value("Content-Length");
  uint64_t bytes = 0;
  if (lengths > 1) {
    return absl::InvalidArgumentError(
        "more than one Content-Length header; send exactly one");
  }
  if (lengths == 1 &&
      (length.empty() ||
       !absl::c_all_of(length, [](char c) { return absl::ascii_isdigit(c); }) ||
       !absl::SimpleAtoi(length, &bytes))) {
    return absl::InvalidArgumentError(
        absl::StrCat("Content-Length '", length, "' is not a number of bytes"));
  }
  const size_t transfers = request.get_header_value_count("Transfer-Encoding");
  if (transfers > 0 && lengths > 0) {
    return absl::InvalidArgumentError(
        "both Content-Length and Transfer-Encoding; send one of them");
  }
  if (transfers > 1 ||
      (transfers == 1 &&
       !absl::EqualsIgnoreCase(request.get_header_value("Transfer-Encoding"),
                               "chunked"))) {
    return WithHttpStatus(
        absl::UnimplementedError("Transfer-Encoding must be chunked (or "
                                 "send Content-Length instead)"),
        501);
  }
  for (size_t i = 0; i < request.get_header_value_count("Content-Encoding");
       ++i) {
    const std::string coding = request.get_header_value("Content-Encoding", i);
    if (!absl::EqualsIgnoreCase(coding, "identity")) {
      return WithHttpStatus(
          absl::InvalidArgumentError(
              absl::StrCat("Content-Encoding '", coding,
                           "' is not accepted; send the body uncompressed")),
          415);
    }
  }
  return absl::OkStatus();
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
      {{"DELETE", "/v1/modules/{digest}", false, Access::kUser,
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
      {{"POST", "/v1/jobs/prune", false, Access::kUser, "delete jobs"},
       &R::PruneJobs},
      {{"GET", "/v1/pools", false, Access::kAny, "list pools"}, &R::ListPools},
      {{"POST", "/v1/pools/{id}/drain", false, Access::kAdmin, "drain pools"},
       &R::DrainPool},
      {{"POST", "/v1/pools/{id}/resume", false, Access::kAdmin, "resume pools"},
       &R::ResumePool},
      {{.method = "GET", .path = "/healthz", .open = true}, &R::Health},
      {{.method = "GET", .path = "/metrics", .open = true}, &R::Metrics},
      {{.method = "GET", .path = "/v1/openapi.json", .open = true},
       &R::OpenApi},
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
  // Every request's head is checked before any of its body is read.
  server->set_pre_routing_handler(
      [this](const Request& request, Response& response) {
        return Admit(request, response)
                   ? httplib::Server::HandlerResponse::Unhandled
                   : httplib::Server::HandlerResponse::Handled;
      });
  server->set_expect_100_continue_handler(
      [this](const Request& request, Response& response) {
        return Admit(request, response) ? 100 : response.status;
      });
  // httplib's own answers (no route, a malformed request) get a JSON body
  // too; answers of the routes already have one.
  server->set_error_handler([this](const Request& request, Response& response) {
    if (response.body.empty()) Answer(request, response);
  });
}

const RestRouter::Entry* RestRouter::Match(const Request& request) {
  static const auto* patterns = [] {
    auto* compiled = new std::vector<std::regex>;
    for (const Entry& entry : Table()) {
      compiled->emplace_back(PathPattern(entry.route.path));
    }
    return compiled;
  }();
  for (size_t i = 0; i < Table().size(); ++i) {
    if (Table()[i].route.method == request.method &&
        std::regex_match(request.path, (*patterns)[i])) {
      return &Table()[i];
    }
  }
  return nullptr;
}

uint64_t RestRouter::BodyLimit(const Entry& entry) const {
  if (entry.handle_body != nullptr) return options_.max_upload_body_bytes;
  if (entry.handle == &RestRouter::SubmitJob ||
      entry.handle == &RestRouter::DrainPool ||
      entry.handle == &RestRouter::PruneJobs) {
    return options_.max_json_body_bytes;
  }
  return 0;
}

absl::Status RestRouter::CheckHead(const Request& request,
                                   const Entry* entry) const {
  if (absl::Status s = CheckFraming(request); !s.ok()) return s;
  if (entry == nullptr) return NoRoute(request);
  if (absl::Status s = CallerOf(*entry, request).status(); !s.ok()) return s;
  if (!HasBody(request)) return absl::OkStatus();
  const uint64_t limit = BodyLimit(*entry);
  uint64_t length = 0;
  const bool chunked =
      !absl::SimpleAtoi(request.get_header_value("Content-Length"), &length);
  if (chunked ? limit > 0 : length <= limit) return absl::OkStatus();
  return WithHttpStatus(
      absl::ResourceExhaustedError(absl::StrCat(
          entry->route.method, " ", entry->route.path, " takes ",
          limit == 0 ? "no body"
                     : absl::StrCat("a body of at most ", limit, " bytes"),
          "; this one is ",
          chunked ? "chunked" : absl::StrCat(length, " bytes"))),
      413);
}

void RestRouter::LogFailure(const Request& request, absl::string_view caller,
                            const absl::Status& status) {
  LogWarning(FailedRequestLine(
      absl::StrCat("REST ", request.method, " ", request.path), caller,
      status));
}

bool RestRouter::Admit(const Request& request, Response& response) {
  const Entry* entry = Match(request);
  const absl::Status status = CheckHead(request, entry);
  if (status.ok()) {
    BoundedHttpServer::LimitBody(WithFraming(BodyLimit(*entry)));
    return true;
  }
  SetError(response, status);
  LogFailure(request, "", status);
  requests_.Count(request.method,
                  entry != nullptr ? entry->route.path : "(unmatched)",
                  absl::StrCat(response.status));
  if (HasBody(request)) {  // Unread: the connection cannot go on.
    BoundedHttpServer::CloseAfterResponse();
    response.set_header("Connection", "close");
  }
  return false;
}

absl::StatusOr<Caller> RestRouter::CallerOf(const Entry& entry,
                                            const Request& request) const {
  if (entry.route.open) return Caller();
  absl::StatusOr<Caller> caller =
      options_.auth->Authenticate(request.get_header_value("Authorization"));
  if (!caller.ok()) return caller.status();
  if (absl::Status s = Permit(*caller, entry.route.access, entry.route.what);
      !s.ok()) {
    return s;
  }
  return caller;
}

void RestRouter::Serve(const Entry& entry, const Request& request,
                       Response& response, const ContentReader* body) {
  Caller caller;
  absl::StatusOr<Caller> known = CallerOf(entry, request);
  absl::Status status = known.status();
  if (known.ok()) caller = *std::move(known);
  if (!status.ok() && body != nullptr) DrainBody(*body);
  if (status.ok() && body == nullptr &&
      request.body.size() > BodyLimit(entry)) {  // Chunked, framing slack.
    status =
        WithHttpStatus(absl::ResourceExhaustedError(absl::StrCat(
                           "request body over ", BodyLimit(entry), " bytes")),
                       413);
  }
  if (status.ok()) {
    status = body != nullptr
                 ? (this->*entry.handle_body)(request, response, caller, *body)
                 : (this->*entry.handle)(request, response, caller);
  }
  if (absl::Status read = BodyStatus(); !read.ok()) status = read;
  if (!status.ok()) {
    SetError(response, status);
    LogFailure(request, caller.name, status);
    // The rest of a streamed body may be unread: the connection cannot
    // carry another request.
    if (body != nullptr) response.set_header("Connection", "close");
  }
  requests_.Count(entry.route.method, entry.route.path,
                  absl::StrCat(response.status == -1 ? 200 : response.status));
}

void RestRouter::Answer(const Request& request, Response& response) {
  absl::Status status;
  switch (response.status) {
    case 404:
      status = NoRoute(request);
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
  if (absl::Status body = BodyStatus(); !body.ok()) {
    SetError(response, body);  // The body broke a limit.
    LogFailure(request, "", body);
  } else {
    SetError(response, WithHttpStatus(status, response.status));
    LogFailure(request, "", status);
  }
  requests_.Count(request.method, "(unmatched)", absl::StrCat(response.status));
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
  sources.grpc_requests = options_.grpc_requests;
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
  // No query check: a form-encoded body would show up as query parameters.
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
