// wasmhpc-worker: a resident pool of warm Wasm ranks under mpirun.
//   mpirun -np N wasmhpc-worker --head HOST:PORT [--name NAME]
// Rank 0 is the pool controller (controller_main.h), ranks 1..N-1 are
// executors (executor.h). SIGUSR1, SIGUSR2 or SIGTERM at rank 0 drains the
// pool (drain_signals.h); once the head detaches it, every rank finalizes
// MPI and exits 0.
#include <mpi.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/command_line.h"
#include "common/heap_tuning.h"
#include "common/logging.h"
#include "common/version.h"
#include "engine/engine.h"
#include "mpi-bridge/ompi_transport.h"
#include "worker/pool/control_socket.h"
#include "worker/pool/controller_main.h"
#include "worker/pool/drain_signals.h"
#include "worker/pool/executor.h"
#include "worker/pool/worker_options.h"

namespace wasmhpc::pool {
namespace {

// This process's rank as the launcher tells it (before MPI_Init).
int LauncherRank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"}) {
    if (const char* v = std::getenv(name)) return std::atoi(v);
  }
  return 0;
}

// Open MPI makes every wait yield the core (mpi_yield_when_idle) when a
// host has more ranks than slots, which a pool of one rank per core plus
// its controller has. The controller sleeps (it never drives MPI), so
// unless this host has more executors than cores, yielding only slows
// every wait: turn it off, unless the user set it.
void SetYieldForExecutors() {
  const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  if (local == nullptr || std::getenv("OMPI_MCA_mpi_yield_when_idle")) return;
  if (std::atoi(local) - 1 <= get_nprocs()) {
    setenv("OMPI_MCA_mpi_yield_when_idle", "0", /*overwrite=*/0);
  }
}

// Every rank's host name, at rank 0 of `comm` (empty elsewhere).
std::vector<std::string> GatherHosts(MPI_Comm comm) {
  constexpr int kLength = 256;
  char host[kLength] = {};
  gethostname(host, kLength - 1);
  int rank = 0, size = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  std::vector<char> all(rank == 0 ? size_t{kLength} * size : 0);
  MPI_Gather(host, kLength, MPI_CHAR, all.data(), kLength, MPI_CHAR, 0, comm);
  std::vector<std::string> hosts;
  for (int r = 0; rank == 0 && r < size; ++r) {
    hosts.emplace_back(&all[size_t{kLength} * r]);
  }
  return hosts;
}

// Every rank's process id, at rank 0 of `comm` (empty elsewhere).
std::vector<int> GatherPids(MPI_Comm comm) {
  int pid = static_cast<int>(getpid()), rank = 0, size = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  std::vector<int> pids(rank == 0 ? size : 0);
  MPI_Gather(&pid, 1, MPI_INT, pids.data(), 1, MPI_INT, 0, comm);
  return pids;
}

// `text` from `root` to every rank of MPI_COMM_WORLD.
void BroadcastText(std::string* text, int root) {
  uint64_t size = text->size();
  MPI_Bcast(&size, 1, MPI_UINT64_T, root, MPI_COMM_WORLD);
  text->resize(size);
  MPI_Bcast(text->data(), static_cast<int>(size), MPI_CHAR, root,
            MPI_COMM_WORLD);
}

