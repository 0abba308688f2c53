#include "client-cli/completion.h"

#include <algorithm>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace wasmhpc::cli {

const std::vector<std::string> kCompletionShells = {"bash", "zsh"};

namespace {

// What the script knows, per command path ("." for the program itself,
// "modules push" below it).
struct Table {
  std::map<std::string, std::vector<std::string>> subcommands;
  std::map<std::string, std::vector<std::string>> options;
  std::map<std::string, std::vector<std::string>> arguments;
  std::set<std::string> file_paths;
  std::set<std::string> takes_value;
  std::map<std::string, std::vector<std::string>> option_choices;
};

std::vector<std::string> OptionNames(const CLI::Option& option) {
  std::vector<std::string> names;
  for (const std::string& s : option.get_snames()) names.push_back("-" + s);
  for (const std::string& l : option.get_lnames()) names.push_back("--" + l);
  return names;
}

// `inherited`: the global options (the root's), which every command takes;
// a command's own options do not pass to its subcommands (jobs prune takes
// none of jobs' filters).
void Walk(const CLI::App& app, const std::string& path,
          const std::vector<std::string>& inherited,
          const CompletionHints& hints, Table& table) {
  std::vector<std::string> here = inherited;
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_positional()) {
      const std::string name = option->get_name(/*positional=*/true);
      if (auto it = hints.choices.find(name); it != hints.choices.end()) {
        table.arguments[path] = it->second;
      } else if (hints.file_arguments.contains(name)) {
        table.file_paths.insert(path);
      }
      continue;
    }
    for (const std::string& name : OptionNames(*option)) {
      if (std::find(here.begin(), here.end(), name) == here.end()) {
        here.push_back(name);
      }
      if (option->get_expected_max() > 0) table.takes_value.insert(name);
      if (auto it = hints.choices.find(option->get_lnames().empty()
                                           ? name
                                           : "--" + option->get_lnames()[0]);
          it != hints.choices.end()) {
        table.option_choices[name] = it->second;
      }
    }
  }
  table.options[path] = here;
  const std::vector<std::string>& global = path == "." ? here : inherited;
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App*) { return true; })) {
    std::vector<std::string>& subs = table.subcommands[path];
    subs.push_back(sub->get_name());
    for (const std::string& alias : sub->get_aliases()) subs.push_back(alias);
    Walk(*sub, path == "." ? sub->get_name() : path + " " + sub->get_name(),
         global, hints, table);
    for (const std::string& alias : sub->get_aliases()) {
      Walk(*sub, path == "." ? alias : path + " " + alias, global, hints,
           table);
    }
  }
}

// `name=( [key]="words" ... )` (bash) or `name=( key "words" ... )` (zsh).
std::string Assoc(absl::string_view shell, absl::string_view name,
                  const std::map<std::string, std::vector<std::string>>& map) {
  std::string out = absl::StrCat("  local -A ", name, "\n  ", name, "=(");
  for (const auto& [key, words] : map) {
    const std::string value = absl::StrJoin(words, " ");
    if (shell == "bash") {
      absl::StrAppend(&out, "\n    [\"", key, "\"]=\"", value, "\"");
    } else {
      absl::StrAppend(&out, "\n    \"", key, "\" \"", value, "\"");
    }
  }
  return absl::StrCat(out, "\n  )\n");
}

