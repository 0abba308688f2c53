// Windows: creation (create, allocate, dynamic + attach/detach), free and
// synchronization (fence, PSCW, passive target locks, flush, sync). See
// win.h.
#include "mpi-bridge/win.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "mpi-bridge/errhandler.h"
#include "mpi-bridge/guest_data.h"
#include "mpi-bridge/info.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;

// Host address of guest address 0.
uint64_t MemoryBase(Call& c) {
  return reinterpret_cast<uintptr_t>(c.host().memory().Data(0, 0));
}

int32_t HostModel(int host) {
  return host == MPI_WIN_SEPARATE ? abi::kWinSeparate : abi::kWinUnified;
}

// Records each rank's window size, displacement unit and memory base.
int32_t GatherTargets(Call& c, const CommEntry& cm, WinEntry& w) {
  int64_t mine[3] = {w.size, w.disp_unit, static_cast<int64_t>(MemoryBase(c))};
  std::vector<int64_t> all(3 * static_cast<size_t>(cm.size));
  if (int32_t rc = c.Host(c.mpi().Allgather(mine, 3, MPI_INT64_T, all.data(), 3,
                                            MPI_INT64_T, cm.host))) {
    return rc;
  }
  w.targets.resize(cm.size);
  for (int32_t r = 0; r < cm.size; ++r) {
    w.targets[r] = {.size = all[3 * r],
                    .disp_unit = all[3 * r + 1],
                    .memory_base = static_cast<uint64_t>(all[3 * r + 2])};
  }
  return abi::kSuccess;
}

// Creates the host window over `host_base` (null: dynamic) and stores the
// entry under a new guest handle at *out. Collective over `comm`.
int32_t NewWindow(Call& c, Handle comm, Handle info, void* host_base,
                  std::shared_ptr<WinEntry> w, Handle* out) {
  CommEntry* cm = c.Comm(comm);
  MPI_Info host_info;
  if (!cm || !HostInfoOf(c, info, &host_info)) return c.error();
  if (int32_t rc = GatherTargets(c, *cm, *w)) return rc;
  if (cm->size > 1) {
    if (int32_t rc = c.Host(c.mpi().Comm_dup(cm->host, &w->sync))) return rc;
  }
  int rc = w->flavor == abi::kWinFlavorDynamic
               ? c.mpi().Win_create_dynamic(host_info, cm->host, &w->host)
               : c.mpi().Win_create(host_base, w->size, w->disp_unit, host_info,
                                    cm->host, &w->host);
  if (rc != MPI_SUCCESS && w->sync != MPI_COMM_NULL) {
    c.mpi().Comm_free(&w->sync);
  }
  if (int32_t err = c.Host(rc)) return err;
  w->serial = c.bridge().windows_and_files().NextSerial();
  c.mpi().Win_set_errhandler(w->host, MPI_ERRORS_RETURN);
  int* model = nullptr;
  int flag = 0;
  if (c.mpi().Win_get_attr(w->host, MPI_WIN_MODEL, &model, &flag) ==
          MPI_SUCCESS &&
      flag && model) {
    w->model = HostModel(*model);
  }
  std::optional<Handle> h = c.bridge().wins().Insert(w);
  if (!h) {
    c.mpi().Win_free(&w->host);
    if (w->sync != MPI_COMM_NULL) c.mpi().Comm_free(&w->sync);
    return c.Fail(abi::kErrNoMem, "too many windows");
  }
  *out = *h;
  return abi::kSuccess;
}

bool CheckShape(Call& c, int32_t size, int32_t disp_unit) {
  if (size < 0) {
    c.Fail(abi::kErrSize, absl::StrFormat("negative window size %d", size));
    return false;
  }
  if (disp_unit <= 0) {
    c.Fail(abi::kErrDisp,
           absl::StrFormat("displacement unit %d is not positive", disp_unit));
    return false;
  }
  return true;
}

// MPI_Win_create(base, size, disp_unit, info, comm, win)
int32_t WinCreate(Call& c, Ptr base, int32_t size, int32_t disp_unit,
                  Handle info, Handle comm, Ptr win) {
  if (!c.Comm(comm)) return c.error();
  Handle* out = c.Ref<Handle>(win, "win");
  if (!out || !CheckShape(c, size, disp_unit)) return c.error();
  // A zero-size window may have any base; nothing of it is accessed.
  Ptr checked =
      size == 0 ? std::min<uint64_t>(base, c.host().memory().size()) : base;
  void* host_base = c.Bytes(checked, size, "window");
  if (!host_base) return c.error();
  auto w = std::make_shared<WinEntry>(
      WinEntry{.base = base, .size = size, .disp_unit = disp_unit});
  return NewWindow(c, comm, info, host_base, std::move(w), out);
}

