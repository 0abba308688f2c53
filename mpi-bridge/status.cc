// MPI_Status accessors: MPI_Get_count, MPI_Get_elements(_x),
// MPI_Test_cancelled and the setters generalized requests' query functions
// use (MPI_Status_set_elements(_x), MPI_Status_set_cancelled). The guest's
// status layout is abi::Status.
#include <limits>
#include <vector>

#include "absl/strings/str_format.h"
#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;

int32_t GetCount(Call& c, Ptr status, Handle type, Ptr count) {
  abi::Status* s = c.Ref<abi::Status>(status, "status");
  DatatypeEntry* t = s ? c.Datatype(type) : nullptr;
  int32_t* out = t ? c.Ref<int32_t>(count, "count") : nullptr;
  if (!out) return c.error();
  int64_t bytes = (int64_t{s->count_hi} << 32) | s->count_lo;
  if (t->size == 0) {
    *out = bytes == 0 ? 0 : abi::kUndefined;
  } else {
    *out = bytes % t->size ? abi::kUndefined
                           : static_cast<int32_t>(bytes / t->size);
  }
  return abi::kSuccess;
}

// MPI_Get_elements(_x): derived types need the host's element counting.
int64_t Elements(Call& c, const abi::Status& s, const DatatypeEntry& t) {
  MPI_Status host;
  ToHostStatus(s, &host);
  MPI_Count n = 0;
  if (c.Host(c.mpi().Get_elements_x(&host, t.host, &n))) return -1;
  return n == MPI_UNDEFINED ? abi::kUndefined : n;
}

// MPI_Get_elements (T = int32_t: MPI_UNDEFINED past INT32_MAX) and
// MPI_Get_elements_x (T = int64_t).
template <typename T>
int32_t GetElements(Call& c, Ptr status, Handle type, Ptr count) {
  abi::Status* s = c.Ref<abi::Status>(status, "status");
  DatatypeEntry* t = s ? c.Datatype(type) : nullptr;
  T* out = t ? c.Ref<T>(count, "count") : nullptr;
  if (!out) return c.error();
  int64_t n = Elements(c, *s, *t);
  if (n == -1) return c.error();
  *out =
      n > std::numeric_limits<T>::max() ? abi::kUndefined : static_cast<T>(n);
  return abi::kSuccess;
}

int32_t TestCancelled(Call& c, Ptr status, Ptr flag) {
  abi::Status* s = c.Ref<abi::Status>(status, "status");
  return s && c.Write<int32_t>(flag, s->cancelled != 0, "flag") ? abi::kSuccess
                                                                : c.error();
}

int32_t StatusSetCancelled(Call& c, Ptr status, int32_t flag) {
  abi::Status* s = c.Ref<abi::Status>(status, "status");
  if (!s) return c.error();
  s->cancelled = flag != 0;
  return abi::kSuccess;
}

// MPI_Status_set_elements(_x): the count kept is in bytes of `type`.
int32_t SetElements(Call& c, Ptr status, Handle type, int64_t count) {
  abi::Status* s = c.Ref<abi::Status>(status, "status");
  DatatypeEntry* t = s ? c.Datatype(type) : nullptr;
  if (!t) return c.error();
  if (count < 0) {
    return c.Fail(abi::kErrCount, absl::StrFormat("negative count %d", count));
  }
  uint64_t bytes = static_cast<uint64_t>(count) * t->size;
  s->count_lo = static_cast<uint32_t>(bytes);
  s->count_hi = static_cast<uint32_t>(bytes >> 32);
  return abi::kSuccess;
}

int32_t StatusSetElements(Call& c, Ptr status, Handle type, int32_t count) {
  return SetElements(c, status, type, count);
}

}  // namespace

void AddStatusFunctions(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Get_count", GetCount, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Get_elements", GetElements<int32_t>));
  out.push_back(Bind(b, "MPI_Get_elements_x", GetElements<int64_t>));
  out.push_back(Bind(b, "MPI_Test_cancelled", TestCancelled));
  out.push_back(Bind(b, "MPI_Status_set_cancelled", StatusSetCancelled));
  out.push_back(Bind(b, "MPI_Status_set_elements", StatusSetElements));
  out.push_back(Bind(b, "MPI_Status_set_elements_x", SetElements));
}

}  // namespace wasmhpc::mpi
