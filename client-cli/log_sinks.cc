#include "client-cli/log_sinks.h"

#include <utility>

#include "client-cli/yaml_format.h"

namespace wasmhpc::cli {

void ReconnectNotice::Broke(const absl::Status& why) {
  if (broken_) return;
  broken_ = true;
  std::fprintf(err_, "wasmhpc-cli: %s; reconnecting\n",
               FormatRpcError(server_, "watch", why).c_str());
  std::fflush(err_);
}

TextFollowSink::TextFollowSink(FILE* out, FILE* err, std::string server,
                               bool tag_output)
    : out_(out),
      err_(err),
      tag_output_(tag_output),
      notice_(err, std::move(server)) {}

void TextFollowSink::OnJob(const v1::Job& job) {
  notice_.Healed();
  std::string queued = QueueMessage(job);
  if (queued.empty() || queued == queue_message_) return;
  queue_message_ = std::move(queued);
  std::fprintf(err_, "%s\n", queue_message_.c_str());
  std::fflush(err_);
}

void TextFollowSink::OnLog(const v1::LogChunk& chunk) {
  notice_.Healed();
  FILE* file = chunk.stream() == v1::STDERR ? err_ : out_;
  if (tag_output_) {
    std::string tagged =
        tagger_.Tag(chunk.rank(), chunk.stream(), chunk.data());
    std::fwrite(tagged.data(), 1, tagged.size(), file);
  } else {
    std::fwrite(chunk.data().data(), 1, chunk.data().size(), file);
  }
  std::fflush(file);
}

void TextFollowSink::OnReconnecting(const absl::Status& why) {
  notice_.Broke(why);
}

MessageFollowSink::MessageFollowSink(FILE* out, FILE* err, std::string server,
                                     bool yaml)
    : out_(out), yaml_(yaml), notice_(err, std::move(server)) {}

void MessageFollowSink::Print(const v1::JobEvent& event) {
  notice_.Healed();
  absl::StatusOr<std::string> text =
      yaml_ ? ToYaml(event) : ToJson(event, /*pretty=*/false);
  if (!text.ok()) return;  // Cannot happen for a well-formed message.
  std::fprintf(out_, yaml_ ? "---\n%s" : "%s\n", text->c_str());
  std::fflush(out_);
}

void MessageFollowSink::OnJob(const v1::Job& job) {
  v1::JobEvent event;
  *event.mutable_job() = job;
  Print(event);
}

void MessageFollowSink::OnLog(const v1::LogChunk& chunk) {
  v1::JobEvent event;
  *event.mutable_log() = chunk;
  Print(event);
}

void MessageFollowSink::OnReconnecting(const absl::Status& why) {
  notice_.Broke(why);
}

}  // namespace wasmhpc::cli
