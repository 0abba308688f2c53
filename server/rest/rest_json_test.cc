// rest_json: the proto3 JSON mapping, strict about unknown fields.
#include "server/rest/rest_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wasmhpc/v1/jobs.pb.h"

namespace wasmhpc::server {
namespace {

using ::testing::HasSubstr;

TEST(RestJson, ParsesCamelCaseAndProtoNames) {
  v1::SubmitJobRequest request;
  ASSERT_TRUE(ParseJson(R"({"spec": {"moduleDigest": "sha256:aa",
      "ranks": 3, "args": ["x"], "timeout": "1.5s",
      "memory_limit_bytes": "4096", "dirs": [{"hostPath": "/tmp"}]}})",
                        &request)
                  .ok());
  EXPECT_EQ(request.spec().module_digest(), "sha256:aa");
  EXPECT_EQ(request.spec().ranks(), 3);
  EXPECT_EQ(request.spec().timeout().seconds(), 1);
  EXPECT_EQ(request.spec().timeout().nanos(), 500000000);
  EXPECT_EQ(request.spec().memory_limit_bytes(), 4096u);
  EXPECT_EQ(request.spec().dirs(0).host_path(), "/tmp");
}

TEST(RestJson, RefusesUnknownFieldsNamingThem) {
  v1::SubmitJobRequest request;
  absl::Status status =
      ParseJson(R"({"spec": {"ranks": 1, "rnaks": 2}})", &request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("rnaks"));
  status = ParseJson(R"({"spec": {"dirs": [{"hostPth": "/a"}]}})", &request);
  EXPECT_THAT(status.message(), HasSubstr("hostPth"));
}

TEST(RestJson, RefusesSyntaxAndTypeErrors) {
  v1::SubmitJobRequest request;
  EXPECT_EQ(ParseJson("{not json", &request).code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status status = ParseJson(R"({"spec": {"ranks": "two"}})", &request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("spec.ranks"));
}

TEST(RestJson, PrintsOneLineWithDefaultsShown) {
  v1::Job job;
  job.set_id("job-00000001");
  job.set_state(v1::SUCCEEDED);
  const std::string json = ToJson(job);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_THAT(json, HasSubstr(R"("state":"SUCCEEDED")"));
  EXPECT_THAT(json, HasSubstr(R"("exitCode":0)"));
  v1::Job back;
  ASSERT_TRUE(ParseJson(json, &back).ok());
  EXPECT_EQ(back.id(), "job-00000001");
}

}  // namespace
}  // namespace wasmhpc::server
