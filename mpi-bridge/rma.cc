// One-sided data movement: put, get, the accumulates, fetch-and-op,
// compare-and-swap and their request-based forms. Origin buffers get the
// whole-extent check of every call; target ranges are checked against
// what the bridge recorded of the target's window (win.h).
#include <algorithm>

#include "absl/strings/str_format.h"
#include "mpi-bridge/request_util.h"
#include "mpi-bridge/win.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;

// Dynamic windows: displacements are guest addresses, within 4 GiB.
constexpr int64_t kDynamicSpan = int64_t{1} << 32;

// The host displacement for `count` elements of `type` at displacement
// `disp` in `rank`'s part of `w`, once the bytes touched are known to lie
// inside it. Returns false + MPI_ERR_RMA_RANGE (or RANK, COUNT, TYPE).
bool TargetDisp(Call& c, const WinEntry& w, int32_t rank, int32_t disp,
                int32_t count, const DatatypeEntry& type, MPI_Aint* out) {
  if (rank == abi::kProcNull) {
    *out = disp;
    return true;
  }
  if (rank < 0 || rank >= static_cast<int32_t>(w.targets.size())) {
    c.Fail(abi::kErrRank, absl::StrFormat("target rank %d of a window of %d "
                                          "ranks",
                                          rank, w.targets.size()));
    return false;
  }
  if (!c.Count(count, "target count")) return false;
  if (!type.committed) {
    c.Fail(abi::kErrType, "target datatype is not committed");
    return false;
  }
  const WinTarget& t = w.targets[rank];
  const bool dynamic = w.flavor == abi::kWinFlavorDynamic;
  // A dynamic window's displacement is an address in the target's memory.
  int64_t offset = dynamic ? int64_t{static_cast<uint32_t>(disp)}
                           : int64_t{disp} * t.disp_unit;
  int64_t limit = dynamic ? kDynamicSpan : t.size;
  if (count > 0 && type.size > 0) {
    int64_t span = (int64_t{count} - 1) * type.extent;
    int64_t lo = offset + type.true_lb + std::min<int64_t>(0, span);
    int64_t hi =
        offset + type.true_lb + type.true_extent + std::max<int64_t>(0, span);
    if (lo < 0 || hi > limit) {
      c.Fail(abi::kErrRmaRange,
             absl::StrFormat("target bytes [%d, %d) (displacement %d x unit "
                             "%d) exceed the %d-byte window of rank %d",
                             lo, hi, disp, dynamic ? 1 : t.disp_unit, limit,
                             rank));
      return false;
    }
  }
  *out = dynamic ? static_cast<MPI_Aint>(t.memory_base + offset)
                 : static_cast<MPI_Aint>(disp);
  return true;
}

// An op RMA may apply: predefined (MPI forbids user ops here) and
// arithmetic the host can do on the guest's type.
OpEntry* RmaOp(Call& c, Handle op, const DatatypeEntry& type) {
  OpEntry* o = c.Op(op);
  if (!o) return nullptr;
  if (o->user) {
    c.Fail(abi::kErrOp, "one-sided accumulates take predefined ops only");
    return nullptr;
  }
  if (!type.reducible && op != abi::kReplace && op != abi::kNoOp) {
    c.Fail(abi::kErrOp,
           "the host cannot reduce this datatype (long double "
           "is binary128 on wasm32)");
    return nullptr;
  }
  return o;
}

// The origin side of a transfer: window, origin buffer and types, target.
struct Transfer {
  WinEntry* win = nullptr;
  DatatypeEntry* origin_type = nullptr;
  DatatypeEntry* target_type = nullptr;
  void* origin = nullptr;
  MPI_Aint disp = 0;
};

bool Prepare(Call& c, Handle win, Ptr origin, int32_t count, Handle type,
             int32_t rank, int32_t disp, int32_t target_count,
             Handle target_type, Transfer* t) {
  t->win = c.Win(win);
  t->origin_type = t->win ? c.Datatype(type) : nullptr;
  t->target_type = t->origin_type ? c.Datatype(target_type) : nullptr;
  return t->target_type &&
         c.Buffer(origin, count, *t->origin_type, "origin buffer",
                  &t->origin) &&
         TargetDisp(c, *t->win, rank, disp, target_count, *t->target_type,
                    &t->disp);
}