// MPI_Win_allocate(size, disp_unit, info, comm, baseptr, win): the memory
// comes from the guest's malloc.
int32_t WinAllocate(Call& c, int32_t size, int32_t disp_unit, Handle info,
                    Handle comm, Ptr baseptr, Ptr win) {
  if (!c.Comm(comm)) return c.error();
  Handle* out = c.Ref<Handle>(win, "win");
  if (!out || !c.Ref<Ptr>(baseptr, "baseptr") ||
      !CheckShape(c, size, disp_unit)) {
    return c.error();
  }
  absl::StatusOr<Ptr> base =
      GuestMalloc(c.host(), static_cast<uint32_t>(std::max(size, 1)));
  if (!base.ok()) {
    if (absl::IsAborted(base.status())) {
      return c.Trap(std::string(base.status().message()));
    }
    return c.Fail(abi::kErrNoMem, std::string(base.status().message()));
  }
  // malloc may have grown memory; the base stays, the refs are re-read.
  void* host_base = c.Bytes(*base, size, "window");
  out = c.Ref<Handle>(win, "win");
  if (!host_base || !out) return c.error();
  auto w =
      std::make_shared<WinEntry>(WinEntry{.flavor = abi::kWinFlavorAllocate,
                                          .base = *base,
                                          .size = size,
                                          .disp_unit = disp_unit,
                                          .allocated = true});
  if (int32_t rc = NewWindow(c, comm, info, host_base, w, out)) {
    GuestFree(c.host(), *base).IgnoreError();
    return rc;
  }
  return c.Write<Ptr>(baseptr, *base, "baseptr") ? abi::kSuccess : c.error();
}

// MPI_Win_create_dynamic(info, comm, win)
int32_t WinCreateDynamic(Call& c, Handle info, Handle comm, Ptr win) {
  if (!c.Comm(comm)) return c.error();
  Handle* out = c.Ref<Handle>(win, "win");
  if (!out) return c.error();
  auto w = std::make_shared<WinEntry>(
      WinEntry{.flavor = abi::kWinFlavorDynamic, .base = 0, .size = 0});
  return NewWindow(c, comm, info, nullptr, std::move(w), out);
}

WinEntry* DynamicWin(Call& c, Handle win) {
  WinEntry* w = c.Win(win);
  if (w && w->flavor != abi::kWinFlavorDynamic) {
    c.Fail(abi::kErrRmaFlavor,
           absl::StrFormat("window 0x%x is not a dynamic window", win));
    return nullptr;
  }
  return w;
}

// MPI_Win_attach(win, base, size)
int32_t WinAttach(Call& c, Handle win, Ptr base, int32_t size) {
  WinEntry* w = DynamicWin(c, win);
  if (!w) return c.error();
  if (size < 0) {
    return c.Fail(abi::kErrSize, absl::StrFormat("negative size %d", size));
  }
  void* host = c.Bytes(base, size, "attached memory");
  if (!host) return c.error();
  return c.Host(c.mpi().Win_attach(w->host, host, size));
}

// MPI_Win_detach(win, base)
int32_t WinDetach(Call& c, Handle win, Ptr base) {
  WinEntry* w = DynamicWin(c, win);
  void* host = w ? c.Bytes(base, 0, "attached memory") : nullptr;
  if (!host) return c.error();
  return c.Host(c.mpi().Win_detach(w->host, host));
}

int32_t WinFree(Call& c, Ptr win) {
  Handle* slot = c.Ref<Handle>(win, "win");
  if (!slot || !c.Win(*slot)) return c.error();
  if (int32_t rc = FreeWindow(c, *slot)) return rc;
  return c.Write<Handle>(win, abi::kWinNull, "win") ? abi::kSuccess : c.error();
}

// ---- Synchronization ----

bool Assert(Call& c, int32_t guest, int* host) {
  std::optional<int> a = HostRmaAssert(guest);
  if (!a) {
    c.Fail(abi::kErrArg, absl::StrFormat("invalid RMA assertion 0x%x", guest));
    return false;
  }
  *host = *a;
  return true;
}

// Where a stop can end the transport's waits, a barrier comes first: once
// every rank has passed it, the host fence waits for nobody.
int32_t WinFence(Call& c, int32_t assert, Handle win) {
  WinEntry* w = c.Win(win);
  int mode;
  if (!w || !Assert(c, assert, &mode)) return c.error();
  if (w->sync != MPI_COMM_NULL && c.mpi().stoppable()) {
    if (int32_t rc = c.Host(c.mpi().Barrier(w->sync))) return rc;
  }
  return c.Host(c.mpi().Win_fence(mode, w->host));
}

