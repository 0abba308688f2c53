#include "proto/grpc_status.h"

#include "gtest/gtest.h"

namespace wasmhpc {
namespace {

TEST(GrpcStatus, CodesAndMessagesSurviveBothWays) {
  absl::Status denied = absl::PermissionDeniedError("dir /etc not allowed");
  grpc::Status wire = ToGrpcStatus(denied);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(wire.error_message(), "dir /etc not allowed");
  EXPECT_EQ(ToAbslStatus(wire), denied);
}

TEST(GrpcStatus, OkIsOkWithoutMessage) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(ToAbslStatus(grpc::Status::OK).ok());
}

TEST(GrpcStatus, EveryCodeKeepsItsNumber) {
  for (int code = 1; code <= 16; ++code) {
    absl::Status status(static_cast<absl::StatusCode>(code), "m");
    EXPECT_EQ(static_cast<int>(ToGrpcStatus(status).error_code()), code);
    EXPECT_EQ(ToAbslStatus(ToGrpcStatus(status)), status);
  }
}

}  // namespace
}  // namespace wasmhpc
