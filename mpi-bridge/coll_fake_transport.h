// Test fakes for the collectives and user ops: a transport that records
// the last collective's arguments and runs user ops the way Open MPI does
// (on guest buffers, or on host temporaries), and a host context whose
// guest has a bump-allocating malloc and a free and whose table functions can
// be made to trap.
#ifndef WASMHPC_MPI_BRIDGE_COLL_FAKE_TRANSPORT_H_
#define WASMHPC_MPI_BRIDGE_COLL_FAKE_TRANSPORT_H_

#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/fake_guest_memory.h"
#include "mpi-bridge/bridge_test_support.h"
#include "mpi-bridge/fake_transport.h"
#include "mpi-bridge/op.h"

namespace wasmhpc::mpi {

class CollFakeTransport : public FakeTransport {
 public:
  // The last collective's arguments, as the host got them.
  struct Args {
    std::string name;
    const void* sbuf = nullptr;
    void* rbuf = nullptr;
    int scount = -1, rcount = -1;
    MPI_Datatype stype = MPI_DATATYPE_NULL, rtype = MPI_DATATYPE_NULL;
    const int *scounts = nullptr, *sdispls = nullptr;
    const int *rcounts = nullptr, *rdispls = nullptr;
    const MPI_Datatype *stypes = nullptr, *rtypes = nullptr;
    int root = -99;
    MPI_Op op = MPI_OP_NULL;
    // Copies of the arrays (size entries each; blocking calls free theirs).
    std::vector<int> scounts_v = {}, sdispls_v = {}, rcounts_v = {},
                     rdispls_v = {};
    std::vector<MPI_Datatype> stypes_v = {}, rtypes_v = {};
  };
  Args last_coll;
  bool inter = false;
  int remote_size = 3;
  int finalized = 0;
  int op_frees = 0;
  // Ops made by Op_create: the host function and commute flag.
  std::vector<std::pair<MPI_User_function*, int>> user_ops;
  // How many times a reduction calls the op on a host temporary.
  int temporary_calls = 1;

  int Comm_test_inter(MPI_Comm, int* flag) override {
    *flag = inter;
    return MPI_SUCCESS;
  }
  int Comm_remote_size(MPI_Comm, int* size) override {
    *size = remote_size;
    return MPI_SUCCESS;
  }
  int Finalized(int* flag) override {
    *flag = finalized;
    return MPI_SUCCESS;
  }
  // Runs in Wait, as the host progresses a nonblocking collective there.
  std::function<void()> on_wait;

  int Wait(MPI_Request* r, MPI_Status*) override {
    if (on_wait) on_wait();
    *r = MPI_REQUEST_NULL;
    return MPI_SUCCESS;
  }

  int Op_create(MPI_User_function* f, int commute, MPI_Op* op) override {
    user_ops.emplace_back(f, commute);
    *op = FakeOp(user_ops.size() - 1);
    return MPI_SUCCESS;
  }
  int Op_free(MPI_Op* op) override {
    ++op_frees;
    *op = MPI_OP_NULL;
    return MPI_SUCCESS;
  }
  int Op_commutative(MPI_Op op, int* commute) override {
    int i = UserIndex(op);
    *commute = i < 0 ? 1 : user_ops[i].second;
    return MPI_SUCCESS;
  }
  // Runs a user op on the caller's buffers, as MPI_Reduce_local does.
  int Reduce_local(const void* in, void* inout, int n, MPI_Datatype t,
                   MPI_Op op) override {
    last_coll = {.name = "Reduce_local",
                 .sbuf = in,
                 .rbuf = inout,
                 .scount = n,
                 .stype = t,
                 .op = op};
    int i = UserIndex(op);
    if (i >= 0) user_ops[i].first(const_cast<void*>(in), inout, &n, &t);
    return MPI_SUCCESS;
  }
  // Runs a user op on host temporaries (what Open MPI's algorithms do):
  // rbuf = op(copy of sbuf, copy of rbuf) `temporary_calls` times.
  int Allreduce(const void* sb, void* rb, int n, MPI_Datatype t, MPI_Op op,
                MPI_Comm) override {
    last_coll = {.name = "Allreduce",
                 .sbuf = sb,
                 .rbuf = rb,
                 .scount = n,
                 .stype = t,
                 .op = op};
    return RunOnTemporaries(sb, rb, n, t, op);
  }
  int Iallreduce(const void* sb, void* rb, int n, MPI_Datatype t, MPI_Op op,
                 MPI_Comm, MPI_Request* r) override {
    last_coll = {.name = "Iallreduce",
                 .sbuf = sb,
                 .rbuf = rb,
                 .scount = n,
                 .stype = t,
                 .op = op};
    *r = FakeRequest();
    return MPI_SUCCESS;
  }
  int Reduce(const void* sb, void* rb, int n, MPI_Datatype t, MPI_Op op,
             int root, MPI_Comm) override {
    last_coll = {.name = "Reduce",
                 .sbuf = sb,
                 .rbuf = rb,
                 .scount = n,
                 .stype = t,
                 .root = root,
                 .op = op};
    return MPI_SUCCESS;
  }
  int Reduce_scatter(const void* sb, void* rb, const int* rns, MPI_Datatype t,
                     MPI_Op op, MPI_Comm) override {
    last_coll = {.name = "Reduce_scatter",
                 .sbuf = sb,
                 .rbuf = rb,
                 .stype = t,
                 .rcounts = rns,
                 .op = op};
    Snapshot();
    return MPI_SUCCESS;
  }
  int Bcast(void* b, int n, MPI_Datatype t, int root, MPI_Comm) override {
    last_coll = {
        .name = "Bcast", .rbuf = b, .rcount = n, .rtype = t, .root = root};
    return MPI_SUCCESS;
  }
  int Gather(const void* sb, int sn, MPI_Datatype st, void* rb, int rn,
             MPI_Datatype rt, int root, MPI_Comm) override {
    last_coll = {"Gather", sb, rb, sn, rn, st, rt};
    last_coll.root = root;
    return MPI_SUCCESS;
  }
  int Scatter(const void* sb, int sn, MPI_Datatype st, void* rb, int rn,
              MPI_Datatype rt, int root, MPI_Comm) override {
    last_coll = {"Scatter", sb, rb, sn, rn, st, rt};
    last_coll.root = root;
    return MPI_SUCCESS;
  }
  int Gatherv(const void* sb, int sn, MPI_Datatype st, void* rb, const int* rns,
              const int* rds, MPI_Datatype rt, int root, MPI_Comm) override {
    last_coll = {"Gatherv", sb, rb, sn, -1, st, rt};
    last_coll.rcounts = rns;
    last_coll.rdispls = rds;
    last_coll.root = root;
    Snapshot();
    return MPI_SUCCESS;
  }
  int Igatherv(const void* sb, int sn, MPI_Datatype st, void* rb,
               const int* rns, const int* rds, MPI_Datatype rt, int root,
               MPI_Comm c, MPI_Request* r) override {
    Gatherv(sb, sn, st, rb, rns, rds, rt, root, c);
    last_coll.name = "Igatherv";
    *r = FakeRequest();
    return MPI_SUCCESS;
  }
  int Allgather(const void* sb, int sn, MPI_Datatype st, void* rb, int rn,
                MPI_Datatype rt, MPI_Comm) override {
    last_coll = {"Allgather", sb, rb, sn, rn, st, rt};
    return MPI_SUCCESS;
  }
  int Alltoallw(const void* sb, const int* sns, const int* sds,
                const MPI_Datatype* sts, void* rb, const int* rns,
                const int* rds, const MPI_Datatype* rts, MPI_Comm) override {
    last_coll = {.name = "Alltoallw",
                 .sbuf = sb,
                 .rbuf = rb,
                 .scounts = sns,
                 .sdispls = sds,
                 .rcounts = rns,
                 .rdispls = rds,
                 .stypes = sts,
                 .rtypes = rts};
    Snapshot();
    return MPI_SUCCESS;
  }

