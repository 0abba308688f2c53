#include "client-cli/cli_config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Error(absl::string_view text) {
  auto entries = ParseConfigText(text, "/home/u/.config/wasmhpc/config");
  EXPECT_FALSE(entries.ok());
  return entries.ok() ? "" : std::string(entries.status().message());
}

TEST(ParseConfigText, KeysValuesCommentsAndQuotes) {
  auto entries = ParseConfigText(
      "# comment\n\n  server = head:7070  \noutput=wide\n"
      "token-file = \"/with space/t\"\n\ttls = true\nca = \"\"\n",
      "cfg");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 5u);
  EXPECT_EQ((*entries)[0].key, "server");
  EXPECT_EQ((*entries)[0].value, "head:7070");
  EXPECT_EQ((*entries)[0].line, 3);
  EXPECT_EQ((*entries)[1].value, "wide");
  EXPECT_EQ((*entries)[2].value, "/with space/t");
  EXPECT_EQ((*entries)[3].key, "tls");
  EXPECT_EQ((*entries)[3].line, 6);
  EXPECT_EQ((*entries)[4].value, "");
}

TEST(ParseConfigText, BadLinesNameFileAndLine) {
  EXPECT_EQ(Error("server = a:1\nserver a:1\n"),
            "/home/u/.config/wasmhpc/config:2: expected KEY = VALUE, got "
            "'server a:1'");
  EXPECT_EQ(Error("\n\ntoken = abc\n"),
            "/home/u/.config/wasmhpc/config:3: unknown key 'token' (known: "
            "server, token-file, ca, tls, output)");
  EXPECT_EQ(Error("ca = \"/x\n"),
            "/home/u/.config/wasmhpc/config:1: unclosed quote (\"VALUE\")");
}

TEST(DefaultConfigPath, XdgThenHome) {
  EXPECT_EQ(DefaultConfigPath("/xdg", "/home/u"), "/xdg/wasmhpc/config");
  EXPECT_EQ(DefaultConfigPath(nullptr, "/home/u"),
            "/home/u/.config/wasmhpc/config");
  // A relative XDG_CONFIG_HOME is invalid (XDG base directory spec).
  EXPECT_EQ(DefaultConfigPath("rel", "/home/u"),
            "/home/u/.config/wasmhpc/config");
  EXPECT_EQ(DefaultConfigPath(nullptr, nullptr), "");
}

TEST(ConfigRelativePath, HomeConfigDirectoryOrAbsolute) {
  EXPECT_EQ(ConfigRelativePath("~/t", "/c/config", "/home/u"), "/home/u/t");
  EXPECT_EQ(ConfigRelativePath("token", "/c/wasmhpc/config", "/h"),
            "/c/wasmhpc/token");
  EXPECT_EQ(ConfigRelativePath("/abs/t", "/c/config", "/h"), "/abs/t");
}

TEST(ReadConfigFile, MissingIsEmptyUnlessRequired) {
  TempDir dir("cli_config_");
  auto none = ReadConfigFile(dir.Path("none"), /*required=*/false);
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(none->entries, IsEmpty());
  auto required = ReadConfigFile(dir.Path("none"), /*required=*/true);
  ASSERT_FALSE(required.ok());
  EXPECT_EQ(required.status().message(),
            "config file " + dir.Path("none") +
                ": cannot read it (No such file or directory)");
  // A directory is not a settings file, even where one may be missing.
  auto directory = ReadConfigFile(dir.path(), /*required=*/false);
  EXPECT_FALSE(directory.ok());
  std::ofstream(dir.Path("config")) << "output = json\nbogus = 1\n";
  auto bad = ReadConfigFile(dir.Path("config"), false);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr(dir.Path("config") + ":2: unknown key 'bogus'"));
}

TEST(ReadTokenFile, FirstLineAndWhatIsWrong) {
  TempDir dir("cli_token_");
  std::string warning;
  const std::string path = dir.Path("token");
  std::ofstream(path) << "  s3cret \nsecond line\n";
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  auto token = ReadTokenFile(path, "--token-file", &warning);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "s3cret");
  EXPECT_EQ(warning, "");

  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  token = ReadTokenFile(path, "--token-file", &warning);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(warning, "--token-file " + path +
                         " can be read by other users (chmod 600 " + path +
                         ")");

  auto missing =
      ReadTokenFile(dir.Path("none"), "WASMHPC_TOKEN_FILE", &warning);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "WASMHPC_TOKEN_FILE " + dir.Path("none") +
                ": cannot open it (No such file or directory)");
  std::ofstream(dir.Path("empty")) << "\n";
  auto empty = ReadTokenFile(dir.Path("empty"), "--token-file", &warning);
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(),
              HasSubstr("no token on its first line"));
}

}  // namespace
}  // namespace wasmhpc::cli