// Checks the request output slot before the host call and fills it after.
template <typename HostCall>
int32_t WithRequest(Call& c, Ptr request, HostCall host_call) {
  if (!c.Ref<Handle>(request, "request")) return c.error();
  MPI_Request r;
  if (int32_t rc = c.Host(host_call(&r))) return rc;
  return NewRequest(c, r, false, c.Ref<Handle>(request, "request"));
}

int32_t Put(Call& c, Ptr b, int32_t n, Handle t, int32_t rank, int32_t disp,
            int32_t tn, Handle tt, Handle win) {
  Transfer x;
  if (!Prepare(c, win, b, n, t, rank, disp, tn, tt, &x)) return c.error();
  return c.Host(c.mpi().Put(x.origin, n, x.origin_type->host, HostRank(rank),
                            x.disp, tn, x.target_type->host, x.win->host));
}

int32_t Get(Call& c, Ptr b, int32_t n, Handle t, int32_t rank, int32_t disp,
            int32_t tn, Handle tt, Handle win) {
  Transfer x;
  if (!Prepare(c, win, b, n, t, rank, disp, tn, tt, &x)) return c.error();
  return c.Host(c.mpi().Get(x.origin, n, x.origin_type->host, HostRank(rank),
                            x.disp, tn, x.target_type->host, x.win->host));
}

int32_t Rput(Call& c, Ptr b, int32_t n, Handle t, int32_t rank, int32_t disp,
             int32_t tn, Handle tt, Handle win, Ptr request) {
  Transfer x;
  if (!Prepare(c, win, b, n, t, rank, disp, tn, tt, &x)) return c.error();
  return WithRequest(c, request, [&](MPI_Request* r) {
    return c.mpi().Rput(x.origin, n, x.origin_type->host, HostRank(rank),
                        x.disp, tn, x.target_type->host, x.win->host, r);
  });
}

int32_t Rget(Call& c, Ptr b, int32_t n, Handle t, int32_t rank, int32_t disp,
             int32_t tn, Handle tt, Handle win, Ptr request) {
  Transfer x;
  if (!Prepare(c, win, b, n, t, rank, disp, tn, tt, &x)) return c.error();
  return WithRequest(c, request, [&](MPI_Request* r) {
    return c.mpi().Rget(x.origin, n, x.origin_type->host, HostRank(rank),
                        x.disp, tn, x.target_type->host, x.win->host, r);
  });
}

int32_t Accumulate(Call& c, Ptr b, int32_t n, Handle t, int32_t rank,
                   int32_t disp, int32_t tn, Handle tt, Handle op, Handle win) {
  Transfer x;
  if (!Prepare(c, win, b, n, t, rank, disp, tn, tt, &x)) return c.error();
  OpEntry* o = RmaOp(c, op, *x.target_type);
  if (!o) return c.error();
  return c.Host(c.mpi().Accumulate(x.origin, n, x.origin_type->host,
                                   HostRank(rank), x.disp, tn,
                                   x.target_type->host, o->host, x.win->host));
}

int32_t Raccumulate(Call& c, Ptr b, int32_t n, Handle t, int32_t rank,
                    int32_t disp, int32_t tn, Handle tt, Handle op, Handle win,
                    Ptr request) {
  Transfer x;
  if (!Prepare(c, win, b, n, t, rank, disp, tn, tt, &x)) return c.error();
  OpEntry* o = RmaOp(c, op, *x.target_type);
  if (!o) return c.error();
  return WithRequest(c, request, [&](MPI_Request* r) {
    return c.mpi().Raccumulate(x.origin, n, x.origin_type->host, HostRank(rank),
                               x.disp, tn, x.target_type->host, o->host,
                               x.win->host, r);
  });
}

// Get_accumulate's result side.
struct Result {
  DatatypeEntry* type = nullptr;
  void* buffer = nullptr;
  OpEntry* op = nullptr;
};

