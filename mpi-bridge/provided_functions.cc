#include "mpi-bridge/provided_functions.h"

#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mpi-bridge/abi.h"

namespace wasmhpc::mpi {

bool IsProvidedFunction(std::string_view name) {
  static const auto* provided = [] {
    auto* set = new absl::flat_hash_set<std::string_view>();
    for (const abi::Function& f : abi::kFunctions) {
      if (f.supported) set->insert(f.name);
    }
    return set;
  }();
  return provided->contains(name);
}

std::vector<std::string> MissingFunctions(absl::Span<const std::string> names) {
  std::vector<std::string> missing;
  absl::flat_hash_set<std::string_view> seen;
  for (const std::string& name : names) {
    if (!IsProvidedFunction(name) && seen.insert(name).second) {
      missing.push_back(name);
    }
  }
  return missing;
}

absl::Status CheckFunctionsProvided(absl::Span<const std::string> names) {
  std::vector<std::string> missing = MissingFunctions(names);
  if (missing.empty()) return absl::OkStatus();
  std::string more;
  if (missing.size() > kMaxNamed) {
    more = absl::StrCat(" and ", missing.size() - kMaxNamed, " more");
    missing.resize(kMaxNamed);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "the module imports MPI functions wasmhpc does not provide yet: ",
      absl::StrJoin(missing, ", "), more,
      " (sdk/abi/mpi_abi.txt lists what wasmhpc provides)"));
}

}  // namespace wasmhpc::mpi
