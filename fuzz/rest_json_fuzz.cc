// The REST bodies' JSON mapping on arbitrary text. Input: byte 0 picks the
// message (SubmitJobRequest or DrainPoolRequest), the rest is the body.
// Invariants: ParseJson fails only with InvalidArgument; what it accepts
// prints (ToJson) to JSON that parses back to an equal message (not to the
// same text: maps print in hash order), and
// CheckUtf8Fields (which the head runs on every stored request) does not
// crash on it.
#include <google/protobuf/util/message_differencer.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "fuzz/fuzz_check.h"
#include "server/handlers/text_check.h"
#include "server/rest/rest_json.h"
#include "wasmhpc/v1/jobs.pb.h"
#include "wasmhpc/v1/pools.pb.h"

namespace server = wasmhpc::server;
namespace v1 = wasmhpc::v1;

namespace {

std::unique_ptr<google::protobuf::Message> NewMessage(uint8_t which) {
  if (which % 2 == 0) return std::make_unique<v1::SubmitJobRequest>();
  return std::make_unique<v1::DrainPoolRequest>();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const absl::string_view json(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  std::unique_ptr<google::protobuf::Message> message = NewMessage(data[0]);
  const absl::Status parsed = server::ParseJson(json, message.get());
  if (!parsed.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(parsed));
    return 0;
  }
  (void)server::CheckUtf8Fields(*message);

  const std::string printed = server::ToJson(*message);
  std::unique_ptr<google::protobuf::Message> again = NewMessage(data[0]);
  const absl::Status reparsed = server::ParseJson(printed, again.get());
  if (!reparsed.ok()) {
    std::fprintf(stderr, "ToJson printed %s\nwhich does not parse: %s\n",
                 printed.c_str(), std::string(reparsed.message()).c_str());
  }
  FUZZ_CHECK(reparsed.ok());
  FUZZ_CHECK(
      google::protobuf::util::MessageDifferencer::Equals(*message, *again));
  return 0;
}
