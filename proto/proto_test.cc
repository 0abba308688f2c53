// The wasmhpc/v1 API: messages round-trip, and the JSON mapping the REST
// router will use has the field names users see.
#include <google/protobuf/util/json_util.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wasmhpc/v1/jobs.grpc.pb.h"
#include "wasmhpc/v1/modules.grpc.pb.h"
#include "wasmhpc/v1/pools.grpc.pb.h"

namespace wasmhpc::v1 {
namespace {

using ::testing::HasSubstr;

JobSpec ExampleSpec() {
  JobSpec spec;
  spec.set_module_digest("sha256:" + std::string(64, 'a'));
  spec.set_ranks(4);
  spec.add_args("48");
  (*spec.mutable_env())["OMP_NUM_THREADS"] = "1";
  Dir* dir = spec.add_dirs();
  dir->set_host_path("/data");
  dir->set_read_only(true);
  spec.mutable_timeout()->set_seconds(30);
  return spec;
}

TEST(Proto, JobSpecRoundTripsThroughTheWire) {
  std::string wire = ExampleSpec().SerializeAsString();
  JobSpec back;
  ASSERT_TRUE(back.ParseFromString(wire));
  EXPECT_EQ(back.ranks(), 4);
  EXPECT_EQ(back.dirs(0).host_path(), "/data");
  EXPECT_TRUE(back.dirs(0).read_only());
  EXPECT_EQ(back.timeout().seconds(), 30);
}

TEST(Proto, JsonUsesUserFacingNames) {
  Job job;
  job.set_id("j-1");
  job.set_state(RUNNING);
  *job.mutable_spec() = ExampleSpec();
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(job, &json).ok());
  EXPECT_THAT(json, HasSubstr("\"state\":\"RUNNING\""));
  EXPECT_THAT(json, HasSubstr("\"moduleDigest\":\"sha256:"));
  EXPECT_THAT(json, HasSubstr("\"timeout\":\"30s\""));
  EXPECT_THAT(json, HasSubstr("\"readOnly\":true"));

  Job parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok());
  EXPECT_EQ(parsed.spec().env().at("OMP_NUM_THREADS"), "1");
}

const google::protobuf::MethodDescriptor* Method(const std::string& service,
                                                 const std::string& method) {
  const auto* s =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          "wasmhpc.v1." + service);
  return s ? s->FindMethodByName(method) : nullptr;
}

TEST(Proto, ServicesStreamWhereTheDesignSays) {
  // Touch each file's messages so the static library's objects are linked
  // and their descriptors registered.
  ASSERT_NE(UploadModuleRequest::descriptor(), nullptr);
  ASSERT_NE(PoolMessage::descriptor(), nullptr);
  ASSERT_NE(Method("ModuleService", "Upload"), nullptr);
  EXPECT_TRUE(Method("ModuleService", "Upload")->client_streaming());
  EXPECT_TRUE(Method("PoolService", "Attach")->client_streaming());
  EXPECT_TRUE(Method("PoolService", "Attach")->server_streaming());
  EXPECT_TRUE(Method("JobService", "Watch")->server_streaming());
  EXPECT_FALSE(Method("JobService", "Submit")->server_streaming());
}

}  // namespace
}  // namespace wasmhpc::v1
