// Point to point: all send modes, receive, nonblocking, persistent, probe
// and matched probe, completion (wait/test all/any/some), cancel, buffers.
// Completion, MPI_Request_get_status, MPI_Cancel and MPI_Request_free may
// run guest code (generalized requests' callbacks, user ops of nonblocking
// reductions): they run in a UserOpScope (BindCompletion).
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_format.h"
#include "mpi-bridge/call.h"
#include "mpi-bridge/grequest.h"
#include "mpi-bridge/op.h"
#include "mpi-bridge/request_util.h"

namespace wasmhpc::mpi {

namespace {

using abi::Handle;
using abi::Ptr;

using SendMethod = int (MpiTransport::*)(const void*, int, MPI_Datatype, int,
                                         int, MPI_Comm);
using StartMethod = int (MpiTransport::*)(const void*, int, MPI_Datatype, int,
                                          int, MPI_Comm, MPI_Request*);

// MPI_Send, MPI_Ssend, MPI_Rsend, MPI_Bsend.
template <SendMethod kMethod>
int32_t SendMode(Call& c, Ptr buf, int32_t count, Handle type, int32_t dest,
                 int32_t tag, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* t = cm ? c.Datatype(type) : nullptr;
  void* b;
  if (!t || !c.Buffer(buf, count, *t, "buffer", &b)) return c.error();
  return c.Host(
      (c.mpi().*kMethod)(b, count, t->host, HostRank(dest), tag, cm->host));
}

// MPI_Isend.. and MPI_Send_init..: the request is nonblocking or persistent.
template <StartMethod kMethod, bool kPersistent>
int32_t StartSend(Call& c, Ptr buf, int32_t count, Handle type, int32_t dest,
                  int32_t tag, Handle comm, Ptr request) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* t = cm ? c.Datatype(type) : nullptr;
  void* b;
  Handle* out = t ? c.Ref<Handle>(request, "request") : nullptr;
  if (!out || !c.Buffer(buf, count, *t, "buffer", &b)) return c.error();
  MPI_Request r;
  if (int32_t rc = c.Host((c.mpi().*kMethod)(b, count, t->host, HostRank(dest),
                                             tag, cm->host, &r))) {
    return rc;
  }
  return NewRequest(c, r, kPersistent, out);
}

template <bool kPersistent>
int32_t StartRecv(Call& c, Ptr buf, int32_t count, Handle type, int32_t src,
                  int32_t tag, Handle comm, Ptr request) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* t = cm ? c.Datatype(type) : nullptr;
  void* b;
  Handle* out = t ? c.Ref<Handle>(request, "request") : nullptr;
  if (!out || !c.Buffer(buf, count, *t, "buffer", &b)) return c.error();
  MPI_Request r;
  auto method = kPersistent ? &MpiTransport::Recv_init : &MpiTransport::Irecv;
  if (int32_t rc = c.Host((c.mpi().*method)(b, count, t->host, HostRank(src),
                                            HostTag(tag), cm->host, &r))) {
    return rc;
  }
  return NewRequest(c, r, kPersistent, out);
}

int32_t Recv(Call& c, Ptr buf, int32_t count, Handle type, int32_t src,
             int32_t tag, Handle comm, Ptr status) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* t = cm ? c.Datatype(type) : nullptr;
  void* b;
  if (!t || !c.Buffer(buf, count, *t, "buffer", &b)) return c.error();
  MPI_Status st;
  int32_t rc =
      c.Host(c.mpi().Recv(b, count, t->host, HostRank(src), HostTag(tag),
                          cm->host, HostStatus(status, &st)));
  c.WriteStatus(status, st);
  return rc;
}

int32_t Sendrecv(Call& c, Ptr sbuf, int32_t scount, Handle stype, int32_t dest,
                 int32_t stag, Ptr rbuf, int32_t rcount, Handle rtype,
                 int32_t src, int32_t rtag, Handle comm, Ptr status) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* st = cm ? c.Datatype(stype) : nullptr;
  DatatypeEntry* rt = st ? c.Datatype(rtype) : nullptr;
  void *sb, *rb;
  if (!rt || !c.Buffer(sbuf, scount, *st, "sendbuf", &sb) ||
      !c.Buffer(rbuf, rcount, *rt, "recvbuf", &rb)) {
    return c.error();
  }
  MPI_Status s;
  int32_t rc = c.Host(c.mpi().Sendrecv(
      sb, scount, st->host, HostRank(dest), stag, rb, rcount, rt->host,
      HostRank(src), HostTag(rtag), cm->host, HostStatus(status, &s)));
  c.WriteStatus(status, s);
  return rc;
}

