#include "common/command_line.h"

#include <algorithm>
#include <memory>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "common/version.h"

namespace wasmhpc {
namespace {

// CLI11's help with the usage line first ("usage: PROGRAM ..."), then the
// description, as the binaries printed it before CLI11.
class UsageFirstFormatter : public CLI::Formatter {
 public:
  std::string make_help(const CLI::App* app, std::string name,
                        CLI::AppFormatMode mode) const override {
    if (mode == CLI::AppFormatMode::Sub) return make_expanded(app);
    return absl::StrCat(make_usage(app, name), make_description(app),
                        make_positionals(app), make_groups(app, mode),
                        make_subcommands(app, mode), "\n", make_footer(app));
  }
};

}  // namespace

std::unique_ptr<CLI::App> NewCommandLineApp(absl::string_view program,
                                            absl::string_view description,
                                            absl::string_view footer) {
  auto app = std::make_unique<CLI::App>(std::string(description),
                                        std::string(program));
  app->set_version_flag("--version", absl::StrCat(program, " ", Version()),
                        "print the version and exit");
  app->set_help_flag("-h,--help", "print this help and exit");
  if (!footer.empty()) app->footer(std::string(footer));
  // A flag given twice: the last one counts (repeatable flags collect
  // into a vector instead).
  app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  auto formatter = std::make_shared<UsageFirstFormatter>();
  formatter->column_width(32);
  formatter->label("Usage", "usage");  // "usage: PROGRAM ..."
  app->formatter(formatter);           // subcommands added later share it
  return app;
}

absl::Status ParseArgs(CLI::App& app, const std::vector<std::string>& argv,
                       std::string* exit_text) {
  // CLI11 takes the arguments last first, without the program.
  std::vector<std::string> args(argv.size() > 1 ? argv.begin() + 1 : argv.end(),
                                argv.end());
  std::reverse(args.begin(), args.end());
  exit_text->clear();
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    *exit_text = app.help();  // of the subcommand
  } catch (const CLI::CallForAllHelp&) {
    *exit_text = app.help("", CLI::AppFormatMode::All);
  } catch (const CLI::CallForVersion& version) {
    *exit_text = absl::StrCat(version.what(), "\n");
  } catch (const CLI::ParseError& error) {
    return absl::InvalidArgumentError(error.what());
  }
  return absl::OkStatus();
}

std::string UsageHint(absl::string_view program) {
  return absl::StrCat("(run '", program, " --help' for usage)");
}

}  // namespace wasmhpc
