// TestHead: the head's handlers over one CacheStore, with a FakeClock and a
// FakeModuleCompiler, for the server unit tests. Making a second TestHead
// over the same store is a head restart.
#ifndef WASMHPC_SERVER_HANDLERS_HEAD_TEST_FIXTURE_H_
#define WASMHPC_SERVER_HANDLERS_HEAD_TEST_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "cache-store/memory_store.h"
#include "gtest/gtest.h"
#include "server/handlers/fake_module_compiler.h"
#include "server/handlers/fake_pool.h"
#include "server/handlers/job_handler.h"
#include "server/handlers/module_handler.h"
#include "server/handlers/pool_handler.h"
#include "server/handlers/scheduler.h"

namespace wasmhpc::server {

// A valid Wasm binary that imports env.<name> () -> () for each name.
inline std::string TinyModule(const std::vector<std::string>& imports) {
  auto leb = [](std::string* out, uint32_t v) {
    do {
      uint8_t byte = v & 0x7f;
      v >>= 7;
      out->push_back(static_cast<char>(byte | (v ? 0x80 : 0)));
    } while (v);
  };
  std::string types = {1, 0x60, 0, 0};  // One type: () -> ().
  std::string body;
  leb(&body, imports.size());
  for (const std::string& name : imports) {
    leb(&body, 3);
    body += "env";
    leb(&body, name.size());
    body += name;
    body.push_back(0);  // Function...
    body.push_back(0);  // ...of type 0.
  }
  std::string out("\0asm\x01\0\0\0", 8);
  out.push_back(1);
  leb(&out, types.size());
  out += types;
  out.push_back(2);
  leb(&out, body.size());
  out += body;
  return out;
}

struct TestHead {
  // `clock` and `store` outlive the head.
  TestHead(CacheStore* store, FakeClock* clock,
           std::vector<std::string> allow_dirs = {},
           int64_t max_jobs_per_owner = 1000,
           int64_t max_modules_per_owner = 1000) {
    SchedulerOptions options;
    options.max_active_jobs_per_owner = max_jobs_per_owner;
    options.store = store;
    options.clock = clock;
    options.stop_grace = absl::Seconds(10);
    options.pool_id_prefix = "pool-test";
    options.log = [](const std::string&) {};
    absl::StatusOr<std::unique_ptr<Scheduler>> made =
        Scheduler::Create(std::move(options));
    EXPECT_TRUE(made.ok()) << made.status();
    scheduler = *std::move(made);
    ModuleHandlerOptions module_options;
    module_options.store = store;
    module_options.compiler = &compiler;
    module_options.clock = clock;
    module_options.max_module_bytes = 1 << 20;
    module_options.max_modules_per_owner = max_modules_per_owner;
    modules = std::make_unique<ModuleHandler>(std::move(module_options));
    JobHandlerOptions job_options;
    job_options.scheduler = scheduler.get();
    job_options.store = store;
    absl::StatusOr<AllowedDirs> allowed = AllowedDirs::Create(allow_dirs);
    EXPECT_TRUE(allowed.ok()) << allowed.status();
    job_options.allowed_dirs = *std::move(allowed);
    jobs = std::make_unique<JobHandler>(std::move(job_options));
    PoolHandlerOptions pool_options;
    pool_options.scheduler = scheduler.get();
    pool_options.store = store;
    pool_options.log = [](const std::string&) {};
    pool_options.code_key = &code_key;
    pools = std::make_unique<PoolHandler>(std::move(pool_options));
  }

  // Uploads `bytes` in chunks of 7 bytes as `caller`; returns the digest.
  std::string Upload(const std::string& bytes, const std::string& name = "m",
                     const Caller& caller = Caller::Local()) {
    std::unique_ptr<ModuleHandler::Upload> upload =
        modules->StartUpload(caller);
    v1::UploadModuleRequest part;
    part.mutable_header()->set_name(name);
    EXPECT_TRUE(upload->Add(part).ok());
    for (size_t at = 0; at < bytes.size(); at += 7) {
      part.set_chunk(bytes.substr(at, 7));
      EXPECT_TRUE(upload->Add(part).ok());
    }
    absl::StatusOr<v1::UploadModuleResponse> done = upload->Finish();
    EXPECT_TRUE(done.ok()) << done.status();
    return done.ok() ? done->module().digest() : "";
  }

  v1::JobSpec Spec(const std::string& digest, int ranks) {
    v1::JobSpec spec;
    spec.set_module_digest(digest);
    spec.set_ranks(ranks);
    return spec;
  }

  FakeModuleCompiler compiler;
  CodeKey code_key = CodeKey::FromBytes(std::string(32, 'k'));
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<ModuleHandler> modules;
  std::unique_ptr<JobHandler> jobs;
  std::unique_ptr<PoolHandler> pools;
};

// A test with a TestHead over a memory store, one tiny module uploaded
// (digest_) and a FakePool to attach (pool_).
class HeadTest : public ::testing::Test {
 protected:
  std::unique_ptr<CacheStore> store_ = NewMemoryStore();
  FakeClock clock_;
  std::unique_ptr<TestHead> head_ =
      std::make_unique<TestHead>(store_.get(), &clock_);
  std::string digest_ = head_->Upload(TinyModule({"MPI_Init"}));
  FakePool pool_{head_->pools.get()};
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_HEAD_TEST_FIXTURE_H_