int32_t SendrecvReplace(Call& c, Ptr buf, int32_t count, Handle type,
                        int32_t dest, int32_t stag, int32_t src, int32_t rtag,
                        Handle comm, Ptr status) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* t = cm ? c.Datatype(type) : nullptr;
  void* b;
  if (!t || !c.Buffer(buf, count, *t, "buffer", &b)) return c.error();
  MPI_Status s;
  int32_t rc = c.Host(
      c.mpi().Sendrecv_replace(b, count, t->host, HostRank(dest), stag,
                               HostRank(src), HostTag(rtag), cm->host, &s));
  c.WriteStatus(status, s);
  return rc;
}

// The host request of guest handle *slot (MPI_REQUEST_NULL for the null
// handle), or nullptr + error.
bool HostRequest(Call& c, Handle guest, MPI_Request* out) {
  if (guest == abi::kRequestNull) {
    *out = MPI_REQUEST_NULL;
    return true;
  }
  RequestEntry* r = c.Request(guest);
  if (r) *out = r->host;
  return r != nullptr;
}

// After a host completion: frees a finished nonblocking request (guest
// handle becomes MPI_REQUEST_NULL) or keeps a persistent one.
void Completed(Call& c, Handle* slot, MPI_Request host_after) {
  if (*slot == abi::kRequestNull) return;
  RequestEntry* r = c.bridge().requests().Find(*slot);
  if (r->persistent) {
    r->host = host_after;
  } else if (host_after == MPI_REQUEST_NULL) {
    c.bridge().requests().Erase(*slot);
    *slot = abi::kRequestNull;
  }
}

// An empty status, as MPI defines for null or inactive requests.
MPI_Status EmptyStatus() {
  MPI_Status s{};
  s.MPI_SOURCE = MPI_ANY_SOURCE;
  s.MPI_TAG = MPI_ANY_TAG;
  return s;
}

int32_t Wait(Call& c, Ptr request, Ptr status) {
  Handle* slot = c.Ref<Handle>(request, "request");
  MPI_Request r;
  if (!slot || !HostRequest(c, *slot, &r)) return c.error();
  MPI_Status s = EmptyStatus();
  int32_t rc = r == MPI_REQUEST_NULL
                   ? 0
                   : c.Host(c.mpi().Wait(&r, HostStatus(status, &s)));
  Completed(c, slot, r);
  c.WriteStatus(status, s);
  return rc;
}

int32_t Test(Call& c, Ptr request, Ptr flag, Ptr status) {
  Handle* slot = c.Ref<Handle>(request, "request");
  int32_t* f = slot ? c.Ref<int32_t>(flag, "flag") : nullptr;
  MPI_Request r;
  if (!f || !HostRequest(c, *slot, &r)) return c.error();
  MPI_Status s = EmptyStatus();
  int done = 1;
  int32_t rc = r == MPI_REQUEST_NULL ? 0 : c.Host(c.mpi().Test(&r, &done, &s));
  *f = done;
  if (done) {
    Completed(c, slot, r);
    c.WriteStatus(status, s);
  }
  return rc;
}

// Translated request arrays for the *all/*any/*some calls.
// Inline capacity: no heap allocation for the usual handful of requests.
struct RequestArray {
  Handle* guest = nullptr;
  absl::InlinedVector<MPI_Request, 16> host;
  absl::InlinedVector<MPI_Status, 16> statuses;
};

bool LoadRequests(Call& c, int32_t n, Ptr requests, RequestArray* out) {
  if (!c.Count(n, "count")) return false;
  out->guest = c.Ref<Handle>(requests, "requests", n);
  if (n > 0 && !out->guest) return false;
  out->host.resize(n);
  out->statuses.assign(n, EmptyStatus());
  for (int32_t i = 0; i < n; ++i) {
    if (!HostRequest(c, out->guest[i], &out->host[i])) return false;
  }
  return true;
}

