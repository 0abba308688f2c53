#include "worker/run/module_loader.h"

#include <chrono>
#include <future>

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
    case LoadReport::Source::kCompiled:
      return "compiled";
    case LoadReport::Source::kCache:
      return "loaded from cache";
    case LoadReport::Source::kNodePeer:
      return "loaded from node leader";
  }
  return "?";
}

ModuleLoader::ModuleLoader(engine::Engine& engine, std::string cache_dir,
                           std::function<void(std::string)> warn)
    : engine_(engine),
      cache_dir_(std::move(cache_dir)),
      warn_(std::move(warn)) {}

ModuleLoader::~ModuleLoader() = default;

CacheStore* ModuleLoader::CacheForReading() {
  if (cache_ != nullptr || cache_unusable_ || cache_dir_.empty()) {
    return cache_.get();
  }
  absl::StatusOr<std::unique_ptr<CacheStore>> store =
      OpenRocksDbStore({.path = cache_dir_, .read_only = true, .log = Log()});
  if (absl::IsNotFound(store.status())) return nullptr;  // Nothing cached yet.
  return Keep(std::move(store));
}

CacheStore* ModuleLoader::CacheForWriting() {
  if (cache_unusable_ || cache_dir_.empty()) return nullptr;
  if (cache_ != nullptr && !cache_->read_only()) return cache_.get();
  cache_.reset();
  absl::StatusOr<std::unique_ptr<CacheStore>> store =
      OpenRocksDbStore({.path = cache_dir_, .log = Log()});
  // Another process writes it: store nothing this time.
  if (absl::IsUnavailable(store.status())) return nullptr;
  return Keep(std::move(store));
}

std::function<void(absl::string_view)> ModuleLoader::Log() {
  return [this](absl::string_view line) { warn_(std::string(line)); };
}

CacheStore* ModuleLoader::Keep(
    absl::StatusOr<std::unique_ptr<CacheStore>> store) {
  if (!store.ok()) {
    warn_(absl::StrCat("code cache unavailable, running without it: ",
                       store.status().message()));
    cache_unusable_ = true;
    return nullptr;
  }
  cache_ = *std::move(store);
  return cache_.get();
}

void ModuleLoader::Prepare(absl::Span<const uint8_t> bytes) {
  if (lookup_.valid() || !engine::HasWasmMagic(bytes) || cache_dir_.empty()) {
    return;
  }
  // Opening the cache (~1 ms: RocksDB reads its manifest and sets up its
  // column families) and the digest (~0.5 ms per MB) are independent; the
  // read needs both.
  prepared_bytes_ = bytes;
  digested_ = std::async(std::launch::async, [bytes] {
                Stopwatch watch;
                std::string digest = ModuleDigest(bytes);
                return Digested{std::move(digest), watch.Milliseconds()};
              }).share();
  lookup_ = std::async(
      std::launch::async,
      [this, digested = digested_, fingerprint = engine_.Fingerprint()] {
        Lookup lookup;
        Stopwatch watch;
        lookup.cache = CacheForReading();
        lookup.open_milliseconds = watch.Milliseconds();
        if (lookup.cache != nullptr) {
          const std::string& digest = digested.get().digest;
          Stopwatch read_watch;
          lookup.code = lookup.cache->GetCode(digest, fingerprint);
          lookup.read_milliseconds = read_watch.Milliseconds();
        }
        return lookup;
      });
}

absl::StatusOr<std::unique_ptr<engine::Module>> ModuleLoader::Load(
    engine::Store& store, absl::Span<const uint8_t> bytes,
    std::vector<uint8_t>* code, LoadReport* report) {
  Stopwatch watch;
  const bool cacheable = engine::HasWasmMagic(bytes) && !cache_dir_.empty();
  CacheStore* cache = nullptr;
  std::string digest;
  Lookup lookup;
  if (cacheable) {
    if (lookup_.valid() && (prepared_bytes_.data() != bytes.data() ||
                            prepared_bytes_.size() != bytes.size())) {
      lookup_.get();  // Prepared for other bytes: start over.
    }
    Prepare(bytes);
    lookup = lookup_.get();
    const Digested& digested = digested_.get();
    cache = lookup.cache;
    digest = digested.digest;
    report->open_milliseconds = lookup.open_milliseconds;
    report->digest_milliseconds = digested.milliseconds;
    report->read_milliseconds = lookup.read_milliseconds;
    report->wait_milliseconds = watch.Milliseconds();
  }
  std::string fingerprint = engine_.Fingerprint();
  if (cache) {
    const absl::StatusOr<SharedBytes>& cached = lookup.code;
    if (cached.ok()) {
      const double compile_start = watch.Milliseconds();
      auto module =
          engine::Module::CompileWithCache(store, bytes, cached->span());
      report->compile_milliseconds = watch.Milliseconds() - compile_start;
      if (module.ok() && (*module)->from_cache()) {
        if (code) code->assign(cached->span().begin(), cached->span().end());
        report->source = LoadReport::Source::kCache;
        report->milliseconds = watch.Milliseconds();
        return module;
      }
    }
  }
  const double compile_start = watch.Milliseconds();
  absl::StatusOr<std::unique_ptr<engine::Module>> module =
      engine::Module::Compile(store, bytes);
  if (!module.ok()) return module;
  report->compile_milliseconds = watch.Milliseconds() - compile_start;
  report->source = LoadReport::Source::kCompiled;
  report->milliseconds = watch.Milliseconds();
  std::vector<uint8_t> serialized;
  if (code == nullptr) code = &serialized;
  if (engine_.options().tier == engine::Tier::kTurbofan &&
      (cacheable || code != &serialized)) {
    *code = (*module)->Serialize();
  }
  if (cacheable && !code->empty() && (cache = CacheForWriting()) != nullptr) {
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
    engine::Store& store, absl::Span<const uint8_t> bytes,
    absl::Span<const uint8_t> code, LoadReport* report) {
  Stopwatch watch;
  auto module = code.empty()
                    ? engine::Module::Compile(store, bytes)
                    : engine::Module::CompileWithCache(store, bytes, code);
  if (module.ok()) {
    *report = {};
    report->source = (*module)->from_cache() ? LoadReport::Source::kNodePeer
                                             : LoadReport::Source::kCompiled;
    report->milliseconds = watch.Milliseconds();
    report->compile_milliseconds = report->milliseconds;
  }
  return module;
}

}  // namespace wasmhpc::run