// The control plane (control_socket.h), collective over MPI_COMM_WORLD:
// rank 0 listens and broadcasts where, with a fresh secret; the executors
// connect. On rank 0 the result holds every executor's connection (index:
// rank), on an executor its own at index 0. Every rank gets an error if any
// rank failed.
absl::StatusOr<std::vector<std::unique_ptr<ControlConnection>>>
ConnectControlPlane(int rank, int size) {
  constexpr absl::Duration kConnect = absl::Seconds(30);
  std::unique_ptr<ControlListener> listener;
  std::string addresses, secret;
  absl::Status failed = absl::OkStatus();
  if (rank == 0) {
    absl::StatusOr<std::unique_ptr<ControlListener>> listening =
        ControlListener::Listen();
    if (listening.ok()) {
      listener = *std::move(listening);
      addresses = listener->Addresses();
      secret = NewControlSecret();
    } else {
      failed = listening.status();
    }
  }
  BroadcastText(&addresses, 0);
  BroadcastText(&secret, 0);
  std::vector<std::unique_ptr<ControlConnection>> connections;
  if (rank == 0 && listener) {
    absl::StatusOr<std::vector<std::unique_ptr<ControlConnection>>> accepted =
        listener->AcceptExecutors(size, secret, kConnect);
    if (accepted.ok()) connections = *std::move(accepted);
    if (!accepted.ok()) failed = accepted.status();
  } else if (rank != 0 && !addresses.empty()) {
    absl::StatusOr<std::unique_ptr<ControlConnection>> connected =
        ConnectToController(addresses, rank, secret, kConnect);
    if (connected.ok()) connections.push_back(*std::move(connected));
    if (!connected.ok()) failed = connected.status();
  } else if (rank != 0) {
    failed = absl::UnavailableError("rank 0 could not listen");
  }
  int ok = failed.ok(), all_ok = 0;
  MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (!failed.ok()) {
    return absl::Status(
        failed.code(), absl::StrCat("control connections: ", failed.message()));
  }
  if (!all_ok) return absl::UnavailableError("another rank could not connect");
  return connections;
}

int Controller(const WorkerOptions& options, const std::string& token,
               const ClientTls& tls, const CodeKey* code_key,
               std::vector<std::unique_ptr<ControlConnection>> executors,
               const engine::Engine& engine) {
  std::vector<std::string> hosts = GatherHosts(MPI_COMM_WORLD);
  std::vector<int> pids = GatherPids(MPI_COMM_WORLD);
  ControllerConfig config;
  config.head = options.head;
  config.tls = tls;
  config.executors = std::move(executors);
  config.token = token;
  config.code_key = code_key;
  config.pids = std::move(pids);
  v1::PoolMessage::Hello& hello = config.hello;
  hello.set_name(options.name.empty() ? hosts[0] : options.name);
  hello.set_engine_fingerprint(engine.Fingerprint());
  hello.set_version(Version());
  for (size_t r = 0; r < hosts.size(); ++r) {
    v1::RankInfo* info = hello.add_ranks();
    info->set_rank(static_cast<int>(r));
    info->set_host(hosts[r]);
  }
  return RunController(std::move(config));
}

