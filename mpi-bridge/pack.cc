// Packing: MPI_Pack/Unpack (host format), MPI_Pack_external/Unpack_external
// ("external32"), their size queries, and address arithmetic on the
// guest's 32-bit MPI_Aint.
//
// The packed buffer is checked as a whole [buf, buf + size) and the
// position must lie inside it; the host then never writes or reads past
// it. Positions are read from and written back to guest memory.
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "mpi-bridge/datatype_internal.h"
#include "mpi-bridge/guest_data.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;

// The data representation name ("external32"); longer names come back
// cut, which the host then refuses.
bool Datarep(Call& c, Ptr p, std::string* out) {
  std::optional<std::string> text = ReadCString(c, p, 64, "datarep");
  if (text) *out = std::move(*text);
  return text.has_value();
}

// Host pointer to the packed buffer [p, p + size) with `position` in it.
void* PackedBuffer(Call& c, Ptr p, int64_t size, int64_t position,
                   const char* what) {
  if (size < 0) {
    c.Fail(abi::kErrArg, absl::StrFormat("negative %s size %d", what, size));
    return nullptr;
  }
  if (position < 0 || position > size) {
    c.Fail(abi::kErrArg, absl::StrFormat("position %d outside %s of %d bytes",
                                         position, what, size));
    return nullptr;
  }
  return c.Bytes(p, size, what);
}

int32_t Pack(Call& c, Ptr inbuf, int32_t incount, Handle type, Ptr outbuf,
             int32_t outsize, Ptr position, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* t = cm ? c.Datatype(type) : nullptr;
  int32_t* pos = t ? c.Ref<int32_t>(position, "position") : nullptr;
  void* in;
  void* out = pos && c.Buffer(inbuf, incount, *t, "inbuf", &in)
                  ? PackedBuffer(c, outbuf, outsize, *pos, "outbuf")
                  : nullptr;
  if (!out) return c.error();
  int host_position = *pos;
  int32_t rc = c.Host(c.mpi().Pack(in, incount, t->host, out, outsize,
                                   &host_position, cm->host));
  if (rc == abi::kSuccess) *pos = host_position;
  return rc;
}

int32_t Unpack(Call& c, Ptr inbuf, int32_t insize, Ptr position, Ptr outbuf,
               int32_t outcount, Handle type, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* t = cm ? c.Datatype(type) : nullptr;
  int32_t* pos = t ? c.Ref<int32_t>(position, "position") : nullptr;
  void* out;
  void* in = pos && c.Buffer(outbuf, outcount, *t, "outbuf", &out)
                 ? PackedBuffer(c, inbuf, insize, *pos, "inbuf")
                 : nullptr;
  if (!in) return c.error();
  int host_position = *pos;
  int32_t rc = c.Host(c.mpi().Unpack(in, insize, &host_position, out, outcount,
                                     t->host, cm->host));
  if (rc == abi::kSuccess) *pos = host_position;
  return rc;
}

int32_t PackSize(Call& c, int32_t incount, Handle type, Handle comm, Ptr size) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* t = cm ? c.Datatype(type) : nullptr;
  int32_t* out = t ? c.Ref<int32_t>(size, "size") : nullptr;
  if (!out || !c.Count(incount, "incount")) return c.error();
  int host_size = 0;
  int32_t rc =
      c.Host(c.mpi().Pack_size(incount, t->host, cm->host, &host_size));
  if (rc == abi::kSuccess) *out = host_size;
  return rc;
}

// A guest MPI_Aint (32-bit) result; fails if it does not fit.
int32_t WriteAint(Call& c, int32_t* out, MPI_Aint value, const char* what) {
  if (value < INT32_MIN || value > INT32_MAX) {
    return c.Fail(abi::kErrCount,
                  absl::StrFormat("%s %d does not fit the guest's 32-bit "
                                  "MPI_Aint",
                                  what, value));
  }
  *out = static_cast<int32_t>(value);
  return abi::kSuccess;
}

