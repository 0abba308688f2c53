// MPI-IO data access: every read and write goes to the host MPI with the
// guest buffer in place (zero-copy) after Call::Buffer checked the whole
// extent of count x datatype. Nonblocking and split collective calls keep
// using the guest buffer until they complete; a guest's linear memory
// keeps its base address, so that is safe.
#include <algorithm>

#include "mpi-bridge/file_internal.h"
#include "mpi-bridge/request_util.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;

// A data access call's file, datatype and host buffer.
struct Access {
  FileEntry* file = nullptr;
  DatatypeEntry* type = nullptr;
  void* buffer = nullptr;
};

bool Prepare(Call& c, Handle fh, Ptr buf, int32_t count, Handle type,
             Access* a) {
  a->file = FindFile(c, fh);
  a->type = a->file ? c.Datatype(type) : nullptr;
  return a->type && c.Buffer(buf, count, *a->type, "buffer", &a->buffer);
}

// Checked before the host call, so a bad status pointer never follows a
// completed write.
bool StatusSlot(Call& c, Ptr status) {
  return status == abi::kStatusIgnore ||
         c.Ref<abi::Status>(status, "status") != nullptr;
}

int32_t Finished(Call& c, int32_t rc, Ptr status, const MPI_Status& st) {
  if (rc != abi::kSuccess) return rc;
  return c.WriteStatus(status, st) ? rc : c.error();
}

int32_t Started(Call& c, int32_t rc, MPI_Request r, Handle* out) {
  return rc != abi::kSuccess ? rc : NewRequest(c, r, false, out);
}

// (fh, offset, buf, count, datatype, status)
template <auto kHost>
int32_t AtBlocking(Call& c, Handle fh, int64_t offset, Ptr buf, int32_t count,
                   Handle type, Ptr status) {
  Access a;
  if (!Prepare(c, fh, buf, count, type, &a) || !StatusSlot(c, status)) {
    return c.error();
  }
  MPI_Status st{};
  int32_t rc = c.Host((c.mpi().*kHost)(a.file->host, offset, a.buffer, count,
                                       a.type->host, &st));
  return Finished(c, rc, status, st);
}

// (fh, offset, buf, count, datatype, request)
template <auto kHost>
int32_t AtNonblocking(Call& c, Handle fh, int64_t offset, Ptr buf,
                      int32_t count, Handle type, Ptr request) {
  Access a;
  if (!Prepare(c, fh, buf, count, type, &a)) return c.error();
  Handle* out = c.Ref<Handle>(request, "request");
  if (!out) return c.error();
  MPI_Request r = MPI_REQUEST_NULL;
  int32_t rc = c.Host((c.mpi().*kHost)(a.file->host, offset, a.buffer, count,
                                       a.type->host, &r));
  return Started(c, rc, r, out);
}

// (fh, offset, buf, count, datatype)
template <auto kHost>
int32_t AtBegin(Call& c, Handle fh, int64_t offset, Ptr buf, int32_t count,
                Handle type) {
  Access a;
  if (!Prepare(c, fh, buf, count, type, &a)) return c.error();
  return c.Host(
      (c.mpi().*kHost)(a.file->host, offset, a.buffer, count, a.type->host));
}

// (fh, buf, count, datatype, status)
template <auto kHost>
int32_t Blocking(Call& c, Handle fh, Ptr buf, int32_t count, Handle type,
                 Ptr status) {
  Access a;
  if (!Prepare(c, fh, buf, count, type, &a) || !StatusSlot(c, status)) {
    return c.error();
  }
  MPI_Status st{};
  int32_t rc = c.Host(
      (c.mpi().*kHost)(a.file->host, a.buffer, count, a.type->host, &st));
  return Finished(c, rc, status, st);
}

// (fh, buf, count, datatype, request)
template <auto kHost>
int32_t Nonblocking(Call& c, Handle fh, Ptr buf, int32_t count, Handle type,
                    Ptr request) {
  Access a;
  if (!Prepare(c, fh, buf, count, type, &a)) return c.error();
  Handle* out = c.Ref<Handle>(request, "request");
  if (!out) return c.error();
  MPI_Request r = MPI_REQUEST_NULL;
  int32_t rc =
      c.Host((c.mpi().*kHost)(a.file->host, a.buffer, count, a.type->host, &r));
  return Started(c, rc, r, out);
}

// (fh, buf, count, datatype)
template <auto kHost>
int32_t Begin(Call& c, Handle fh, Ptr buf, int32_t count, Handle type) {
  Access a;
  if (!Prepare(c, fh, buf, count, type, &a)) return c.error();
  return c.Host((c.mpi().*kHost)(a.file->host, a.buffer, count, a.type->host));
}