// The first n host statuses of `a` to the guest's array, for a
// multiple-completion call that returned `rc`: MPI_ERROR is written only
// with MPI_ERR_IN_STATUS.
bool WriteStatuses(Call& c, Ptr statuses, const RequestArray& a, int32_t n,
                   int32_t rc) {
  if (statuses == abi::kStatusesIgnore) return true;
  abi::Status* out = c.Ref<abi::Status>(statuses, "statuses", n);
  if (!out) return false;
  for (int32_t i = 0; i < n; ++i) {
    ToGuestStatus(a.statuses[i], rc == abi::kErrInStatus, &out[i]);
  }
  return true;
}

int32_t Waitall(Call& c, int32_t n, Ptr requests, Ptr statuses) {
  RequestArray a;
  if (!LoadRequests(c, n, requests, &a)) return c.error();
  if (statuses != abi::kStatusesIgnore &&
      !c.Ref<abi::Status>(statuses, "statuses", n)) {
    return c.error();
  }
  int32_t rc = c.Host(c.mpi().Waitall(n, a.host.data(),
                                      statuses == abi::kStatusesIgnore
                                          ? MPI_STATUSES_IGNORE
                                          : a.statuses.data()));
  for (int32_t i = 0; i < n; ++i) Completed(c, &a.guest[i], a.host[i]);
  WriteStatuses(c, statuses, a, n, rc);
  return rc;
}

int32_t Testall(Call& c, int32_t n, Ptr requests, Ptr flag, Ptr statuses) {
  RequestArray a;
  int32_t* f = c.Ref<int32_t>(flag, "flag");
  if (!f || !LoadRequests(c, n, requests, &a)) return c.error();
  int done = 0;
  int32_t rc =
      c.Host(c.mpi().Testall(n, a.host.data(), &done, a.statuses.data()));
  *f = done;
  if (done || rc == abi::kErrInStatus) {
    for (int32_t i = 0; i < n; ++i) Completed(c, &a.guest[i], a.host[i]);
    WriteStatuses(c, statuses, a, n, rc);
  }
  return rc;
}

// Waitany / Testany: index is MPI_UNDEFINED when no request was active.
// Also after a request that failed (the call returns its error, and the
// status's MPI_ERROR stays as it was).
int32_t AnyCompleted(Call& c, RequestArray& a, int index, Ptr index_out,
                     Ptr status, int32_t rc) {
  if (!c.Write<int32_t>(index_out,
                        index == MPI_UNDEFINED ? abi::kUndefined : index,
                        "index")) {
    return c.error();
  }
  if (index != MPI_UNDEFINED) {
    Completed(c, &a.guest[index], a.host[index]);
    c.WriteStatus(status, a.statuses[0]);
  } else if (rc == abi::kSuccess) {
    c.WriteStatus(status, EmptyStatus());
  }
  return rc;
}

int32_t Waitany(Call& c, int32_t n, Ptr requests, Ptr index, Ptr status) {
  RequestArray a;
  if (!LoadRequests(c, n, requests, &a)) return c.error();
  int i = MPI_UNDEFINED;
  int32_t rc = c.Host(c.mpi().Waitany(n, a.host.data(), &i, a.statuses.data()));
  return AnyCompleted(c, a, i, index, status, rc);
}

int32_t Testany(Call& c, int32_t n, Ptr requests, Ptr index, Ptr flag,
                Ptr status) {
  RequestArray a;
  int32_t* f = c.Ref<int32_t>(flag, "flag");
  if (!f || !LoadRequests(c, n, requests, &a)) return c.error();
  int i = MPI_UNDEFINED, done = 0;
  int32_t rc =
      c.Host(c.mpi().Testany(n, a.host.data(), &i, &done, a.statuses.data()));
  *f = done;
  if (done || i != MPI_UNDEFINED) {
    return AnyCompleted(c, a, i, index, status, rc);
  }
  // Nothing completed: index MPI_UNDEFINED, status untouched.
  return c.Write<int32_t>(index, abi::kUndefined, "index") ? rc : c.error();
}

using SomeMethod = int (MpiTransport::*)(int, MPI_Request*, int*, int*,
                                         MPI_Status*);