int32_t PackExternal(Call& c, Ptr datarep, Ptr inbuf, int32_t incount,
                     Handle type, Ptr outbuf, int32_t outsize, Ptr position) {
  std::string rep;
  DatatypeEntry* t = Datarep(c, datarep, &rep) ? c.Datatype(type) : nullptr;
  int32_t* pos = t ? c.Ref<int32_t>(position, "position") : nullptr;
  void* in;
  void* out = pos && c.Buffer(inbuf, incount, *t, "inbuf", &in)
                  ? PackedBuffer(c, outbuf, outsize, *pos, "outbuf")
                  : nullptr;
  if (!out) return c.error();
  MPI_Aint host_position = *pos;
  if (int32_t rc = c.Host(c.mpi().Pack_external(
          rep.c_str(), in, incount, t->host, out, outsize, &host_position))) {
    return rc;
  }
  return WriteAint(c, pos, host_position, "position");
}

int32_t UnpackExternal(Call& c, Ptr datarep, Ptr inbuf, int32_t insize,
                       Ptr position, Ptr outbuf, int32_t outcount,
                       Handle type) {
  std::string rep;
  DatatypeEntry* t = Datarep(c, datarep, &rep) ? c.Datatype(type) : nullptr;
  int32_t* pos = t ? c.Ref<int32_t>(position, "position") : nullptr;
  void* out;
  void* in = pos && c.Buffer(outbuf, outcount, *t, "outbuf", &out)
                 ? PackedBuffer(c, inbuf, insize, *pos, "inbuf")
                 : nullptr;
  if (!in) return c.error();
  MPI_Aint host_position = *pos;
  if (int32_t rc = c.Host(c.mpi().Unpack_external(
          rep.c_str(), in, insize, &host_position, out, outcount, t->host))) {
    return rc;
  }
  return WriteAint(c, pos, host_position, "position");
}

int32_t PackExternalSize(Call& c, Ptr datarep, int32_t incount, Handle type,
                         Ptr size) {
  std::string rep;
  DatatypeEntry* t = Datarep(c, datarep, &rep) ? c.Datatype(type) : nullptr;
  int32_t* out = t ? c.Ref<int32_t>(size, "size") : nullptr;
  if (!out || !c.Count(incount, "incount")) return c.error();
  MPI_Aint host_size = 0;
  if (int32_t rc = c.Host(c.mpi().Pack_external_size(rep.c_str(), incount,
                                                     t->host, &host_size))) {
    return rc;
  }
  return WriteAint(c, out, host_size, "size");
}

// The guest's address of `location`: its pointer value, so that with
// MPI_BOTTOM (guest address 0 = the base of linear memory) absolute
// addresses work. Nothing is accessed.
int32_t GetAddress(Call& c, Ptr location, Ptr address) {
  return c.Write<int32_t>(address, static_cast<int32_t>(location), "address")
             ? abi::kSuccess
             : c.error();
}

// Value-returning: wasm32 address arithmetic (wraps modulo 2^32).
uint32_t AintAdd(Call&, uint32_t base, uint32_t disp) { return base + disp; }
uint32_t AintDiff(Call&, uint32_t addr1, uint32_t addr2) {
  return addr1 - addr2;
}

}  // namespace

void AddPacking(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Pack", Pack));
  out.push_back(Bind(b, "MPI_Unpack", Unpack));
  out.push_back(Bind(b, "MPI_Pack_size", PackSize));
  out.push_back(Bind(b, "MPI_Pack_external", PackExternal));
  out.push_back(Bind(b, "MPI_Unpack_external", UnpackExternal));
  out.push_back(Bind(b, "MPI_Pack_external_size", PackExternalSize));
  out.push_back(Bind(b, "MPI_Get_address", GetAddress, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Aint_add", AintAdd, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Aint_diff", AintDiff, When::kAnyTime));
}

}  // namespace wasmhpc::mpi