// The shared logic: find the command path before the cursor, skipping
// options and their values, then offer what fits there. Placeholders:
// $FILES (complete file names), $WORDS(x) (offer the words in x).
constexpr char kBody[] = R"(  local cur=$CUR prev=$PREV cmd=. word i skip=0
  for ((i = $FIRST; i < $CWORD; i++)); do
    word=$WORD_I
    if ((skip)); then skip=0; continue; fi
    if [[ $word == -- ]]; then $FILES; return; fi
    if [[ $word == -* ]]; then
      [[ $word != *=* && " $takes_value " == *" $word "* ]] && skip=1
      continue
    fi
    if [[ " ${subs[$cmd]} " == *" $word "* ]]; then
      if [[ $cmd == . ]]; then cmd=$word; else cmd="$cmd $word"; fi
    fi
  done
  if ((skip)); then
    if [[ -n ${choices[$prev]} ]]; then $WORDS(${choices[$prev]}); else $FILES; fi
    return
  fi
  if [[ $cur == -* ]]; then $WORDS(${opts[$cmd]}); return; fi
  if [[ -n ${subs[$cmd]} ]]; then $WORDS(${subs[$cmd]}); return; fi
  if [[ -n ${args[$cmd]} ]]; then $WORDS(${args[$cmd]}); return; fi
  if [[ -n ${file_args[$cmd]} ]]; then $FILES; fi
)";

std::string Body(absl::string_view shell) {
  std::string body = kBody;
  if (shell == "bash") {
    body = absl::StrReplaceAll(
        body, {{"$CUR", "\"${COMP_WORDS[COMP_CWORD]}\""},
               {"$PREV", "\"${COMP_WORDS[COMP_CWORD-1]}\""},
               {"$FIRST", "1"},
               {"$CWORD", "COMP_CWORD"},
               {"$WORD_I", "\"${COMP_WORDS[i]}\""},
               {"$FILES", "COMPREPLY=($(compgen -f -- \"$cur\"))"}});
    // $WORDS(x) -> COMPREPLY=($(compgen -W "x" -- "$cur"))
    return absl::StrReplaceAll(body, {{"$WORDS(", "COMPREPLY=($(compgen -W \""},
                                      {"]})", "]}\" -- \"$cur\"))"}});
  }
  body = absl::StrReplaceAll(body, {{"$CUR", "${words[CURRENT]}"},
                                    {"$PREV", "${words[CURRENT-1]}"},
                                    {"$FIRST", "2"},
                                    {"$CWORD", "CURRENT"},
                                    {"$WORD_I", "${words[i]}"},
                                    {"$FILES", "_files"}});
  // $WORDS(${x[y]}) -> compadd -- ${=x[y]}
  return absl::StrReplaceAll(body,
                             {{"$WORDS(${", "compadd -- ${="}, {"]})", "]}"}});
}

}  // namespace

absl::StatusOr<std::string> CompletionScript(const CLI::App& app,
                                             absl::string_view shell,
                                             const CompletionHints& hints) {
  if (std::find(kCompletionShells.begin(), kCompletionShells.end(), shell) ==
      kCompletionShells.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("completion: unknown shell '", shell, "' (use ",
                     absl::StrJoin(kCompletionShells, " or "), ")"));
  }
  Table table;
  Walk(app, ".", {}, hints, table);
  const std::string program = app.get_name();
  const std::string function =
      absl::StrCat("_", absl::StrReplaceAll(program, {{"-", "_"}}));
  std::map<std::string, std::vector<std::string>> files;
  for (const std::string& path : table.file_paths) files[path] = {"1"};
  std::string out = absl::StrCat(
      shell == "zsh" ? absl::StrCat("#compdef ", program, "\n") : "", "# ",
      shell, " completion for ", program, ", generated by '", program,
      " completion ", shell, "'\n", function, "() {\n",
      Assoc(shell, "subs", table.subcommands),
      Assoc(shell, "opts", table.options),
      Assoc(shell, "choices", table.option_choices),
      Assoc(shell, "args", table.arguments), Assoc(shell, "file_args", files),
      "  local takes_value=\"", absl::StrJoin(table.takes_value, " "), "\"\n",
      Body(shell), "}\n");
  if (shell == "bash") {
    absl::StrAppend(&out, "complete -F ", function, " ", program, "\n");
  } else {
    absl::StrAppend(&out, function, " \"$@\"\n");
  }
  return out;
}

}  // namespace wasmhpc::cli
