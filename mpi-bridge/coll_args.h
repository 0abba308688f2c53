// Argument translation shared by the collectives (coll.cc, coll_reduce.cc):
// communicator shape and root roles, buffer sides with MPI_IN_PLACE and
// root-only significance, -v/-w block arrays, and one core per collective
// bound as both its blocking and its nonblocking import.
//
// Arguments that are not significant on a rank (the receive side of a
// gather off the root, ...) are never checked: the host gets a null
// buffer, the count, and the datatype if the handle is valid (else
// MPI_DATATYPE_NULL). MPI_IN_PLACE is turned into the host's only where
// the standard allows it; anywhere else it is an MPI_ERR_BUFFER error
// (the host would read address 1).
//
// Count, displacement and datatype arrays are copied into host arrays
// (HostArgs) before any block is checked: the guest cannot widen what the
// host touches by changing them during the call (from a user op) or
// before a nonblocking call completes; the request keeps the copies.
#ifndef WASMHPC_MPI_BRIDGE_COLL_ARGS_H_
#define WASMHPC_MPI_BRIDGE_COLL_ARGS_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "mpi-bridge/call.h"
#include "mpi-bridge/op.h"
#include "mpi-bridge/request_util.h"

namespace wasmhpc::mpi::coll {

using abi::Handle;
using abi::Ptr;

// The communicator of a collective and how many blocks a buffer holding
// one block per process has: the comm size, or the remote group's size on
// an intercommunicator.
struct Shape {
  CommEntry* comm = nullptr;
  bool inter = false;
  int32_t peers = 0;
};
bool LoadShape(Call& c, Handle comm, Shape* s);

// What a rank does in a rooted collective. Intracommunicator: kRoot at
// rank `root`, kLeaf elsewhere. Intercommunicator: kRoot for MPI_ROOT,
// kNone for MPI_PROC_NULL (the root's group), kLeaf in the other group.
enum class Role { kRoot, kLeaf, kNone };
bool LoadRole(Call& c, const Shape& s, int32_t root, Role* role);

// Which sides of a rooted collective are significant here: the root side
// (one block per peer: gather's recvbuf, scatter's sendbuf) and the leaf
// side (one block: gather's sendbuf, scatter's recvbuf, reduce's
// sendbuf). `in_place`: the root passed MPI_IN_PLACE as its leaf buffer.
struct Rooted {
  bool root_side = false;
  bool leaf_side = false;
  bool in_place = false;
};
bool LoadRooted(Call& c, const Shape& s, Role role, Ptr leaf_buf,
                const char* leaf_what, Rooted* r);

// True if `buf` is MPI_IN_PLACE, which the caller allows on
// intracommunicators only; false + error on an intercommunicator.
bool InPlace(Call& c, const Shape& s, Ptr buf, bool* in_place);

// Host arrays of a collective; a nonblocking request keeps them alive.
struct HostArgs {
  struct Arrays {
    std::vector<int> counts, displs;
    std::vector<MPI_Datatype> types;
  };
  Arrays send, recv;
  std::shared_ptr<UserOp> op;  // a user op the host may still call
};

// One side as the host gets it.
struct Side {
  void* buf = nullptr;
  int count = 0;
  MPI_Datatype type = MPI_DATATYPE_NULL;
  const int* counts = nullptr;          // -v, -w
  const int* displs = nullptr;          // -v: elements; -w: bytes
  const MPI_Datatype* types = nullptr;  // -w
};

// `count * blocks` elements of `type` at `buf`. Not significant: only
// count and type pass (see the file comment).
bool LoadPlain(Call& c, bool significant, Ptr buf, int32_t count, Handle type,
               int64_t blocks, const char* what, Side* s);

// -v: n blocks, counts[i] elements of `type` at buf + displs[i] * extent.
bool LoadV(Call& c, bool significant, Ptr buf, Ptr counts, Ptr displs,
           int32_t n, Handle type, const char* what, HostArgs::Arrays* a,
           Side* s);

// -w: n blocks, counts[i] elements of types[i] at buf + displs[i] bytes.
bool LoadW(Call& c, Ptr buf, Ptr counts, Ptr displs, Ptr types, int32_t n,
           const char* what, HostArgs::Arrays* a, Side* s);

// Copies n guest counts into `out`; false + error if one is negative.
// `total`: their sum.
bool LoadCounts(Call& c, Ptr counts, int32_t n, const char* what,
                std::vector<int>* out, int64_t* total);

// Datatype and op of a reduction, and the host op that computes it: the
// op's own, or for the guest's long double family (binary128 on wasm32) a
// binary128 host op (binary128_ops.h). False + error for another type that
// is not reducible. A user op learns the guest's handle for the host type.
bool LoadReduction(Call& c, Handle type, Handle op, DatatypeEntry** t,
                   OpEntry** o, MPI_Op* host_op);

// A nonblocking call in progress: the guest's request and what the host
// request keeps alive.
struct Pending {
  Handle* out = nullptr;
  std::shared_ptr<HostArgs> keep;
};

// Runs the blocking host function, or starts the nonblocking one and
// stores its request under a new guest handle.
template <auto kBlocking, auto kNonblocking, typename... A>
int32_t Issue(Call& c, Pending* p, A... args) {
  if (p == nullptr) return c.Host((c.mpi().*kBlocking)(args...));
  MPI_Request r;
  if (int32_t rc = c.Host((c.mpi().*kNonblocking)(args..., &r))) return rc;
  if (int32_t rc = NewRequest(c, r, false, p->out)) return rc;
  c.bridge().requests().Find(*p->out)->keep_alive = p->keep;
  return abi::kSuccess;
}

// A collective written once as `int32_t Core(Call&, Pending*, A...)`
// (Pending null when blocking), bound as MPI_X (A...) and as MPI_IX
// (A..., MPI_Request*).
template <auto kCore, typename F = decltype(kCore)>
struct Forms;
template <auto kCore, typename... A>
struct Forms<kCore, int32_t (*)(Call&, Pending*, A...)> {
  static int32_t Blocking(Call& c, A... a) { return kCore(c, nullptr, a...); }
  static int32_t Nonblocking(Call& c, A... a, Ptr request) {
    Pending p;
    p.out = c.Ref<Handle>(request, "request");
    if (p.out == nullptr) return c.error();
    return kCore(c, &p, a...);
  }
};

// Binds a core as MPI_X and MPI_IX; reductions run in a UserOpScope.
template <auto kCore>
void BindBoth(Bridge& b, std::vector<engine::HostFunc>& out, const char* name,
              const char* iname, bool user_ops = false) {
  for (engine::HostFunc f : {Bind(b, name, Forms<kCore>::Blocking),
                             Bind(b, iname, Forms<kCore>::Nonblocking)}) {
    out.push_back(user_ops ? WithUserOps(std::move(f)) : std::move(f));
  }
}

// The two halves of AddCollectives.
void AddMovements(Bridge& b, std::vector<engine::HostFunc>& out);
void AddReductions(Bridge& b, std::vector<engine::HostFunc>& out);

}  // namespace wasmhpc::mpi::coll

#endif  // WASMHPC_MPI_BRIDGE_COLL_ARGS_H_
