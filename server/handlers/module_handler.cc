#include "server/handlers/module_handler.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/module_info.h"
#include "mpi-bridge/provided_functions.h"
#include "server/handlers/api_limits.h"
#include "server/handlers/text_check.h"

namespace wasmhpc::server {
namespace {

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
// MPI function names are short and fewer than 500 exist.
constexpr size_t kMaxMpiNameBytes = 64;
constexpr size_t kMaxMpiImportsListed = 1024;

// The env.MPI_* functions `bytes` imports, each once, in import order.
std::vector<std::string> MpiImports(absl::string_view bytes) {
  std::vector<std::string> names;
  absl::flat_hash_set<std::string_view> seen;
  absl::StatusOr<engine::ModuleInfo> info =
      engine::ParseModuleInfo(absl::Span<const uint8_t>(
          reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  if (!info.ok()) return names;
  for (const engine::ImportInfo& import : info->imports) {
    if (import.module == "env" &&
        import.kind == engine::ExternKind::kFunction &&
        import.name.rfind("MPI_", 0) == 0 && seen.insert(import.name).second) {
      names.push_back(import.name);
    }
  }
  return names;
}

// Lists `bytes`' MPI imports in `module`: only names MPI could have, so the
// record stays small whatever the module declares (unknown ones are refused
// at upload, or at load for modules stored before).
void ListMpiImports(absl::string_view bytes, v1::Module& module) {
  for (std::string& name : MpiImports(bytes)) {
    if (name.size() > kMaxMpiNameBytes ||
        static_cast<size_t>(module.mpi_imports_size()) >=
            kMaxMpiImportsListed) {
      continue;
    }
    module.add_mpi_imports(std::move(name));
  }
}

}  // namespace

std::string ModuleName(const CacheStore& store, absl::string_view digest) {
  absl::StatusOr<std::string> record = store.GetModuleRecord(digest);
  v1::Module module;
  if (!record.ok() || !module.ParseFromString(*record)) return "";
  return module.name();
}

absl::Status CheckModuleRunnable(const CacheStore& store,
                                 absl::string_view digest) {
  absl::StatusOr<std::string> record = store.GetModuleRecord(digest);
  v1::Module module;
  if (record.ok() && module.ParseFromString(*record)) {
    return mpi::CheckFunctionsProvided(std::vector<std::string>(
        module.mpi_imports().begin(), module.mpi_imports().end()));
  }
  absl::StatusOr<SharedBytes> bytes = store.GetModule(digest);
  if (!bytes.ok()) return bytes.status();
  return mpi::CheckFunctionsProvided(MpiImports(bytes->view()));
}

namespace {

// The name and labels are stored and listed to every client: UTF-8 without
// control characters, bounded.
absl::Status CheckHeader(const v1::UploadModuleRequest::Header& header) {
  if (absl::Status s =
          CheckName("the module name", header.name(), kMaxNameBytes);
      !s.ok()) {
    return s;
  }
  return CheckLabels("a module", header.labels());
}

}  // namespace

ModuleHandler::ModuleHandler(ModuleHandlerOptions options)
    : options_(std::move(options)) {}

absl::Status ModuleHandler::Upload::Add(const v1::UploadModuleRequest& part) {
  if (failed_) return absl::FailedPreconditionError("upload already failed");
  const uint64_t max = handler_->options_.max_module_bytes;
  absl::Status status;
  if (part.has_header()) {
    if (has_header_ || !bytes_.empty()) {
      status = absl::InvalidArgumentError(
          "upload header must come once, before the module bytes");
    } else if (absl::Status bad = CheckHeader(part.header()); !bad.ok()) {
      status = bad;
    } else if (part.header().size_bytes() > max) {
      status = absl::ResourceExhaustedError(absl::StrCat(
          "module of ", part.header().size_bytes(),
          " bytes is larger than the head's limit of ", max, " bytes"));
    } else {
      header_ = part.header();
      has_header_ = true;
    }
  } else if (part.has_chunk()) {
    const std::string& chunk = part.chunk();
    uint64_t size = bytes_.size() + chunk.size();
    if (size > max) {
      status = absl::ResourceExhaustedError(absl::StrCat(
          "module is larger than the head's limit of ", max, " bytes"));
    } else if (header_.size_bytes() != 0 && size > header_.size_bytes()) {
      status = absl::InvalidArgumentError(
          absl::StrCat("upload has more bytes than the ", header_.size_bytes(),
                       " its header announced"));
    } else {
      if (!compile_checked_) StartCompile();
      digest_.Update(chunk);
      bytes_.append(chunk);
      if (compile_ != nullptr) compile_->Feed(chunk);
    }
  }
  if (!status.ok()) failed_ = true;
  return status;
}

void ModuleHandler::Upload::StartCompile() {
  compile_checked_ = true;
  const std::string& expected = header_.expected_digest();
  if (!expected.empty()) {
    CacheStore& store = *handler_->options_.store;
    absl::StatusOr<bool> present = store.HasModule(expected);
    if (present.ok() && *present &&
        store.HasCode(expected, handler_->options_.compiler->fingerprint())
            .value_or(false)) {
      return;  // Store() finds it compiled; a wrong digest fails Finish.
    }
  }
  compile_ = handler_->options_.compiler->Start();
}

absl::StatusOr<v1::UploadModuleResponse> ModuleHandler::Upload::Finish() {
  if (failed_) return absl::FailedPreconditionError("upload already failed");
  failed_ = true;  // Spent from here on.
  if (bytes_.empty()) {
    return absl::InvalidArgumentError("empty upload: no module bytes");
  }
  if (header_.size_bytes() != 0 && bytes_.size() != header_.size_bytes()) {
    return absl::InvalidArgumentError(
        absl::StrCat("upload ended after ", bytes_.size(),
                     " bytes; its header announced ", header_.size_bytes()));
  }
  std::string digest = digest_.Finish();
  if (!header_.expected_digest().empty() &&
      header_.expected_digest() != digest) {
    return absl::InvalidArgumentError(
        absl::StrCat("module bytes hash to ", digest, ", not the expected ",
                     header_.expected_digest()));
  }
  absl::StatusOr<v1::UploadModuleResponse> response =
      handler_->Store(header_, digest, bytes_, compile_.get(), caller_);
  compile_.reset();
  bytes_.clear();
  return response;
}

absl::StatusOr<v1::UploadModuleResponse> ModuleHandler::Store(
    const v1::UploadModuleRequest::Header& header, const std::string& digest,
    const std::string& bytes, ModuleCompiler::Session* compile,
    const Caller& caller) {
  CacheStore& store = *options_.store;
  const std::string& fingerprint = options_.compiler->fingerprint();
  absl::StatusOr<bool> present = store.HasModule(digest);
  if (!present.ok()) return present.status();
  v1::UploadModuleResponse response;
  if (*present && store.HasCode(digest, fingerprint).value_or(false)) {
    absl::StatusOr<v1::Module> module = Load(digest, bytes.size());
    if (!module.ok()) return module.status();
    *response.mutable_module() = *std::move(module);
    response.set_already_present(true);
    return response;
  }
  if (!*present) {
    if (absl::Status s = CheckModuleQuota(caller); !s.ok()) return s;
  }
  // Validation happens here, before anything is written.
  absl::StatusOr<std::string> code = compile != nullptr
                                         ? compile->Finish(bytes)
                                         : options_.compiler->Compile(bytes);
  if (!code.ok()) return code.status();
  if (absl::Status s = mpi::CheckFunctionsProvided(MpiImports(bytes));
      !s.ok()) {
    return s;
  }
  if (!code->empty()) {
    absl::Status put = store.PutCode(digest, fingerprint, *code);
    if (!put.ok()) {
      EmitLog(options_.log, absl::StrCat("could not store compiled code of ",
                                         digest, ": ", put.message()));
    }
  }
  if (!*present) {
    if (absl::Status put = store.PutModule(digest, bytes); !put.ok()) {
      return put;
    }
  }
  absl::StatusOr<std::string> record = store.GetModuleRecord(digest);
  v1::Module module;
  if (*present && record.ok() && module.ParseFromString(*record)) {
    response.set_already_present(true);
  } else {
    module = Describe(header, digest, bytes, caller.name);
    absl::Status put =
        store.PutModuleRecord(digest, module.SerializeAsString());
    if (!put.ok()) return put;
    response.set_already_present(*present);
  }
  *response.mutable_module() = std::move(module);
  return response;
}

v1::Module ModuleHandler::Describe(
    const v1::UploadModuleRequest::Header& header, const std::string& digest,
    const std::string& bytes, const std::string& owner) const {
  v1::Module module;
  module.set_digest(digest);
  module.set_owner(owner);
  module.set_size_bytes(bytes.size());
  module.set_name(header.name());
  *module.mutable_uploaded() = ToProto(options_.clock->Now());
  *module.mutable_labels() = header.labels();
  ListMpiImports(bytes, module);
  return module;
}

absl::StatusOr<v1::Module> ModuleHandler::Load(const std::string& digest,
                                               uint64_t known_size) const {
  absl::StatusOr<std::string> record = options_.store->GetModuleRecord(digest);
  v1::Module module;
  if (record.ok() && module.ParseFromString(*record)) return module;
  // No record: describe the module from its bytes.
  absl::StatusOr<SharedBytes> bytes = options_.store->GetModule(digest);
  if (!bytes.ok()) return bytes.status();
  module.set_digest(digest);
  module.set_size_bytes(known_size != 0 ? known_size : bytes->size());
  ListMpiImports(bytes->view(), module);
  return module;
}

absl::StatusOr<bool> ModuleHandler::Has(absl::string_view digest) const {
  if (!IsValidDigest(digest)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "malformed module digest '", digest, "' (expected sha256:<64 hex>)"));
  }
  return options_.store->HasModule(digest);
}

absl::StatusOr<ModuleHandler::Stats> ModuleHandler::GetStats() const {
  absl::StatusOr<std::vector<ModuleInfo>> modules =
      options_.store->ListModules();
  if (!modules.ok()) return modules.status();
  Stats stats;
  for (const ModuleInfo& module : *modules) {
    ++stats.modules;
    stats.bytes += module.size;
  }
  return stats;
}

absl::StatusOr<v1::Module> ModuleHandler::Get(absl::string_view digest) const {
  absl::StatusOr<bool> has = Has(digest);
  if (!has.ok()) return has.status();
  if (!*has) return absl::NotFoundError(absl::StrCat("no module ", digest));
  return Load(std::string(digest), 0);
}

absl::StatusOr<v1::ListModulesResponse> ModuleHandler::List(
    const v1::ListModulesRequest& request) const {
  if (request.page_size() < 0) {
    return absl::InvalidArgumentError("page_size must not be negative");
  }
  int page_size = request.page_size() == 0
                      ? kDefaultPageSize
                      : std::min(request.page_size(), kMaxPageSize);
  absl::StatusOr<std::vector<ModuleInfo>> all = options_.store->ListModules();
  if (!all.ok()) return all.status();
  auto it =
      std::upper_bound(all->begin(), all->end(), request.page_token(),
                       [](const std::string& token, const ModuleInfo& info) {
                         return token < info.digest;
                       });
  v1::ListModulesResponse response;
  size_t bytes = 0;
  for (; it != all->end() && response.modules_size() < page_size; ++it) {
    absl::StatusOr<v1::Module> module = Load(it->digest, it->size);
    if (!module.ok()) continue;  // Deleted meanwhile, or corrupt.
    bytes += module->ByteSizeLong();
    if (response.modules_size() > 0 && bytes > kMaxListPageBytes) break;
    *response.add_modules() = *std::move(module);
  }
  if (it != all->end() && response.modules_size() > 0) {
    response.set_next_page_token(
        response.modules(response.modules_size() - 1).digest());
  }
  return response;
}

absl::Status ModuleHandler::CheckModuleQuota(const Caller& caller) const {
  const int64_t max = options_.max_modules_per_owner;
  if (max <= 0 || caller.SeesAllJobs()) return absl::OkStatus();
  absl::StatusOr<std::vector<ModuleInfo>> all = options_.store->ListModules();
  if (!all.ok()) return all.status();
  int64_t owned = 0;
  for (const ModuleInfo& info : *all) {
    absl::StatusOr<std::string> record =
        options_.store->GetModuleRecord(info.digest);
    v1::Module module;
    owned += record.ok() && module.ParseFromString(*record) &&
             module.owner() == caller.name;
  }
  if (owned < max) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "'", caller.name, "' has ", owned, " modules stored, the most one user ",
      "may have (the head's --max-modules-per-user); delete some first"));
}

absl::Status ModuleHandler::Delete(absl::string_view digest,
                                   const Caller& caller) {
  absl::StatusOr<bool> has = Has(digest);
  if (!has.ok()) return has.status();
  if (!*has) return absl::NotFoundError(absl::StrCat("no module ", digest));
  if (!caller.SeesAllJobs()) {
    absl::StatusOr<v1::Module> module = Get(digest);
    if (!module.ok()) return module.status();
    if (module->owner() != caller.name) {
      return absl::PermissionDeniedError(
          absl::StrCat("module ", digest,
                       " was uploaded by another user; its owner or "
                       "an admin may delete it"));
    }
  }
  return options_.store->DeleteModule(digest);  // With its record.
}

}  // namespace wasmhpc::server