// PSCW where a stop can end waits: the host MPI_Win_start (or _complete)
// waits for the targets' MPI_Win_post, which a stopped target never makes.
// So a target, once posted, also sends an empty message to each origin of
// its group on the window's sync communicator, and an origin receives one
// from each target (a wait a stop ends) before the host MPI_Win_start: the
// host then waits only for posts already made. Tag: sync communicators
// carry nothing else point to point.
constexpr int kPostedTag = 0x5057;

bool NotifiesPosts(Call& c, const WinEntry& w) {
  return w.sync != MPI_COMM_NULL && c.mpi().stoppable();
}

// The ranks of `group` in the window's communicator (MPI_UNDEFINED for a
// process outside it).
int32_t WindowRanks(Call& c, const WinEntry& w, MPI_Group group,
                    std::vector<int>* ranks) {
  int n = 0;
  MPI_Group window_group;
  if (int32_t rc = c.Host(c.mpi().Group_size(group, &n))) return rc;
  if (int32_t rc = c.Host(c.mpi().Win_get_group(w.host, &window_group))) {
    return rc;
  }
  std::vector<int> in(n);
  for (int i = 0; i < n; ++i) in[i] = i;
  ranks->resize(n);
  int32_t rc = c.Host(c.mpi().Group_translate_ranks(
      group, n, in.data(), window_group, ranks->data()));
  c.mpi().Group_free(&window_group);
  return rc;
}

// MPI_Win_post / MPI_Win_start(group, assert, win)
template <bool kPost>
int32_t WinExpose(Call& c, Handle group, int32_t assert, Handle win) {
  WinEntry* w = c.Win(win);
  GroupEntry* g = w ? c.Group(group) : nullptr;
  int mode;
  if (!g || !Assert(c, assert, &mode)) return c.error();
  std::vector<int> peers;
  if (NotifiesPosts(c, *w)) {
    if (int32_t rc = WindowRanks(c, *w, g->host, &peers)) return rc;
  }
  static char nothing;
  if (!kPost) {
    for (int peer : peers) {
      if (peer == MPI_UNDEFINED) continue;
      if (int32_t rc =
              c.Host(c.mpi().Recv(&nothing, 0, MPI_BYTE, peer, kPostedTag,
                                  w->sync, MPI_STATUS_IGNORE))) {
        return rc;
      }
    }
    return c.Host(c.mpi().Win_start(g->host, mode, w->host));
  }
  if (int32_t rc = c.Host(c.mpi().Win_post(g->host, mode, w->host))) return rc;
  for (int peer : peers) {
    if (peer == MPI_UNDEFINED) continue;
    if (int32_t rc = c.Host(
            c.mpi().Send(&nothing, 0, MPI_BYTE, peer, kPostedTag, w->sync))) {
      return rc;
    }
  }
  return abi::kSuccess;
}

// MPI_Win_complete, wait, unlock_all, flush_all, flush_local_all, sync.
template <int (MpiTransport::*kMethod)(MPI_Win)>
int32_t WinOnly(Call& c, Handle win) {
  WinEntry* w = c.Win(win);
  return w ? c.Host((c.mpi().*kMethod)(w->host)) : c.error();
}

// MPI_Win_unlock, flush, flush_local(rank, win).
template <int (MpiTransport::*kMethod)(int, MPI_Win)>
int32_t WinRank(Call& c, int32_t rank, Handle win) {
  WinEntry* w = c.Win(win);
  return w ? c.Host((c.mpi().*kMethod)(HostRank(rank), w->host)) : c.error();
}

int32_t WinTest(Call& c, Handle win, Ptr flag) {
  WinEntry* w = c.Win(win);
  int32_t* out = w ? c.Ref<int32_t>(flag, "flag") : nullptr;
  if (!out) return c.error();
  int host_flag = 0;
  if (int32_t rc = c.Host(c.mpi().Win_test(w->host, &host_flag))) return rc;
  *c.Ref<int32_t>(flag, "flag") = host_flag;
  return abi::kSuccess;
}

int32_t WinLock(Call& c, int32_t lock_type, int32_t rank, int32_t assert,
                Handle win) {
  WinEntry* w = c.Win(win);
  int mode;
  if (!w || !Assert(c, assert, &mode)) return c.error();
  int type;
  switch (lock_type) {
    case abi::kLockExclusive:
      type = MPI_LOCK_EXCLUSIVE;
      break;
    case abi::kLockShared:
      type = MPI_LOCK_SHARED;
      break;
    default:
      return c.Fail(abi::kErrLocktype,
                    absl::StrFormat("invalid lock type %d", lock_type));
  }
  return c.Host(c.mpi().Win_lock(type, HostRank(rank), mode, w->host));
}