// (fh, buf, status): the begin call's buffer is the one completed; `buf`
// is only translated (the host MPI does not read it).
template <auto kHost>
int32_t End(Call& c, Handle fh, Ptr buf, Ptr status) {
  FileEntry* f = FindFile(c, fh);
  if (!f || !StatusSlot(c, status)) return c.error();
  void* b =
      c.Bytes(std::min<uint64_t>(buf, c.host().memory().size()), 0, "buffer");
  if (!b) return c.error();
  MPI_Status st{};
  int32_t rc = c.Host((c.mpi().*kHost)(f->host, b, &st));
  return Finished(c, rc, status, st);
}

using T = MpiTransport;

}  // namespace

void AddFileDataAccess(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_File_read_at", AtBlocking<&T::File_read_at>));
  out.push_back(
      Bind(b, "MPI_File_read_at_all", AtBlocking<&T::File_read_at_all>));
  out.push_back(Bind(b, "MPI_File_write_at", AtBlocking<&T::File_write_at>));
  out.push_back(
      Bind(b, "MPI_File_write_at_all", AtBlocking<&T::File_write_at_all>));
  out.push_back(Bind(b, "MPI_File_iread_at", AtNonblocking<&T::File_iread_at>));
  out.push_back(
      Bind(b, "MPI_File_iread_at_all", AtNonblocking<&T::File_iread_at_all>));
  out.push_back(
      Bind(b, "MPI_File_iwrite_at", AtNonblocking<&T::File_iwrite_at>));
  out.push_back(
      Bind(b, "MPI_File_iwrite_at_all", AtNonblocking<&T::File_iwrite_at_all>));
  out.push_back(Bind(b, "MPI_File_read_at_all_begin",
                     AtBegin<&T::File_read_at_all_begin>));
  out.push_back(Bind(b, "MPI_File_write_at_all_begin",
                     AtBegin<&T::File_write_at_all_begin>));

  out.push_back(Bind(b, "MPI_File_read", Blocking<&T::File_read>));
  out.push_back(Bind(b, "MPI_File_read_all", Blocking<&T::File_read_all>));
  out.push_back(
      Bind(b, "MPI_File_read_shared", Blocking<&T::File_read_shared>));
  out.push_back(
      Bind(b, "MPI_File_read_ordered", Blocking<&T::File_read_ordered>));
  out.push_back(Bind(b, "MPI_File_write", Blocking<&T::File_write>));
  out.push_back(Bind(b, "MPI_File_write_all", Blocking<&T::File_write_all>));
  out.push_back(
      Bind(b, "MPI_File_write_shared", Blocking<&T::File_write_shared>));
  out.push_back(
      Bind(b, "MPI_File_write_ordered", Blocking<&T::File_write_ordered>));
  out.push_back(Bind(b, "MPI_File_iread", Nonblocking<&T::File_iread>));
  out.push_back(Bind(b, "MPI_File_iread_all", Nonblocking<&T::File_iread_all>));
  out.push_back(
      Bind(b, "MPI_File_iread_shared", Nonblocking<&T::File_iread_shared>));
  out.push_back(Bind(b, "MPI_File_iwrite", Nonblocking<&T::File_iwrite>));
  out.push_back(
      Bind(b, "MPI_File_iwrite_all", Nonblocking<&T::File_iwrite_all>));
  out.push_back(
      Bind(b, "MPI_File_iwrite_shared", Nonblocking<&T::File_iwrite_shared>));
  out.push_back(
      Bind(b, "MPI_File_read_all_begin", Begin<&T::File_read_all_begin>));
  out.push_back(Bind(b, "MPI_File_read_ordered_begin",
                     Begin<&T::File_read_ordered_begin>));
  out.push_back(
      Bind(b, "MPI_File_write_all_begin", Begin<&T::File_write_all_begin>));
  out.push_back(Bind(b, "MPI_File_write_ordered_begin",
                     Begin<&T::File_write_ordered_begin>));

  out.push_back(
      Bind(b, "MPI_File_read_at_all_end", End<&T::File_read_at_all_end>));
  out.push_back(Bind(b, "MPI_File_read_all_end", End<&T::File_read_all_end>));
  out.push_back(
      Bind(b, "MPI_File_read_ordered_end", End<&T::File_read_ordered_end>));
  out.push_back(
      Bind(b, "MPI_File_write_at_all_end", End<&T::File_write_at_all_end>));
  out.push_back(Bind(b, "MPI_File_write_all_end", End<&T::File_write_all_end>));
  out.push_back(
      Bind(b, "MPI_File_write_ordered_end", End<&T::File_write_ordered_end>));
}

}  // namespace wasmhpc::mpi
