#include "client-cli/yaml_format.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wasmhpc/v1/jobs.pb.h"
#include "wasmhpc/v1/modules.pb.h"

namespace wasmhpc::cli {
namespace {

TEST(YamlString, PlainWhenYamlReadsItBackAsThatString) {
  for (const char* plain :
       {"hello", "job-0001", "RUNNING", "sha256:0abc", "/data/in", "a b", "x=1",
        "app.wasm", "Yesterday"}) {
    EXPECT_EQ(YamlString(plain), plain);
  }
}

TEST(YamlString, QuotesWhatYamlWouldMisread) {
  // Booleans and null in YAML 1.1 or 1.2, numbers, indicators, comments,
  // blanks at either end, and several lines.
  EXPECT_EQ(YamlString(""), "\"\"");
  for (const char* word :
       {"yes",   "No",    "ON",     "off",  "y",          "N",    "true",
        "False", "null",  "~",      "1e3",  "0x10",       "123",  "-5",
        "+1",    ".inf",  ".5",     "1:20", "2024-05-01", "*ref", "&a",
        "!tag",  "@x",    "%x",     "`x",   "{a}",        "[a]",  "- a",
        "? a",   "|",     ">",      "'q'",  "#c",         "a: b", "a:",
        "a #b",  " lead", "trail ", "a,b",  "1.5s"}) {
    const std::string quoted = YamlString(word);
    EXPECT_EQ(quoted, "\"" + std::string(word) + "\"") << word;
  }
  EXPECT_EQ(YamlString("two\nlines"), "\"two\\nlines\"");
  EXPECT_EQ(YamlString("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
  EXPECT_EQ(YamlString(std::string("tab\there\x01", 9)), "\"tab\\there\\x01\"");
  EXPECT_EQ(YamlString("\xc3\xa9t\xc3\xa9"), "\"\xc3\xa9t\xc3\xa9\"");
}

TEST(ToYaml, FieldsInDeclarationOrderMapsSortedListsAsSequences) {
  v1::Job job;
  job.set_id("job-7");
  job.set_state(v1::FAILED);
  v1::JobSpec& spec = *job.mutable_spec();
  spec.set_module_digest("sha256:ab");
  spec.set_ranks(2);
  spec.add_args("yes");
  spec.add_args("line\nbreak");
  (*spec.mutable_env())["B"] = "1e3";
  (*spec.mutable_env())["A"] = "plain";
  spec.mutable_timeout()->set_seconds(90);
  spec.set_memory_limit_bytes(uint64_t{5} << 30);
  v1::RankResult& rank = *job.add_ranks();
  rank.set_rank(1);
  rank.set_exit_code(3);
  rank.set_trap("MPI_Send: bad #tag");
  job.mutable_submitted()->set_seconds(1714564803);
  job.set_exit_code(3);
  job.set_failed_rank(1);
  absl::StatusOr<std::string> yaml = ToYaml(job);
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  EXPECT_EQ(*yaml,
            "id: job-7\n"
            "spec:\n"
            "  moduleDigest: sha256:ab\n"
            "  ranks: 2\n"
            "  args:\n"
            "  - \"yes\"\n"
            "  - \"line\\nbreak\"\n"
            "  env:\n"
            "    A: plain\n"
            "    B: \"1e3\"\n"
            "  dirs: []\n"
            "  timeout: \"90s\"\n"
            "  memoryLimitBytes: \"5368709120\"\n"
            "  labels: {}\n"
            "  name: \"\"\n"
            "  dependencies: []\n"
            "  priority: 0\n"
            "  stdin: \"\"\n"
            "state: FAILED\n"
            "poolId: \"\"\n"
            "submitted: \"2024-05-01T12:00:03Z\"\n"
            "exitCode: 3\n"
            "failedRank: 1\n"
            "reason: \"\"\n"
            "ranks:\n"
            "- rank: 1\n"
            "  exitCode: 3\n"
            "  trap: \"MPI_Send: bad #tag\"\n"
            "moduleName: \"\"\n"
            "owner: \"\"\n"
            "requestId: \"\"\n"
            "arrayId: \"\"\n"
            "arrayIndex: 0\n");
}

TEST(ToYaml, EmptyMessageIsAnEmptyMapping) {
  absl::StatusOr<std::string> yaml = ToYaml(v1::DeleteModuleResponse());
  ASSERT_TRUE(yaml.ok());
  EXPECT_EQ(*yaml, "{}\n");
}

}  // namespace
}  // namespace wasmhpc::cli
