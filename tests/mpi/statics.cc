// C++ static constructors and destructors run exactly once, however often
// the host calls into the guest: each MPI call below makes the host call
// guest code (malloc and free for MPI_Alloc_mem, MPI_Win_allocate and
// predefined attributes; an attribute copy and delete function; a user op;
// an error handler, each with arguments in guest memory). The statics own
// heap memory, as real programs' do, and every step prints how many were
// constructed and destroyed so far. Prints deterministic lines that must
// match between native and Wasm.
#include <mpi.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

static int rank, size;

#include "mpi_check.h"

namespace {

int constructed = 0, destroyed = 0;

// A static object with heap memory that counts its constructions.
struct Counted {
  explicit Counted(const char* n) : name(n), marks(64, ++constructed) {}
  ~Counted() {
    ++destroyed;
    std::printf("rank %d: ~Counted(%s): constructed=%d destroyed=%d\n", rank,
                name.c_str(), constructed, destroyed);
  }
  std::string name;
  std::vector<int> marks;
};

Counted first("first"), second("second");
std::vector<std::string> events;  // what the callbacks saw, in order

void Report(const char* step) {
  std::printf("rank %d: after %s: constructed=%d destroyed=%d marks=%d,%d\n",
              rank, step, constructed, destroyed, first.marks.back(),
              second.marks.back());
}

int CopyAttr(MPI_Comm, int, void*, void* in, void* out, int* flag) {
  intptr_t value = reinterpret_cast<intptr_t>(in);
  events.push_back("copy " + std::to_string(value));
  *static_cast<void**>(out) = reinterpret_cast<void*>(value + 1);
  *flag = 1;
  return MPI_SUCCESS;
}

int DeleteAttr(MPI_Comm, int, void* value, void*) {
  events.push_back("delete " +
                   std::to_string(reinterpret_cast<intptr_t>(value)));
  return MPI_SUCCESS;
}

// inout[i] = in[i] * 10 + inout[i]: the order of operands shows.
void Shift(void* in, void* inout, int* len, MPI_Datatype*) {
  const int* x = static_cast<const int*>(in);
  int* y = static_cast<int*>(inout);
  for (int i = 0; i < *len; ++i) y[i] = x[i] * 10 + y[i];
  events.push_back("op");
}

void Handler(MPI_Comm*, int* code, ...) {
  int error_class = -1;
  MPI_Error_class(*code, &error_class);
  events.push_back(error_class == MPI_ERR_OTHER ? "handler MPI_ERR_OTHER"
                                                : "handler other class");
}

void AllocMem() {
  int* mem = nullptr;
  CHECK(MPI_Alloc_mem(64 * sizeof(int), MPI_INFO_NULL, &mem));
  for (int i = 0; i < 64; ++i) mem[i] = i;
  long sum = 0;
  for (int i = 0; i < 64; ++i) sum += mem[i];
  CHECK(MPI_Free_mem(mem));
  std::printf("rank %d: Alloc_mem sum=%ld\n", rank, sum);
}

void WinAllocate() {
  int* base = nullptr;
  MPI_Win win;
  CHECK(MPI_Win_allocate(sizeof(int), sizeof(int), MPI_INFO_NULL,
                         MPI_COMM_WORLD, &base, &win));
  *base = -1;
  CHECK(MPI_Win_fence(0, win));
  int mine = 100 + rank;
  CHECK(MPI_Put(&mine, 1, MPI_INT, (rank + 1) % size, 0, 1, MPI_INT, win));
  CHECK(MPI_Win_fence(0, win));
  std::printf("rank %d: Win_allocate got %d\n", rank, *base);
  CHECK(MPI_Win_free(&win));
}

void Attributes() {
  int keyval;
  CHECK(MPI_Comm_create_keyval(CopyAttr, DeleteAttr, &keyval, nullptr));
  MPI_Comm a, b;
  CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &a));
  CHECK(MPI_Comm_set_attr(a, keyval, reinterpret_cast<void*>(intptr_t{7})));
  CHECK(MPI_Comm_dup(a, &b));
  CHECK(MPI_Comm_free(&b));
  CHECK(MPI_Comm_free(&a));
  CHECK(MPI_Comm_free_keyval(&keyval));
  void* tag_ub = nullptr;
  int flag = 0;
  CHECK(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &tag_ub, &flag));
  std::printf("rank %d: MPI_TAG_UB flag=%d at least 32767: %d\n", rank, flag,
              flag && *static_cast<int*>(tag_ub) >= 32767);
}

void UserOp() {
  MPI_Op op;
  CHECK(MPI_Op_create(Shift, 0, &op));
  int in[2] = {1, 2}, inout[2] = {3, 4};
  CHECK(MPI_Reduce_local(in, inout, 2, MPI_INT, op));
  int mine = rank + 1, all = 0;
  CHECK(MPI_Allreduce(&mine, &all, 1, MPI_INT, op, MPI_COMM_WORLD));
  CHECK(MPI_Op_free(&op));
  std::printf("rank %d: Reduce_local %d %d, Allreduce %d\n", rank, inout[0],
              inout[1], all);
}

void ErrorHandler() {
  MPI_Errhandler handler;
  CHECK(MPI_Comm_create_errhandler(Handler, &handler));
  MPI_Comm comm;
  CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &comm));
  CHECK(MPI_Comm_set_errhandler(comm, handler));
  CHECK(MPI_Comm_call_errhandler(comm, MPI_ERR_OTHER));
  CHECK(MPI_Comm_free(&comm));
  CHECK(MPI_Errhandler_free(&handler));
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  Report("MPI_Init");
  AllocMem();
  Report("MPI_Alloc_mem/MPI_Free_mem");
  WinAllocate();
  Report("MPI_Win_allocate");
  Attributes();
  Report("attribute callbacks");
  UserOp();
  Report("user op");
  ErrorHandler();
  Report("error handler");
  // Allreduce calls the op a number of times that depends on the algorithm.
  size_t shown = 0;
  for (const std::string& e : events) {
    if (e != "op")
      std::printf("rank %d: event %zu: %s\n", rank, shown++, e.c_str());
  }
  MPI_Finalize();
  Report("MPI_Finalize");
  return 0;
}
