#include "server/rest/http_status.h"

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cache-store/cache_store.h"

namespace wasmhpc::server {
namespace {

// A JSON string literal (quotes included) of UTF-8 text.
std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

// Status payload that carries an HTTP status override.
constexpr absl::string_view kHttpStatusPayload = "wasmhpc/http-status";

}  // namespace

absl::Status WithHttpStatus(absl::Status status, int http_status) {
  status.SetPayload(kHttpStatusPayload, absl::Cord(absl::StrCat(http_status)));
  return status;
}

int HttpStatusOf(const absl::Status& status) {
  if (IsDiskFull(status)) return 507;  // Insufficient Storage
  if (auto payload = status.GetPayload(kHttpStatusPayload);
      payload.has_value()) {
    int http_status = 0;
    if (absl::SimpleAtoi(std::string(*payload), &http_status)) {
      return http_status;
    }
  }
  return HttpStatusOf(status.code());
}

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kFailedPrecondition:
      return 412;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    default:
      return 500;
  }
}

std::string ErrorJson(const absl::Status& status) {
  // "NOT_FOUND" from absl's "NOT_FOUND" spelling of the code.
  std::string name = absl::StatusCodeToString(status.code());
  return absl::StrCat("{\"code\":", static_cast<int>(status.code()),
                      ",\"status\":", JsonString(name),
                      ",\"message\":", JsonString(status.message()), "}");
}

}  // namespace wasmhpc::server