template <SomeMethod kMethod>
int32_t Some(Call& c, int32_t n, Ptr requests, Ptr outcount, Ptr indices,
             Ptr statuses) {
  RequestArray a;
  int32_t* count = c.Ref<int32_t>(outcount, "outcount");
  if (!count || !LoadRequests(c, n, requests, &a)) return c.error();
  int32_t* idx = c.Ref<int32_t>(indices, "indices", n);
  if (n > 0 && !idx) return c.error();
  int done = 0;
  absl::InlinedVector<int, 16> host_indices(n);
  int32_t rc = c.Host((c.mpi().*kMethod)(
      n, a.host.data(), &done, host_indices.data(), a.statuses.data()));
  if (done == MPI_UNDEFINED) {
    *count = abi::kUndefined;
    return rc;
  }
  *count = done;
  for (int i = 0; i < done; ++i) {
    idx[i] = host_indices[i];
    Completed(c, &a.guest[host_indices[i]], a.host[host_indices[i]]);
  }
  // Host statuses of *some are packed in completion order.
  return WriteStatuses(c, statuses, a, done, rc) ? rc : c.error();
}

int32_t Start(Call& c, Ptr request) {
  Handle* slot = c.Ref<Handle>(request, "request");
  RequestEntry* r = slot ? c.Request(*slot) : nullptr;
  if (!r) return c.error();
  return c.Host(c.mpi().Start(&r->host));
}

int32_t Startall(Call& c, int32_t n, Ptr requests) {
  RequestArray a;
  if (!LoadRequests(c, n, requests, &a)) return c.error();
  int32_t rc = c.Host(c.mpi().Startall(n, a.host.data()));
  for (int32_t i = 0; i < n; ++i) {
    c.bridge().requests().Find(a.guest[i])->host = a.host[i];
  }
  return rc;
}

int32_t RequestFree(Call& c, Ptr request) {
  Handle* slot = c.Ref<Handle>(request, "request");
  RequestEntry* r = slot ? c.Request(*slot) : nullptr;
  if (!r) return c.error();
  std::shared_ptr<GeneralizedRequest> g = r->generalized;
  MPI_Request host = r->host;
  int32_t rc = c.Host(c.mpi().Request_free(&host));
  // A generalized request not completed yet keeps its handle, which the
  // guest may still pass to MPI_Grequest_complete.
  if (g && !g->completed) {
    g->guest_freed = true;
    c.bridge().requests().Find(*slot)->host = host;
  } else {
    c.bridge().requests().Erase(*slot);
  }
  *slot = abi::kRequestNull;
  return rc;
}

int32_t Cancel(Call& c, Ptr request) {
  Handle* slot = c.Ref<Handle>(request, "request");
  RequestEntry* r = slot ? c.Request(*slot) : nullptr;
  if (!r) return c.error();
  return c.Host(c.mpi().Cancel(&r->host));
}

int32_t RequestGetStatus(Call& c, Handle request, Ptr flag, Ptr status) {
  MPI_Request r;
  int32_t* f = c.Ref<int32_t>(flag, "flag");
  if (!f || !HostRequest(c, request, &r)) return c.error();
  MPI_Status s = EmptyStatus();
  int done = 1;
  int32_t rc = r == MPI_REQUEST_NULL
                   ? 0
                   : c.Host(c.mpi().Request_get_status(r, &done, &s));
  *f = done;
  if (done) c.WriteStatus(status, s);
  return rc;
}

int32_t Probe(Call& c, int32_t src, int32_t tag, Handle comm, Ptr status) {
  CommEntry* cm = c.Comm(comm);
  if (!cm) return c.error();
  MPI_Status s;
  int32_t rc = c.Host(c.mpi().Probe(HostRank(src), HostTag(tag), cm->host, &s));
  c.WriteStatus(status, s);
  return rc;
}

int32_t Iprobe(Call& c, int32_t src, int32_t tag, Handle comm, Ptr flag,
               Ptr status) {
  CommEntry* cm = c.Comm(comm);
  int32_t* f = cm ? c.Ref<int32_t>(flag, "flag") : nullptr;
  if (!f) return c.error();
  MPI_Status s;
  int found = 0;
  int32_t rc =
      c.Host(c.mpi().Iprobe(HostRank(src), HostTag(tag), cm->host, &found, &s));
  *f = found;
  if (found) c.WriteStatus(status, s);
  return rc;
}

// Stores a matched message: MPI_MESSAGE_NO_PROC for a PROC_NULL source.
int32_t NewMessage(Call& c, MPI_Message m, Handle* out) {
  if (m == MPI_MESSAGE_NO_PROC) {
    *out = abi::kMessageNoProc;
    return abi::kSuccess;
  }
  std::optional<Handle> h = c.bridge().messages().Insert({m});
  if (!h) return c.Fail(abi::kErrNoMem, "too many matched messages");
  *out = *h;
  return abi::kSuccess;
}

