#include "worker/run/module_loader.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "cache-store/cache_store.h"
#include "cache-store/module_digest.h"
#include "cache-store/rocksdb_store.h"

namespace wasmhpc::run {
namespace {

class Stopwatch {
 public:
  double Milliseconds() const {
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now() - start_)
        .count();
  }

 private:
  std::chrono::steady_clock::time_point start_ =
      std::chrono::steady_clock::now();
};

}  // namespace

const char* ToString(LoadReport::Source source) {
  switch (source) {
    case LoadReport::Source::kCompiled: return "compiled";
    case LoadReport::Source::kCache: return "loaded from cache";
    case LoadReport::Source::kNodePeer: return "loaded from node leader";
  }
  return "?";
}

ModuleLoader::ModuleLoader(engine::Engine& engine, engine::Store& store,
                           std::string cache_dir,
                           std::function<void(std::string)> warn)
    : engine_(engine),
      store_(store),
      cache_dir_(std::move(cache_dir)),
      warn_(std::move(warn)) {}

ModuleLoader::~ModuleLoader() = default;

CacheStore* ModuleLoader::Cache() {
  if (cache_tried_ || cache_dir_.empty()) return cache_.get();
  cache_tried_ = true;
  auto log = [this](absl::string_view line) { warn_(std::string(line)); };
  absl::StatusOr<std::unique_ptr<CacheStore>> store =
      OpenRocksDbStore({.path = cache_dir_, .log = log});
  if (!store.ok() && absl::IsUnavailable(store.status())) {
    // Another process writes it: read what it has, store nothing.
    store = OpenRocksDbStore({.path = cache_dir_, .read_only = true, .log = log});
  }
  if (!store.ok()) {
    warn_(absl::StrCat("code cache unavailable, running without it: ",
                       store.status().message()));
    return nullptr;
  }
  cache_ = *std::move(store);
  return cache_.get();
}

absl::StatusOr<std::unique_ptr<engine::Module>> ModuleLoader::Load(
    absl::Span<const uint8_t> bytes, std::vector<uint8_t>* code,
    LoadReport* report) {
  CacheStore* cache = engine::HasWasmMagic(bytes) ? Cache() : nullptr;
  Stopwatch watch;  // opening the cache is not part of the load
  std::string digest = cache ? ModuleDigest(bytes) : "";
  std::string fingerprint = engine_.Fingerprint();
  if (cache) {
    absl::StatusOr<SharedBytes> cached = cache->GetCode(digest, fingerprint);
    report->lookup_milliseconds = watch.Milliseconds();
    if (cached.ok()) {
      auto module =
          engine::Module::CompileWithCache(store_, bytes, cached->span());
      if (module.ok() && (*module)->from_cache()) {
        if (code) code->assign(cached->span().begin(), cached->span().end());
        report->source = LoadReport::Source::kCache;
        report->milliseconds = watch.Milliseconds();
        return module;
      }
    }
  }
  absl::StatusOr<std::unique_ptr<engine::Module>> module =
      engine::Module::Compile(store_, bytes);
  if (!module.ok()) return module;
  report->source = LoadReport::Source::kCompiled;
  report->milliseconds = watch.Milliseconds();
  std::vector<uint8_t> serialized;
  if (code == nullptr) code = &serialized;
  if (engine_.options().tier == engine::Tier::kTurbofan &&
      (cache || code != &serialized)) {
    *code = (*module)->Serialize();
  }
  if (cache && !cache->read_only() && !code->empty()) {
    absl::Status put = cache->PutCode(
        digest, fingerprint,
        absl::string_view(reinterpret_cast<const char*>(code->data()),
                          code->size()));
    if (!put.ok()) {
      warn_(absl::StrCat("could not store compiled code in the cache: ",
                         put.message()));
    }
  }
  return module;
}

absl::StatusOr<std::unique_ptr<engine::Module>> ModuleLoader::LoadFromPeer(
    absl::Span<const uint8_t> bytes, absl::Span<const uint8_t> code,
    LoadReport* report) {
  Stopwatch watch;
  auto module = code.empty()
                    ? engine::Module::Compile(store_, bytes)
                    : engine::Module::CompileWithCache(store_, bytes, code);
  if (module.ok()) {
    *report = {(*module)->from_cache() ? LoadReport::Source::kNodePeer
                                       : LoadReport::Source::kCompiled,
               watch.Milliseconds()};
  }
  return module;
}

}  // namespace wasmhpc::run