int Executor(const WorkerOptions& options, const CodeKey* code_key,
             ControlConnection* control, engine::Engine& engine) {
  IgnoreDrainSignals();  // mpirun forwards SIGUSR1/2 to every rank
  GatherHosts(MPI_COMM_WORLD);
  GatherPids(MPI_COMM_WORLD);
  ExecutorOptions executor_options;
  executor_options.engine = &engine;
  executor_options.control = control;
  executor_options.code_key = code_key;
  executor_options.allowed_dirs = options.allow_dirs;
  executor_options.module_cache_entries = options.module_cache;
  executor_options.interruptible_collectives =
      options.interruptible_collectives;
  absl::StatusOr<std::unique_ptr<pool::Executor>> executor =
      pool::Executor::Create(std::move(executor_options));
  if (!executor.ok()) {
    LogError(absl::StrCat("cannot start an executor: ",
                          executor.status().message()));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  (*executor)->Run();
  return 0;
}

int Main(int argc, char** argv) {
  KeepFreedHeapMemory();
  InitLogging("wasmhpc-worker");
  absl::StatusOr<WorkerOptions> options =
      ParseWorkerOptions(std::vector<std::string>(argv, argv + argc));
  if (!options.ok() || !options->exit_text.empty()) {
    if (LauncherRank() == 0 && options.ok()) std::cout << options->exit_text;
    if (LauncherRank() == 0 && !options.ok()) {
      std::cerr << "wasmhpc-worker: " << options.status().message() << "\n"
                << UsageHint("wasmhpc-worker") << "\n";
    }
    return options.ok() ? 0 : 2;
  }
  // Before any thread starts: rank 0 takes these signals on a thread of its
  // own, the executors ignore them.
  BlockDrainSignals();
  // Open MPI 4.1.4's treematch topology component hangs now and then in
  // MPI_Dist_graph_create once a few communicators exist (natively too, see
  // README): a pool's ranks make a communicator per job, so the basic
  // component serves the guests instead, unless the user chose components.
  setenv("OMPI_MCA_topo", "^treematch", /*overwrite=*/0);
  mpi::SetHostMpiDefaults();
  SetYieldForExecutors();
  // MPI_THREAD_SINGLE, as wasmhpc-run: only the main thread calls MPI (the
  // control plane is off MPI). Open MPI 4.1 takes a lock in every call and
  // progress step at any level above single (FUNNELED included).
  int provided = MPI_THREAD_SINGLE;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SINGLE, &provided);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  std::string problem;
  if (size < 2) {
    problem =
        "a pool needs at least 2 ranks (rank 0 controls, the others run jobs)";
  }
  absl::StatusOr<engine::Tier> tier = engine::ParseTier(options->tier);
  if (problem.empty() && !tier.ok())
    problem = std::string(tier.status().message());
  absl::StatusOr<engine::Engine*> engine = absl::UnknownError("not started");
  if (problem.empty()) {
    engine = engine::Engine::Get(
        {.tier = *tier, .max_memory_bytes = options->max_memory_mib << 20});
    if (!engine.ok()) problem = std::string(engine.status().message());
  }
  // Only rank 0 talks to the head: it reads the token and the TLS files and
  // tells the others whether it could.
  absl::StatusOr<std::string> token = std::string();
  absl::StatusOr<ClientTls> tls = ClientTls();
  if (problem.empty() && rank == 0) {
    token = ReadBearerToken(*options, std::getenv("WASMHPC_TOKEN"));
    tls = ReadHeadTls(*options);
    if (token.ok() && !tls.ok()) token = tls.status();
  }
  int token_ok = token.ok();
  MPI_Bcast(&token_ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (problem.empty() && !token_ok) {
    problem = rank == 0 ? std::string(token.status().message()) : "no token";
  }
  // Every rank reads the code key on its own host; all must have it.
  std::optional<CodeKey> code_key;
  std::string key_problem;
  if (problem.empty() && !options->code_key.empty()) {
    absl::StatusOr<CodeKey> key = CodeKey::FromFile(options->code_key);
    if (key.ok()) code_key = *std::move(key);
    if (!key.ok()) key_problem = std::string(key.status().message());
  }
  int key_ok = key_problem.empty(), all_keys_ok = 0;
  MPI_Allreduce(&key_ok, &all_keys_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (!key_problem.empty()) LogError("--code-key: " + key_problem);
  if (problem.empty() && !all_keys_ok) {
    problem = "--code-key: a rank cannot read the code key (see above)";
  }
  if (problem.empty() && rank == 0 && !code_key) {
    LogWarning(
        "no --code-key: this pool compiles every module itself and shares "
        "no compiled code with the head (see deploy/README.md)");
  }
  if (!problem.empty()) {  // the same on every rank
    if (rank == 0) LogError(problem);
    MPI_Finalize();
    return 2;
  }
  absl::StatusOr<std::vector<std::unique_ptr<ControlConnection>>> control =
      ConnectControlPlane(rank, size);
  if (!control.ok()) {
    LogError(std::string(control.status().message()));
    MPI_Finalize();
    return 2;
  }
  const CodeKey* key = code_key ? &*code_key : nullptr;
  int code = rank == 0 ? Controller(*options, *token, *tls, key,
                                    *std::move(control), **engine)
                       : Executor(*options, key, (*control)[0].get(), **engine);
  // Stuck executors never reach MPI_Finalize (which would wait for them):
  // the controller ends the whole pool, for its service to start it again.
  if (code != 0) MPI_Abort(MPI_COMM_WORLD, code);
  MPI_Finalize();
  return code;
}

}  // namespace
}  // namespace wasmhpc::pool

int main(int argc, char** argv) { return wasmhpc::pool::Main(argc, argv); }