int32_t Mprobe(Call& c, int32_t src, int32_t tag, Handle comm, Ptr message,
               Ptr status) {
  CommEntry* cm = c.Comm(comm);
  Handle* out = cm ? c.Ref<Handle>(message, "message") : nullptr;
  if (!out) return c.error();
  MPI_Message m;
  MPI_Status s;
  if (int32_t rc = c.Host(
          c.mpi().Mprobe(HostRank(src), HostTag(tag), cm->host, &m, &s))) {
    return rc;
  }
  c.WriteStatus(status, s);
  return NewMessage(c, m, out);
}

int32_t Improbe(Call& c, int32_t src, int32_t tag, Handle comm, Ptr flag,
                Ptr message, Ptr status) {
  CommEntry* cm = c.Comm(comm);
  int32_t* f = cm ? c.Ref<int32_t>(flag, "flag") : nullptr;
  Handle* out = f ? c.Ref<Handle>(message, "message") : nullptr;
  if (!out) return c.error();
  MPI_Message m;
  MPI_Status s;
  int found = 0;
  if (int32_t rc = c.Host(c.mpi().Improbe(HostRank(src), HostTag(tag), cm->host,
                                          &found, &m, &s))) {
    return rc;
  }
  *f = found;
  if (!found) return abi::kSuccess;
  c.WriteStatus(status, s);
  return NewMessage(c, m, out);
}

// The host message of *slot; the guest handle becomes MPI_MESSAGE_NULL.
bool TakeMessage(Call& c, Handle* slot, MPI_Message* out) {
  if (*slot == abi::kMessageNoProc) {
    *out = MPI_MESSAGE_NO_PROC;
  } else {
    MessageEntry* m = c.bridge().messages().Find(*slot);
    if (!m) {
      c.Fail(
          abi::kErrRequest,
          absl::StrFormat("invalid message 0x%x (already received?)", *slot));
      return false;
    }
    *out = m->host;
    c.bridge().messages().Erase(*slot);
  }
  *slot = abi::kMessageNull;
  return true;
}

int32_t Mrecv(Call& c, Ptr buf, int32_t count, Handle type, Ptr message,
              Ptr status) {
  DatatypeEntry* t = c.Datatype(type);
  Handle* slot = t ? c.Ref<Handle>(message, "message") : nullptr;
  void* b;
  MPI_Message m;
  if (!slot || !c.Buffer(buf, count, *t, "buffer", &b) ||
      !TakeMessage(c, slot, &m)) {
    return c.error();
  }
  MPI_Status s;
  int32_t rc = c.Host(c.mpi().Mrecv(b, count, t->host, &m, &s));
  c.WriteStatus(status, s);
  return rc;
}

int32_t Imrecv(Call& c, Ptr buf, int32_t count, Handle type, Ptr message,
               Ptr request) {
  DatatypeEntry* t = c.Datatype(type);
  Handle* slot = t ? c.Ref<Handle>(message, "message") : nullptr;
  Handle* out = slot ? c.Ref<Handle>(request, "request") : nullptr;
  void* b;
  MPI_Message m;
  if (!out || !c.Buffer(buf, count, *t, "buffer", &b) ||
      !TakeMessage(c, slot, &m)) {
    return c.error();
  }
  MPI_Request r;
  if (int32_t rc = c.Host(c.mpi().Imrecv(b, count, t->host, &m, &r))) {
    return rc;
  }
  return NewRequest(c, r, false, out);
}

int32_t BufferAttach(Call& c, Ptr buf, int32_t size) {
  void* b = c.Count(size, "size") ? c.Bytes(buf, size, "buffer") : nullptr;
  if (!b) return c.error();
  return c.Host(c.mpi().Buffer_attach(b, size));
}

int32_t BufferDetach(Call& c, Ptr buf_out, Ptr size_out) {
  Ptr* guest_buf = c.Ref<Ptr>(buf_out, "buffer_addr");
  int32_t* size = guest_buf ? c.Ref<int32_t>(size_out, "size") : nullptr;
  if (!size) return c.error();
  void* host_buf = nullptr;
  int host_size = 0;
  if (int32_t rc = c.Host(c.mpi().Buffer_detach(&host_buf, &host_size))) {
    return rc;
  }
  // The buffer was guest memory: hand back its guest address.
  uint8_t* base = static_cast<uint8_t*>(c.Bytes(0, 0, "buffer"));
  *guest_buf =
      host_buf ? static_cast<Ptr>(static_cast<uint8_t*>(host_buf) - base) : 0;
  *size = host_size;
  return abi::kSuccess;
}