bool PrepareResult(Call& c, const Transfer& x, Ptr rb, int32_t rn, Handle rt,
                   Handle op, Result* r) {
  r->type = c.Datatype(rt);
  return r->type && c.Buffer(rb, rn, *r->type, "result buffer", &r->buffer) &&
         (r->op = RmaOp(c, op, *x.target_type)) != nullptr;
}

int32_t GetAccumulate(Call& c, Ptr b, int32_t n, Handle t, Ptr rb, int32_t rn,
                      Handle rt, int32_t rank, int32_t disp, int32_t tn,
                      Handle tt, Handle op, Handle win) {
  Transfer x;
  Result r;
  if (!Prepare(c, win, b, n, t, rank, disp, tn, tt, &x) ||
      !PrepareResult(c, x, rb, rn, rt, op, &r)) {
    return c.error();
  }
  return c.Host(
      c.mpi().Get_accumulate(x.origin, n, x.origin_type->host, r.buffer, rn,
                             r.type->host, HostRank(rank), x.disp, tn,
                             x.target_type->host, r.op->host, x.win->host));
}

int32_t RgetAccumulate(Call& c, Ptr b, int32_t n, Handle t, Ptr rb, int32_t rn,
                       Handle rt, int32_t rank, int32_t disp, int32_t tn,
                       Handle tt, Handle op, Handle win, Ptr request) {
  Transfer x;
  Result r;
  if (!Prepare(c, win, b, n, t, rank, disp, tn, tt, &x) ||
      !PrepareResult(c, x, rb, rn, rt, op, &r)) {
    return c.error();
  }
  return WithRequest(c, request, [&](MPI_Request* req) {
    return c.mpi().Rget_accumulate(x.origin, n, x.origin_type->host, r.buffer,
                                   rn, r.type->host, HostRank(rank), x.disp, tn,
                                   x.target_type->host, r.op->host, x.win->host,
                                   req);
  });
}

int32_t FetchAndOp(Call& c, Ptr b, Ptr rb, Handle t, int32_t rank, int32_t disp,
                   Handle op, Handle win) {
  Transfer x;
  Result r;
  if (!Prepare(c, win, b, 1, t, rank, disp, 1, t, &x) ||
      !PrepareResult(c, x, rb, 1, t, op, &r)) {
    return c.error();
  }
  return c.Host(c.mpi().Fetch_and_op(x.origin, r.buffer, x.origin_type->host,
                                     HostRank(rank), x.disp, r.op->host,
                                     x.win->host));
}

int32_t CompareAndSwap(Call& c, Ptr b, Ptr cb, Ptr rb, Handle t, int32_t rank,
                       int32_t disp, Handle win) {
  Transfer x;
  void* compare;
  void* result;
  if (!Prepare(c, win, b, 1, t, rank, disp, 1, t, &x) ||
      !c.Buffer(cb, 1, *x.origin_type, "compare buffer", &compare) ||
      !c.Buffer(rb, 1, *x.origin_type, "result buffer", &result)) {
    return c.error();
  }
  return c.Host(c.mpi().Compare_and_swap(x.origin, compare, result,
                                         x.origin_type->host, HostRank(rank),
                                         x.disp, x.win->host));
}

}  // namespace

void AddRmaOperations(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Put", Put));
  out.push_back(Bind(b, "MPI_Get", Get));
  out.push_back(Bind(b, "MPI_Rput", Rput));
  out.push_back(Bind(b, "MPI_Rget", Rget));
  out.push_back(Bind(b, "MPI_Accumulate", Accumulate));
  out.push_back(Bind(b, "MPI_Raccumulate", Raccumulate));
  out.push_back(Bind(b, "MPI_Get_accumulate", GetAccumulate));
  out.push_back(Bind(b, "MPI_Rget_accumulate", RgetAccumulate));
  out.push_back(Bind(b, "MPI_Fetch_and_op", FetchAndOp));
  out.push_back(Bind(b, "MPI_Compare_and_swap", CompareAndSwap));
}

}  // namespace wasmhpc::mpi
