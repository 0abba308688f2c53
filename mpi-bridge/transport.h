// MpiTransport: the host MPI as an interface, so the bridge is unit-tested
// with a fake (fake_transport.h) and runs on Open MPI (ompi_transport.h).
//
// Each method is the MPI function of the same name, in the host's types
// (Open MPI's <mpi.h>). The list below is the one place a host function is
// declared; add a row to use a new one. Thread safety: as the host MPI.
#ifndef WASMHPC_MPI_BRIDGE_TRANSPORT_H_
#define WASMHPC_MPI_BRIDGE_TRANSPORT_H_

#include <mpi.h>

namespace wasmhpc::mpi {

// X(name, (parameters), (arguments))
#define WASMHPC_MPI_TRANSPORT_FUNCTIONS(X)                                     \
  /* environment */                                                            \
  X(Abort, (MPI_Comm comm, int code), (comm, code))                            \
  X(Get_processor_name, (char* name, int* len), (name, len))                   \
  X(Get_library_version, (char* v, int* len), (v, len))                        \
  X(Error_string, (int code, char* s, int* len), (code, s, len))               \
  X(Error_class, (int code, int* cls), (code, cls))                            \
  X(Query_thread, (int* provided), (provided))                                 \
  X(Comm_set_errhandler, (MPI_Comm comm, MPI_Errhandler eh), (comm, eh))       \
  /* point to point */                                                         \
  X(Send, (const void* b, int n, MPI_Datatype t, int dst, int tag, MPI_Comm c),\
    (b, n, t, dst, tag, c))                                                    \
  X(Ssend, (const void* b, int n, MPI_Datatype t, int dst, int tag,            \
            MPI_Comm c), (b, n, t, dst, tag, c))                               \
  X(Rsend, (const void* b, int n, MPI_Datatype t, int dst, int tag,            \
            MPI_Comm c), (b, n, t, dst, tag, c))                               \
  X(Bsend, (const void* b, int n, MPI_Datatype t, int dst, int tag,            \
            MPI_Comm c), (b, n, t, dst, tag, c))                               \
  X(Recv, (void* b, int n, MPI_Datatype t, int src, int tag, MPI_Comm c,       \
           MPI_Status* s), (b, n, t, src, tag, c, s))                          \
  X(Sendrecv, (const void* sb, int sn, MPI_Datatype st, int dst, int stag,     \
               void* rb, int rn, MPI_Datatype rt, int src, int rtag,           \
               MPI_Comm c, MPI_Status* s),                                     \
    (sb, sn, st, dst, stag, rb, rn, rt, src, rtag, c, s))                      \
  X(Sendrecv_replace, (void* b, int n, MPI_Datatype t, int dst, int stag,      \
                       int src, int rtag, MPI_Comm c, MPI_Status* s),          \
    (b, n, t, dst, stag, src, rtag, c, s))                                     \
  X(Isend, (const void* b, int n, MPI_Datatype t, int dst, int tag,            \
            MPI_Comm c, MPI_Request* r), (b, n, t, dst, tag, c, r))            \
  X(Issend, (const void* b, int n, MPI_Datatype t, int dst, int tag,           \
             MPI_Comm c, MPI_Request* r), (b, n, t, dst, tag, c, r))           \
  X(Irsend, (const void* b, int n, MPI_Datatype t, int dst, int tag,           \
             MPI_Comm c, MPI_Request* r), (b, n, t, dst, tag, c, r))           \
  X(Ibsend, (const void* b, int n, MPI_Datatype t, int dst, int tag,           \
             MPI_Comm c, MPI_Request* r), (b, n, t, dst, tag, c, r))           \
  X(Irecv, (void* b, int n, MPI_Datatype t, int src, int tag, MPI_Comm c,      \
            MPI_Request* r), (b, n, t, src, tag, c, r))                        \
  X(Send_init, (const void* b, int n, MPI_Datatype t, int dst, int tag,        \
                MPI_Comm c, MPI_Request* r), (b, n, t, dst, tag, c, r))        \
  X(Ssend_init, (const void* b, int n, MPI_Datatype t, int dst, int tag,       \
                 MPI_Comm c, MPI_Request* r), (b, n, t, dst, tag, c, r))       \
  X(Rsend_init, (const void* b, int n, MPI_Datatype t, int dst, int tag,       \
                 MPI_Comm c, MPI_Request* r), (b, n, t, dst, tag, c, r))       \
  X(Bsend_init, (const void* b, int n, MPI_Datatype t, int dst, int tag,       \
                 MPI_Comm c, MPI_Request* r), (b, n, t, dst, tag, c, r))       \
  X(Recv_init, (void* b, int n, MPI_Datatype t, int src, int tag, MPI_Comm c,  \
                MPI_Request* r), (b, n, t, src, tag, c, r))                    \
  X(Start, (MPI_Request* r), (r))                                              \
  X(Startall, (int n, MPI_Request* r), (n, r))                                 \
  X(Waitall, (int n, MPI_Request* r, MPI_Status* s), (n, r, s))                \
  X(Waitany, (int n, MPI_Request* r, int* index, MPI_Status* s),               \
    (n, r, index, s))                                                          \
  X(Waitsome, (int n, MPI_Request* r, int* outcount, int* indices,             \
               MPI_Status* s), (n, r, outcount, indices, s))                   \
  X(Testall, (int n, MPI_Request* r, int* flag, MPI_Status* s),                \
    (n, r, flag, s))                                                           \
  X(Testany, (int n, MPI_Request* r, int* index, int* flag, MPI_Status* s),    \
    (n, r, index, flag, s))                                                    \
  X(Testsome, (int n, MPI_Request* r, int* outcount, int* indices,             \
               MPI_Status* s), (n, r, outcount, indices, s))                   \
  X(Wait, (MPI_Request* r, MPI_Status* s), (r, s))                             \
  X(Test, (MPI_Request* r, int* flag, MPI_Status* s), (r, flag, s))            \
  X(Request_get_status, (MPI_Request r, int* flag, MPI_Status* s),             \
    (r, flag, s))                                                              \
  X(Cancel, (MPI_Request* r), (r))                                             \
  X(Request_free, (MPI_Request* r), (r))                                       \
  X(Probe, (int src, int tag, MPI_Comm c, MPI_Status* s), (src, tag, c, s))    \
  X(Iprobe, (int src, int tag, MPI_Comm c, int* flag, MPI_Status* s),          \
    (src, tag, c, flag, s))                                                    \
  X(Mprobe, (int src, int tag, MPI_Comm c, MPI_Message* m, MPI_Status* s),     \
    (src, tag, c, m, s))                                                       \
  X(Improbe, (int src, int tag, MPI_Comm c, int* flag, MPI_Message* m,         \
              MPI_Status* s), (src, tag, c, flag, m, s))                       \
  X(Mrecv, (void* b, int n, MPI_Datatype t, MPI_Message* m, MPI_Status* s),    \
    (b, n, t, m, s))                                                           \
  X(Imrecv, (void* b, int n, MPI_Datatype t, MPI_Message* m, MPI_Request* r),  \
    (b, n, t, m, r))                                                           \
  X(Buffer_attach, (void* b, int size), (b, size))                             \
  X(Buffer_detach, (void* b, int* size), (b, size))                            \
  X(Get_elements_x, (const MPI_Status* s, MPI_Datatype t, MPI_Count* n),       \
    (s, t, n))                                                                 \
  /* collectives */                                                            \
  X(Barrier, (MPI_Comm c), (c))                                                \
  X(Bcast, (void* b, int n, MPI_Datatype t, int root, MPI_Comm c),             \
    (b, n, t, root, c))                                                        \
  X(Reduce, (const void* sb, void* rb, int n, MPI_Datatype t, MPI_Op op,       \
             int root, MPI_Comm c), (sb, rb, n, t, op, root, c))               \
  X(Allreduce, (const void* sb, void* rb, int n, MPI_Datatype t, MPI_Op op,    \
                MPI_Comm c), (sb, rb, n, t, op, c))                            \
  X(Gather, (const void* sb, int sn, MPI_Datatype st, void* rb, int rn,        \
             MPI_Datatype rt, int root, MPI_Comm c),                           \
    (sb, sn, st, rb, rn, rt, root, c))                                         \
  X(Scatter, (const void* sb, int sn, MPI_Datatype st, void* rb, int rn,       \
              MPI_Datatype rt, int root, MPI_Comm c),                          \
    (sb, sn, st, rb, rn, rt, root, c))                                         \
  X(Allgather, (const void* sb, int sn, MPI_Datatype st, void* rb, int rn,     \
                MPI_Datatype rt, MPI_Comm c), (sb, sn, st, rb, rn, rt, c))     \
  X(Alltoall, (const void* sb, int sn, MPI_Datatype st, void* rb, int rn,      \
               MPI_Datatype rt, MPI_Comm c), (sb, sn, st, rb, rn, rt, c))      \
  /* communicators */                                                          \
  X(Comm_size, (MPI_Comm c, int* size), (c, size))                             \
  X(Comm_rank, (MPI_Comm c, int* rank), (c, rank))                             \
  X(Comm_dup, (MPI_Comm c, MPI_Comm* out), (c, out))                           \
  X(Comm_split, (MPI_Comm c, int color, int key, MPI_Comm* out),               \
    (c, color, key, out))                                                      \
  X(Comm_free, (MPI_Comm* c), (c))                                             \
  /* datatypes */                                                              \
  X(Type_size_x, (MPI_Datatype t, MPI_Count* size), (t, size))                 \
  X(Type_get_extent_x, (MPI_Datatype t, MPI_Count* lb, MPI_Count* extent),     \
    (t, lb, extent))                                                           \
  X(Type_get_true_extent_x, (MPI_Datatype t, MPI_Count* lb,                    \
                             MPI_Count* extent), (t, lb, extent))              \
  X(Type_contiguous, (int n, MPI_Datatype t, MPI_Datatype* out), (n, t, out))  \
  X(Type_vector, (int n, int len, int stride, MPI_Datatype t,                  \
                  MPI_Datatype* out), (n, len, stride, t, out))                \
  X(Type_commit, (MPI_Datatype* t), (t))                                       \
  X(Type_free, (MPI_Datatype* t), (t))

class MpiTransport {
 public:
  virtual ~MpiTransport() = default;

#define WASMHPC_DECLARE(name, params, args) virtual int name params = 0;
  WASMHPC_MPI_TRANSPORT_FUNCTIONS(WASMHPC_DECLARE)
#undef WASMHPC_DECLARE
};

// Every call fails with MPI_ERR_OTHER: a base for fakes, and a stand-in
// where functions are listed but never called.
class NullTransport : public MpiTransport {
 public:
#define WASMHPC_FAIL(name, params, args) \
  int name params override { return MPI_ERR_OTHER; }
  WASMHPC_MPI_TRANSPORT_FUNCTIONS(WASMHPC_FAIL)
#undef WASMHPC_FAIL
};

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_TRANSPORT_H_