int32_t WinLockAll(Call& c, int32_t assert, Handle win) {
  WinEntry* w = c.Win(win);
  int mode;
  if (!w || !Assert(c, assert, &mode)) return c.error();
  return c.Host(c.mpi().Win_lock_all(mode, w->host));
}

}  // namespace

// Attributes' delete callbacks first, then the host window and its sync
// communicator, then MPI_Win_allocate's memory.
int32_t FreeWindow(Call& c, Handle h) {
  if (int32_t rc = ReleaseWinAttributes(c, h)) return rc;
  WinEntry* w = c.Win(h);
  if (!w) return c.error();
  if (int32_t rc = c.Host(c.mpi().Win_free(&w->host))) return rc;
  if (w->sync != MPI_COMM_NULL) c.mpi().Comm_free(&w->sync);
  std::shared_ptr<WinEntry> gone = *c.bridge().wins().Find(h);
  c.bridge().wins().Erase(h);
  DropErrhandlerIfUnused(c.bridge(), gone->errhandler);
  if (gone->allocated) GuestFree(c.host(), gone->base).IgnoreError();
  return abi::kSuccess;
}

std::optional<int> HostRmaAssert(int32_t guest) {
  const std::pair<int32_t, int> bits[] = {
      {abi::kModeNocheck, MPI_MODE_NOCHECK},
      {abi::kModeNoprecede, MPI_MODE_NOPRECEDE},
      {abi::kModeNoput, MPI_MODE_NOPUT},
      {abi::kModeNostore, MPI_MODE_NOSTORE},
      {abi::kModeNosucceed, MPI_MODE_NOSUCCEED}};
  int host = 0;
  for (auto [g, h] : bits) {
    if (guest & g) {
      host |= h;
      guest &= ~g;
    }
  }
  if (guest != 0) return std::nullopt;
  return host;
}

bool WinErrhandlerInUse(Bridge& b, Handle h) {
  bool used = false;
  b.wins().ForEachUser([&](Handle, const std::shared_ptr<WinEntry>& w) {
    used |= w->errhandler == h;
  });
  return used;
}

void AddWindows(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Win_create", WinCreate));
  out.push_back(Bind(b, "MPI_Win_allocate", WinAllocate));
  out.push_back(Bind(b, "MPI_Win_create_dynamic", WinCreateDynamic));
  out.push_back(Bind(b, "MPI_Win_attach", WinAttach));
  out.push_back(Bind(b, "MPI_Win_detach", WinDetach));
  out.push_back(Bind(b, "MPI_Win_free", WinFree));
  out.push_back(Bind(b, "MPI_Win_fence", WinFence));
  out.push_back(Bind(b, "MPI_Win_post", WinExpose<true>));
  out.push_back(Bind(b, "MPI_Win_start", WinExpose<false>));
  out.push_back(
      Bind(b, "MPI_Win_complete", WinOnly<&MpiTransport::Win_complete>));
  out.push_back(Bind(b, "MPI_Win_wait", WinOnly<&MpiTransport::Win_wait>));
  out.push_back(Bind(b, "MPI_Win_test", WinTest));
  out.push_back(Bind(b, "MPI_Win_lock", WinLock));
  out.push_back(Bind(b, "MPI_Win_lock_all", WinLockAll));
  out.push_back(Bind(b, "MPI_Win_unlock", WinRank<&MpiTransport::Win_unlock>));
  out.push_back(
      Bind(b, "MPI_Win_unlock_all", WinOnly<&MpiTransport::Win_unlock_all>));
  out.push_back(Bind(b, "MPI_Win_flush", WinRank<&MpiTransport::Win_flush>));
  out.push_back(
      Bind(b, "MPI_Win_flush_all", WinOnly<&MpiTransport::Win_flush_all>));
  out.push_back(
      Bind(b, "MPI_Win_flush_local", WinRank<&MpiTransport::Win_flush_local>));
  out.push_back(Bind(b, "MPI_Win_flush_local_all",
                     WinOnly<&MpiTransport::Win_flush_local_all>));
  out.push_back(Bind(b, "MPI_Win_sync", WinOnly<&MpiTransport::Win_sync>));
  AddRmaOperations(b, out);
  AddWinAttributes(b, out);
}

}  // namespace wasmhpc::mpi
