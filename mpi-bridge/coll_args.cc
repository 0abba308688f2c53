#include "mpi-bridge/coll_args.h"

#include <algorithm>
#include <cinttypes>
#include <memory>
#include <string>

#include "absl/strings/str_format.h"
#include "mpi-bridge/binary128_ops.h"

namespace wasmhpc::mpi::coll {
namespace {

// The host handle of a datatype that is not significant here: no error.
MPI_Datatype Insignificant(Call& c, Handle type) {
  DatatypeEntry* t = c.bridge().datatypes().Find(type);
  return t ? t->host : MPI_DATATYPE_NULL;
}

bool NotInPlace(Call& c, Ptr buf, const char* what) {
  if (buf != abi::kInPlace) return true;
  c.Fail(abi::kErrBuffer,
         absl::StrFormat("MPI_IN_PLACE is not valid as %s here", what));
  return false;
}

bool Committed(Call& c, const DatatypeEntry& t, const char* what) {
  if (t.committed) return true;
  c.Fail(abi::kErrType, absl::StrFormat("%s datatype is not committed", what));
  return false;
}

// Checks block `i` of a -v/-w buffer: `count` elements of `t` at guest
// address `at` (nothing for an empty block, wherever it is).
bool CheckBlock(Call& c, int64_t at, int32_t count, const DatatypeEntry& t,
                const char* what, int32_t i) {
  if (count < 0) {
    c.Fail(abi::kErrCount, absl::StrFormat("negative count %d for block %d "
                                           "of %s",
                                           count, i, what));
    return false;
  }
  if (count == 0 || t.size == 0) return true;
  int64_t span = (int64_t{count} - 1) * t.extent;
  int64_t lo = at + t.true_lb + std::min<int64_t>(0, span);
  int64_t hi = at + t.true_lb + t.true_extent + std::max<int64_t>(0, span);
  uint64_t memory = c.host().memory().size();
  if (lo >= 0 && hi <= static_cast<int64_t>(memory)) return true;
  c.Fail(abi::kErrBuffer, absl::StrFormat("%s block %d [%#" PRIx64 ",%+" PRId64
                                          ") exceeds linear memory of %u bytes",
                                          what, i, lo, hi - lo, memory));
  return false;
}

// The host address of a -v/-w buffer's base once its blocks are checked;
// `used`: some block is not empty (else the base is never accessed).
bool Base(Call& c, Ptr buf, bool used, const char* what, void** out) {
  uint64_t size = c.host().memory().size();
  *out = c.Bytes(used ? buf : std::min<uint64_t>(buf, size), 0, what);
  return *out != nullptr;
}

// Reads n guest ints into `out`.
bool CopyInts(Call& c, Ptr p, int32_t n, const char* what,
              std::vector<int>* out) {
  const int32_t* in = c.Ref<int32_t>(p, what, n);
  if (in == nullptr && n > 0) return false;
  out->assign(in, in + n);
  return true;
}

}  // namespace

bool LoadShape(Call& c, Handle comm, Shape* s) {
  s->comm = c.Comm(comm);
  if (s->comm == nullptr) return false;
  s->inter = s->comm->inter;
  s->peers = s->inter ? s->comm->remote_size : s->comm->size;
  return true;
}

bool LoadRole(Call& c, const Shape& s, int32_t root, Role* role) {
  if (!s.inter && root >= 0 && root < s.comm->size) {
    *role = root == s.comm->rank ? Role::kRoot : Role::kLeaf;
    return true;
  }
  if (s.inter && (root == abi::kRoot || root == abi::kProcNull ||
                  (root >= 0 && root < s.peers))) {
    *role = root == abi::kRoot       ? Role::kRoot
            : root == abi::kProcNull ? Role::kNone
                                     : Role::kLeaf;
    return true;
  }
  c.Fail(abi::kErrRoot,
         absl::StrFormat("invalid root %d (%s of size %d)", root,
                         s.inter ? "remote group" : "communicator", s.peers));
  return false;
}

bool LoadRooted(Call& c, const Shape& s, Role role, Ptr leaf_buf,
                const char* leaf_what, Rooted* r) {
  bool intra_root = role == Role::kRoot && !s.inter;
  r->root_side = role == Role::kRoot;
  r->in_place = intra_root && leaf_buf == abi::kInPlace;
  r->leaf_side = role == Role::kLeaf || (intra_root && !r->in_place);
  return !r->leaf_side || NotInPlace(c, leaf_buf, leaf_what);
}

bool InPlace(Call& c, const Shape& s, Ptr buf, bool* in_place) {
  *in_place = buf == abi::kInPlace;
  if (!*in_place || !s.inter) return true;
  c.Fail(abi::kErrBuffer, "MPI_IN_PLACE is not valid on an intercommunicator");
  return false;
}

bool LoadPlain(Call& c, bool significant, Ptr buf, int32_t count, Handle type,
               int64_t blocks, const char* what, Side* s) {
  if (!significant) {
    s->count = std::max(count, 0);
    s->type = Insignificant(c, type);
    return true;
  }
  DatatypeEntry* t = c.Datatype(type);
  if (t == nullptr || !c.Count(count, "count") || !NotInPlace(c, buf, what)) {
    return false;
  }
  s->count = count;
  s->type = t->host;
  int64_t total = int64_t{count} * blocks;
  if (total > INT32_MAX) {
    c.Fail(abi::kErrCount,
           absl::StrFormat("%s: %d elements x %d processes is too many", what,
                           count, blocks));
    return false;
  }
  return c.Buffer(buf, static_cast<int32_t>(total), *t, what, &s->buf);
}

bool LoadV(Call& c, bool significant, Ptr buf, Ptr counts, Ptr displs,
           int32_t n, Handle type, const char* what, HostArgs::Arrays* a,
           Side* s) {
  if (!significant) {
    s->type = Insignificant(c, type);
    return true;
  }
  DatatypeEntry* t = c.Datatype(type);
  if (t == nullptr || !Committed(c, *t, what) || !NotInPlace(c, buf, what) ||
      !CopyInts(c, counts, n, "counts", &a->counts) ||
      !CopyInts(c, displs, n, "displs", &a->displs)) {
    return false;
  }
  bool used = false;
  for (int32_t i = 0; i < n; ++i) {
    int64_t at = int64_t{buf} + int64_t{a->displs[i]} * t->extent;
    if (!CheckBlock(c, at, a->counts[i], *t, what, i)) return false;
    used |= a->counts[i] > 0;
  }
  s->type = t->host;
  s->counts = a->counts.data();
  s->displs = a->displs.data();
  return Base(c, buf, used && t->size > 0, what, &s->buf);
}

bool LoadW(Call& c, Ptr buf, Ptr counts, Ptr displs, Ptr types, int32_t n,
           const char* what, HostArgs::Arrays* a, Side* s) {
  const Handle* guest_types = c.Ref<Handle>(types, "types", n);
  if ((guest_types == nullptr && n > 0) || !NotInPlace(c, buf, what) ||
      !CopyInts(c, counts, n, "counts", &a->counts) ||
      !CopyInts(c, displs, n, "displs", &a->displs)) {
    return false;
  }
  a->types.resize(n);
  bool used = false;
  for (int32_t i = 0; i < n; ++i) {
    DatatypeEntry* t = c.Datatype(guest_types[i]);
    if (t == nullptr || !Committed(c, *t, what) ||
        !CheckBlock(c, int64_t{buf} + a->displs[i], a->counts[i], *t, what,
                    i)) {
      return false;
    }
    a->types[i] = t->host;
    used |= a->counts[i] > 0 && t->size > 0;
  }
  s->counts = a->counts.data();
  s->displs = a->displs.data();
  s->types = a->types.data();
  return Base(c, buf, used, what, &s->buf);
}

bool LoadCounts(Call& c, Ptr counts, int32_t n, const char* what,
                std::vector<int>* out, int64_t* total) {
  if (!CopyInts(c, counts, n, what, out)) return false;
  *total = 0;
  for (int32_t i = 0; i < n; ++i) {
    if ((*out)[i] < 0) {
      c.Fail(abi::kErrCount,
             absl::StrFormat("negative %s[%d] %d", what, i, (*out)[i]));
      return false;
    }
    *total += (*out)[i];
  }
  return true;
}

namespace {

// The binary128 host op for predefined op `op` on predefined type `type`.
bool Binary128Op(Call& c, Binary128Kind kind, Handle op, MPI_Op* host_op) {
  std::shared_ptr<Binary128Ops>& ops = c.bridge().binary128_ops();
  if (!ops) ops = std::make_shared<Binary128Ops>(c.mpi());
  absl::StatusOr<MPI_Op> made = ops->Get(kind, op);
  if (!made.ok()) {
    c.Fail(
        absl::IsInvalidArgument(made.status()) ? abi::kErrOp : abi::kErrIntern,
        std::string(made.status().message()));
    return false;
  }
  *host_op = *made;
  return true;
}

}  // namespace

bool LoadReduction(Call& c, Handle type, Handle op, DatatypeEntry** t,
                   OpEntry** o, MPI_Op* host_op) {
  *t = c.Datatype(type);
  *o = *t ? c.Op(op) : nullptr;
  if (*o == nullptr) return false;
  *host_op = (*o)->host;
  if ((*o)->user) {
    (*o)->user->UseType((*t)->host, type);
    return true;
  }
  if ((*t)->reducible) return true;
  const Binary128Kind kind = Binary128KindOf(type);
  if (kind != Binary128Kind::kNone) return Binary128Op(c, kind, op, host_op);
  c.Fail(abi::kErrType,
         absl::StrFormat("datatype 0x%x holds long double (binary128 on "
                         "wasm32) and cannot be reduced by a predefined op: "
                         "reduce the predefined long double types, or use a "
                         "user op (MPI_Op_create)",
                         type));
  return false;
}

}  // namespace wasmhpc::mpi::coll
