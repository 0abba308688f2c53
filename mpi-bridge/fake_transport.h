// FakeTransport: a recording MpiTransport for bridge unit tests. Point to
// point calls are recorded; a receive is answered with `next_status`.
// Everything else fails with MPI_ERR_OTHER (NullTransport).
#ifndef WASMHPC_MPI_BRIDGE_FAKE_TRANSPORT_H_
#define WASMHPC_MPI_BRIDGE_FAKE_TRANSPORT_H_

#include <cstring>

#include "mpi-bridge/transport.h"

namespace wasmhpc::mpi {

class FakeTransport : public NullTransport {
 public:
  struct Message {
    const void* buffer = nullptr;
    int count = 0;
    MPI_Datatype type = MPI_DATATYPE_NULL;
    int peer = 0;
    int tag = 0;
    MPI_Comm comm = MPI_COMM_NULL;
  };

  int rank = 0;
  int size = 4;
  Message last;
  MPI_Status next_status{};
  MPI_Status* last_status = nullptr;  // the status argument of the last Recv
  int sends = 0;

  int Comm_rank(MPI_Comm c, int* r) override {
    *r = c == MPI_COMM_SELF ? 0 : rank;
    return MPI_SUCCESS;
  }
  int Comm_size(MPI_Comm c, int* s) override {
    *s = c == MPI_COMM_SELF ? 1 : size;
    return MPI_SUCCESS;
  }
  int Comm_set_errhandler(MPI_Comm, MPI_Errhandler) override {
    return MPI_SUCCESS;
  }
  // Duplicates (made by windows and files for their barriers) are
  // counted: `dups` made, `comm_frees` freed, `barriers` entered.
  int dups = 0, comm_frees = 0, barriers = 0;
  int Comm_dup(MPI_Comm, MPI_Comm* out) override {
    *out = reinterpret_cast<MPI_Comm>(0x7000 + 0x10 * ++dups);
    return MPI_SUCCESS;
  }
  int Comm_free(MPI_Comm* c) override {
    ++comm_frees;
    *c = MPI_COMM_NULL;
    return MPI_SUCCESS;
  }
  int Barrier(MPI_Comm) override {
    ++barriers;
    return MPI_SUCCESS;
  }
  int Send(const void* b, int n, MPI_Datatype t, int dst, int tag,
           MPI_Comm c) override {
    last = {b, n, t, dst, tag, c};
    ++sends;
    return MPI_SUCCESS;
  }
  int Recv(void* b, int n, MPI_Datatype t, int src, int tag, MPI_Comm c,
           MPI_Status* s) override {
    last = {b, n, t, src, tag, c};
    last_status = s;
    if (s != MPI_STATUS_IGNORE) *s = next_status;
    return MPI_SUCCESS;
  }
  int Error_class(int code, int* cls) override {
    *cls = code;
    return MPI_SUCCESS;
  }
  int Error_string(int code, char* s, int* len) override {
    *len = std::snprintf(s, MPI_MAX_ERROR_STRING, "host error %d", code);
    return MPI_SUCCESS;
  }
};

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_FAKE_TRANSPORT_H_