  MPI_Op FakeOp(size_t i) { return reinterpret_cast<MPI_Op>(&op_ids_[i]); }

 private:
  template <typename E>
  std::vector<E> Copy(const E* p) {
    return p ? std::vector<E>(p, p + size) : std::vector<E>();
  }
  void Snapshot() {
    Args& a = last_coll;
    a.scounts_v = Copy(a.scounts);
    a.sdispls_v = Copy(a.sdispls);
    a.rcounts_v = Copy(a.rcounts);
    a.rdispls_v = Copy(a.rdispls);
    a.stypes_v = Copy(a.stypes);
    a.rtypes_v = Copy(a.rtypes);
  }
  int UserIndex(MPI_Op op) {
    for (size_t i = 0; i < user_ops.size(); ++i) {
      if (op == FakeOp(i)) return static_cast<int>(i);
    }
    return -1;
  }
  MPI_Request FakeRequest() {
    return reinterpret_cast<MPI_Request>(&request_id_);
  }
  int RunOnTemporaries(const void* sb, void* rb, int n, MPI_Datatype t,
                       MPI_Op op) {
    int i = UserIndex(op);
    if (i < 0 || sb == MPI_IN_PLACE) return MPI_SUCCESS;
    int bytes = n * 4;  // the tests reduce 4-byte types
    std::vector<char> in(static_cast<const char*>(sb),
                         static_cast<const char*>(sb) + bytes);
    std::vector<char> inout(static_cast<char*>(rb),
                            static_cast<char*>(rb) + bytes);
    for (int k = 0; k < temporary_calls; ++k) {
      user_ops[i].first(in.data(), inout.data(), &n, &t);
    }
    std::memcpy(rb, inout.data(), bytes);
    return MPI_SUCCESS;
  }

  char op_ids_[UserOp::kTrampolines + 8] = {};
  char request_id_ = 0;
};

// A FakeHostContext whose guest has a malloc (a bump allocator from
// `heap`; its allocator record just below) and a free, and whose table
// indices in `trapping` trap. indirect_calls counts the calls of other
// table functions than malloc and free.
class ExportingHostContext : public engine::FakeHostContext {
 public:
  ExportingHostContext(size_t memory, uint32_t heap)
      : FakeHostContext(memory), next_(heap) {
    GiveGuestAllocator(
        *this, heap - 8,
        [this](const std::vector<uint64_t>& a) {
          ++mallocs;
          uint64_t p = (next_ + 15) / 16 * 16;
          if (p + a[0] > this->memory().size()) return uint64_t{0};
          next_ = p + a[0];
          return p;
        },
        [this](const std::vector<uint64_t>& a) {
          freed.push_back(static_cast<uint32_t>(a[0]));
          return uint64_t{0};
        });
  }

  int mallocs = 0;
  int indirect_calls = 0;
  std::vector<uint32_t> freed;
  std::set<uint32_t> trapping;

  absl::StatusOr<uint64_t> CallIndirect(
      uint32_t index, const engine::FuncType& type,
      const std::vector<uint64_t>& args) override {
    if (index != kFakeMallocIndex && index != kFakeFreeIndex) ++indirect_calls;
    if (trapping.count(index)) {
      return absl::AbortedError("RuntimeError: unreachable");
    }
    return FakeHostContext::CallIndirect(index, type, args);
  }

 private:
  uint64_t next_;
};

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_COLL_FAKE_TRANSPORT_H_
