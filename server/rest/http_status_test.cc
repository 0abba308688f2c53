// http_status: the absl -> HTTP mapping and the JSON error body.
#include "server/rest/http_status.h"

#include "cache-store/cache_store.h"
#include "gtest/gtest.h"

namespace wasmhpc::server {
namespace {

TEST(HttpStatus, MapsEveryCode) {
  const std::pair<absl::StatusCode, int> expected[] = {
      {absl::StatusCode::kOk, 200},
      {absl::StatusCode::kCancelled, 499},
      {absl::StatusCode::kUnknown, 500},
      {absl::StatusCode::kInvalidArgument, 400},
      {absl::StatusCode::kDeadlineExceeded, 504},
      {absl::StatusCode::kNotFound, 404},
      {absl::StatusCode::kAlreadyExists, 409},
      {absl::StatusCode::kPermissionDenied, 403},
      {absl::StatusCode::kResourceExhausted, 429},
      {absl::StatusCode::kFailedPrecondition, 412},
      {absl::StatusCode::kAborted, 409},
      {absl::StatusCode::kOutOfRange, 400},
      {absl::StatusCode::kUnimplemented, 501},
      {absl::StatusCode::kInternal, 500},
      {absl::StatusCode::kUnavailable, 503},
      {absl::StatusCode::kDataLoss, 500},
      {absl::StatusCode::kUnauthenticated, 401},
  };
  for (const auto& [code, http] : expected) {
    EXPECT_EQ(HttpStatusOf(code), http) << absl::StatusCodeToString(code);
    EXPECT_EQ(HttpStatusOf(absl::Status(code, "x")), http);
  }
}

TEST(HttpStatus, OverrideWinsOverTheCode) {
  absl::Status status =
      WithHttpStatus(absl::ResourceExhaustedError("too big"), 413);
  EXPECT_EQ(HttpStatusOf(status), 413);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "too big");
}

TEST(HttpStatus, ErrorBodyIsJsonWithTheMessageUnchanged) {
  EXPECT_EQ(
      ErrorJson(absl::NotFoundError("no job job-00000009")),
      R"({"code":5,"status":"NOT_FOUND","message":"no job job-00000009"})");
  EXPECT_EQ(
      ErrorJson(absl::InvalidArgumentError("say \"hi\"\\\n\x01")),
      R"({"code":3,"status":"INVALID_ARGUMENT","message":"say \"hi\"\\\n\u0001"})");
}

TEST(HttpStatus, FullDiskIsInsufficientStorage) {
  EXPECT_EQ(HttpStatusOf(DiskFullError("the disk is full")), 507);
  EXPECT_EQ(HttpStatusOf(WithHttpStatus(DiskFullError("full"), 413)), 507);
  EXPECT_EQ(HttpStatusOf(absl::ResourceExhaustedError("too many")), 429);
}

}  // namespace
}  // namespace wasmhpc::server