// A completion call: the host may run guest callbacks in it, whose
// failures (not traps) become the call's error (op.h, UserOpResult).
template <auto kFn, typename F = decltype(kFn)>
struct Completing;
template <auto kFn, typename... A>
struct Completing<kFn, int32_t (*)(Call&, A...)> {
  static int32_t Run(Call& c, A... a) { return UserOpResult(c, kFn(c, a...)); }
};
template <auto kFn>
engine::HostFunc BindCompletion(Bridge& b, const char* name) {
  return WithUserOps(Bind(b, name, Completing<kFn>::Run));
}

}  // namespace

void AddPointToPoint(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Send", SendMode<&MpiTransport::Send>));
  out.push_back(Bind(b, "MPI_Ssend", SendMode<&MpiTransport::Ssend>));
  out.push_back(Bind(b, "MPI_Rsend", SendMode<&MpiTransport::Rsend>));
  out.push_back(Bind(b, "MPI_Bsend", SendMode<&MpiTransport::Bsend>));
  out.push_back(Bind(b, "MPI_Recv", Recv));
  out.push_back(Bind(b, "MPI_Sendrecv", Sendrecv));
  out.push_back(Bind(b, "MPI_Sendrecv_replace", SendrecvReplace));
  out.push_back(Bind(b, "MPI_Isend", StartSend<&MpiTransport::Isend, false>));
  out.push_back(Bind(b, "MPI_Issend", StartSend<&MpiTransport::Issend, false>));
  out.push_back(Bind(b, "MPI_Irsend", StartSend<&MpiTransport::Irsend, false>));
  out.push_back(Bind(b, "MPI_Ibsend", StartSend<&MpiTransport::Ibsend, false>));
  out.push_back(Bind(b, "MPI_Irecv", StartRecv<false>));
  out.push_back(
      Bind(b, "MPI_Send_init", StartSend<&MpiTransport::Send_init, true>));
  out.push_back(
      Bind(b, "MPI_Ssend_init", StartSend<&MpiTransport::Ssend_init, true>));
  out.push_back(
      Bind(b, "MPI_Rsend_init", StartSend<&MpiTransport::Rsend_init, true>));
  out.push_back(
      Bind(b, "MPI_Bsend_init", StartSend<&MpiTransport::Bsend_init, true>));
  out.push_back(Bind(b, "MPI_Recv_init", StartRecv<true>));
  out.push_back(Bind(b, "MPI_Start", Start));
  out.push_back(Bind(b, "MPI_Startall", Startall));
  out.push_back(BindCompletion<Wait>(b, "MPI_Wait"));
  out.push_back(BindCompletion<Test>(b, "MPI_Test"));
  out.push_back(BindCompletion<Waitall>(b, "MPI_Waitall"));
  out.push_back(BindCompletion<Testall>(b, "MPI_Testall"));
  out.push_back(BindCompletion<Waitany>(b, "MPI_Waitany"));
  out.push_back(BindCompletion<Testany>(b, "MPI_Testany"));
  out.push_back(
      BindCompletion<Some<&MpiTransport::Waitsome>>(b, "MPI_Waitsome"));
  out.push_back(
      BindCompletion<Some<&MpiTransport::Testsome>>(b, "MPI_Testsome"));
  out.push_back(BindCompletion<RequestFree>(b, "MPI_Request_free"));
  out.push_back(BindCompletion<RequestGetStatus>(b, "MPI_Request_get_status"));
  out.push_back(BindCompletion<Cancel>(b, "MPI_Cancel"));
  out.push_back(Bind(b, "MPI_Probe", Probe));
  out.push_back(Bind(b, "MPI_Iprobe", Iprobe));
  out.push_back(Bind(b, "MPI_Mprobe", Mprobe));
  out.push_back(Bind(b, "MPI_Improbe", Improbe));
  out.push_back(Bind(b, "MPI_Mrecv", Mrecv));
  out.push_back(Bind(b, "MPI_Imrecv", Imrecv));
  out.push_back(Bind(b, "MPI_Buffer_attach", BufferAttach));
  out.push_back(Bind(b, "MPI_Buffer_detach", BufferDetach));
  AddStatusFunctions(b, out);
  AddGeneralizedRequests(b, out);
}

}  // namespace wasmhpc::mpi
