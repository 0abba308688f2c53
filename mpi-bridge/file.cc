// MPI-IO: opening, closing and deleting files confined by the bridge's
// FileSystemGate, views, sizes, positions, hints and file error handlers.
// Data access is in file_data.cc.
//
// MPI_File_open is collective: every rank resolves the path with the gate,
// and the ranks agree (an MPI_MAX reduction of the error class) before the
// host MPI is called, so either all ranks open or none do. The host MPI
// only ever sees a path the gate returned.
#include <string>

#include "absl/strings/str_format.h"
#include "mpi-bridge/datatype_internal.h"
#include "mpi-bridge/errhandler.h"
#include "mpi-bridge/file_internal.h"
#include "mpi-bridge/group.h"
#include "mpi-bridge/guest_data.h"
#include "mpi-bridge/info.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;

// Guest (ABI) MPI_MODE_* bits.
constexpr int32_t kModeAppend = 1, kModeCreate = 2, kModeDeleteOnClose = 4,
                  kModeExcl = 8, kModeRdonly = 16, kModeRdwr = 32,
                  kModeSequential = 64, kModeUniqueOpen = 128,
                  kModeWronly = 256;
// Guest MPI_SEEK_* values and MPI_DISPLACEMENT_CURRENT.
constexpr int32_t kSeekSet = 401, kSeekCur = 402, kSeekEnd = 403;
constexpr int64_t kDisplacementCurrent = -1;
// Longest file name the bridge reads (PATH_MAX).
constexpr size_t kMaxFilename = 4096;
constexpr int32_t kMaxDatarepString = 128;

// Checks the guest's amode and translates it to the host's bits.
bool HostAmode(Call& c, int32_t amode, int* out) {
  static constexpr std::pair<int32_t, int> kBits[] = {
      {kModeAppend, MPI_MODE_APPEND},
      {kModeCreate, MPI_MODE_CREATE},
      {kModeDeleteOnClose, MPI_MODE_DELETE_ON_CLOSE},
      {kModeExcl, MPI_MODE_EXCL},
      {kModeRdonly, MPI_MODE_RDONLY},
      {kModeRdwr, MPI_MODE_RDWR},
      {kModeSequential, MPI_MODE_SEQUENTIAL},
      {kModeUniqueOpen, MPI_MODE_UNIQUE_OPEN},
      {kModeWronly, MPI_MODE_WRONLY}};
  int host = 0;
  int32_t known = 0;
  for (auto [guest, h] : kBits) {
    known |= guest;
    if (amode & guest) host |= h;
  }
  int access = ((amode & kModeRdonly) != 0) + ((amode & kModeRdwr) != 0) +
               ((amode & kModeWronly) != 0);
  const char* bad = nullptr;
  if (amode & ~known)
    bad = "unknown bits";
  else if (access != 1)
    bad = "not exactly one of RDONLY, RDWR, WRONLY";
  else if ((amode & kModeRdonly) && (amode & (kModeCreate | kModeExcl)))
    bad = "RDONLY with CREATE or EXCL";
  else if ((amode & kModeRdwr) && (amode & kModeSequential))
    bad = "RDWR with SEQUENTIAL";
  if (bad) {
    c.Fail(abi::kErrAmode,
           absl::StrFormat("invalid amode 0x%x: %s", amode, bad));
    return false;
  }
  *out = host;
  return true;
}

FileAccess AccessOf(int32_t amode) {
  if (amode & kModeCreate) return FileAccess::kCreate;
  if (amode & (kModeWronly | kModeRdwr | kModeDeleteOnClose)) {
    return FileAccess::kWrite;
  }
  return FileAccess::kRead;
}

std::optional<std::string> ReadFilename(Call& c, Ptr filename) {
  std::optional<std::string> name =
      ReadCString(c, filename, kMaxFilename, "filename");
  if (name && name->size() > kMaxFilename) {
    c.Fail(abi::kErrBadFile, "file name longer than 4096 characters");
    return std::nullopt;
  }
  return name;
}

GateResult Resolve(Call& c, const std::string& name, FileAccess access) {
  FileSystemGate* gate = c.bridge().options().files;
  if (gate == nullptr) {
    return {.error_class = abi::kErrAccess,
            .message = absl::StrFormat("file '%s': no directory is open to "
                                       "MPI-IO",
                                       name)};
  }
  return gate->Resolve(name, access);
}

int32_t FileOpen(Call& c, Handle comm, Ptr filename, int32_t amode, Handle info,
                 Ptr fh) {
  CommEntry* cm = c.Comm(comm);
  c.ReportTo(abi::kFileNull, FileNullErrhandler(c.bridge()));
  if (!cm) return c.error();
  Handle* out = c.Ref<Handle>(fh, "fh");
  MPI_Info host_info;
  if (!out || !HostInfoOf(c, info, &host_info)) return c.error();
  std::optional<std::string> name = ReadFilename(c, filename);
  int host_amode;
  if (!name || !HostAmode(c, amode, &host_amode)) return c.error();
  // Collective: a rank that cannot resolve must not leave the others
  // waiting in the host's open.
  GateResult gated = Resolve(c, *name, AccessOf(amode));
  int local = gated.error_class, worst = 0;
  int32_t rc =
      c.Host(c.mpi().Allreduce(&local, &worst, 1, MPI_INT, MPI_MAX, cm->host));
  if (rc != abi::kSuccess) return rc;
  if (local != 0) return c.Fail(local, gated.message);
  if (worst != 0) {
    return c.Fail(worst, absl::StrFormat("file '%s': another rank of the "
                                         "communicator could not open it",
                                         *name));
  }
  MPI_Comm sync = MPI_COMM_NULL;
  if (cm->size > 1) {
    if (int32_t rc = c.Host(c.mpi().Comm_dup(cm->host, &sync))) return rc;
  }
  MPI_File host = MPI_FILE_NULL;
  rc = c.Host(c.mpi().File_open(cm->host, gated.path->host_path().c_str(),
                                host_amode, host_info, &host));
  std::optional<Handle> h;
  if (rc == abi::kSuccess) {
    c.mpi().File_set_errhandler(host, MPI_ERRORS_RETURN);
    h = c.bridge().files().Insert(
        {.host = host,
         .errhandler = FileNullErrhandler(c.bridge()),
         .amode = amode,
         .path = std::move(gated.path),
         .sync = sync,
         .serial = c.bridge().windows_and_files().NextSerial()});
    if (!h) {
      c.mpi().File_close(&host);
      rc = c.Fail(abi::kErrNoMem, "too many open files");
    }
  }
  if (rc != abi::kSuccess) {
    if (sync != MPI_COMM_NULL) c.mpi().Comm_free(&sync);
    return rc;
  }
  *out = *h;
  return abi::kSuccess;
}

int32_t FileClose(Call& c, Ptr fh) {
  Handle* slot = c.Ref<Handle>(fh, "fh");
  FileEntry* f = slot ? FindFile(c, *slot) : nullptr;
  if (!f) return c.error();
  if (int32_t rc = CloseFile(c, *slot)) return rc;
  *slot = abi::kFileNull;
  return abi::kSuccess;
}

int32_t FileDelete(Call& c, Ptr filename, Handle info) {
  c.ReportTo(abi::kFileNull, FileNullErrhandler(c.bridge()));
  MPI_Info host_info;
  if (!HostInfoOf(c, info, &host_info)) return c.error();
  std::optional<std::string> name = ReadFilename(c, filename);
  if (!name) return c.error();
  GateResult gated = Resolve(c, *name, FileAccess::kDelete);
  if (gated.error_class != 0) {
    return c.Fail(gated.error_class, gated.message);
  }
  return c.Host(
      c.mpi().File_delete(gated.path->host_path().c_str(), host_info));
}

// (fh, MPI_Offset) -> host
template <auto kHost>
int32_t WithOffset(Call& c, Handle fh, int64_t value) {
  FileEntry* f = FindFile(c, fh);
  return f ? c.Host((c.mpi().*kHost)(f->host, value)) : c.error();
}

// (fh, MPI_Offset*) <- host
template <auto kHost>
int32_t GetOffset(Call& c, Handle fh, Ptr value) {
  FileEntry* f = FindFile(c, fh);
  int64_t* out = f ? c.Ref<int64_t>(value, "offset") : nullptr;
  if (!out) return c.error();
  MPI_Offset v = 0;
  int32_t rc = c.Host((c.mpi().*kHost)(f->host, &v));
  if (rc == abi::kSuccess) *out = v;
  return rc;
}

int32_t HostWhence(Call& c, int32_t whence, int* out) {
  switch (whence) {
    case kSeekSet:
      *out = MPI_SEEK_SET;
      return abi::kSuccess;
    case kSeekCur:
      *out = MPI_SEEK_CUR;
      return abi::kSuccess;
    case kSeekEnd:
      *out = MPI_SEEK_END;
      return abi::kSuccess;
  }
  return c.Fail(abi::kErrArg, absl::StrFormat("invalid whence %d", whence));
}

template <auto kHost>
int32_t Seek(Call& c, Handle fh, int64_t offset, int32_t whence) {
  FileEntry* f = FindFile(c, fh);
  int host_whence;
  if (!f || HostWhence(c, whence, &host_whence) != abi::kSuccess) {
    return c.error();
  }
  return c.Host((c.mpi().*kHost)(f->host, offset, host_whence));
}

int32_t GetByteOffset(Call& c, Handle fh, int64_t offset, Ptr disp) {
  FileEntry* f = FindFile(c, fh);
  int64_t* out = f ? c.Ref<int64_t>(disp, "disp") : nullptr;
  if (!out) return c.error();
  MPI_Offset v = 0;
  int32_t rc = c.Host(c.mpi().File_get_byte_offset(f->host, offset, &v));
  if (rc == abi::kSuccess) *out = v;
  return rc;
}

int32_t FileSync(Call& c, Handle fh) {
  FileEntry* f = FindFile(c, fh);
  return f ? c.Host(c.mpi().File_sync(f->host)) : c.error();
}

int32_t SetAtomicity(Call& c, Handle fh, int32_t flag) {
  FileEntry* f = FindFile(c, fh);
  return f ? c.Host(c.mpi().File_set_atomicity(f->host, flag != 0)) : c.error();
}

int32_t GetAtomicity(Call& c, Handle fh, Ptr flag) {
  FileEntry* f = FindFile(c, fh);
  int32_t* out = f ? c.Ref<int32_t>(flag, "flag") : nullptr;
  if (!out) return c.error();
  int v = 0;
  int32_t rc = c.Host(c.mpi().File_get_atomicity(f->host, &v));
  if (rc == abi::kSuccess) *out = v;
  return rc;
}

int32_t GetAmode(Call& c, Handle fh, Ptr amode) {
  FileEntry* f = FindFile(c, fh);
  return f && c.Write<int32_t>(amode, f->amode, "amode") ? abi::kSuccess
                                                         : c.error();
}

int32_t GetGroup(Call& c, Handle fh, Ptr group) {
  FileEntry* f = FindFile(c, fh);
  Handle* out = f ? c.Ref<Handle>(group, "group") : nullptr;
  if (!out) return c.error();
  MPI_Group host;
  int32_t rc = c.Host(c.mpi().File_get_group(f->host, &host));
  return rc == abi::kSuccess ? InsertGroup(c, host, out) : rc;
}

int32_t SetInfo(Call& c, Handle fh, Handle info) {
  FileEntry* f = FindFile(c, fh);
  MPI_Info host_info;
  if (!f || !HostInfoOf(c, info, &host_info)) return c.error();
  return c.Host(c.mpi().File_set_info(f->host, host_info));
}

int32_t GetInfo(Call& c, Handle fh, Ptr info_used) {
  FileEntry* f = FindFile(c, fh);
  if (!f || !c.Ref<Handle>(info_used, "info_used")) return c.error();
  MPI_Info host = MPI_INFO_NULL;
  int32_t rc = c.Host(c.mpi().File_get_info(f->host, &host));
  if (rc != abi::kSuccess) return rc;
  rc = InsertInfoFromHost(c, host, info_used);
  c.mpi().Info_free(&host);
  return rc;
}

int32_t SetView(Call& c, Handle fh, int64_t disp, Handle etype, Handle filetype,
                Ptr datarep, Handle info) {
  FileEntry* f = FindFile(c, fh);
  DatatypeEntry* et = f ? c.Datatype(etype) : nullptr;
  DatatypeEntry* ft = et ? c.Datatype(filetype) : nullptr;
  if (!ft) return c.error();
  if (!et->committed || !ft->committed) {
    return c.Fail(abi::kErrType,
                  absl::StrFormat("%s 0x%x is not committed",
                                  et->committed ? "filetype" : "etype",
                                  et->committed ? filetype : etype));
  }
  std::optional<std::string> rep =
      ReadCString(c, datarep, kMaxDatarepString, "datarep");
  MPI_Info host_info;
  if (!rep || !HostInfoOf(c, info, &host_info)) return c.error();
  if (*rep != "native") {
    return c.Fail(abi::kErrUnsupportedDatarep,
                  absl::StrFormat("data representation '%s' is not "
                                  "supported (only \"native\")",
                                  *rep));
  }
  MPI_Offset host_disp =
      disp == kDisplacementCurrent ? MPI_DISPLACEMENT_CURRENT : disp;
  int32_t rc = c.Host(c.mpi().File_set_view(f->host, host_disp, et->host,
                                            ft->host, "native", host_info));
  if (rc != abi::kSuccess) return rc;
  f->disp = disp;
  f->etype = etype;
  f->filetype = filetype;
  f->etype_contents = et->contents;
  f->filetype_contents = ft->contents;
  return abi::kSuccess;
}

// A predefined type's handle, or a new duplicate of a derived one (the
// caller frees it, as MPI_File_get_view says; its combiner is
// MPI_COMBINER_DUP, as with Open MPI natively). The duplicate is made from
// the record, so the guest may have freed the view's type meanwhile.
int32_t ViewType(Call& c, Handle type,
                 const std::shared_ptr<const TypeContents>& contents,
                 Handle* out) {
  if (!contents) {
    *out = type;
    return abi::kSuccess;
  }
  return RecreateDatatype(c,
                          std::make_shared<const TypeContents>(
                              TypeContents{.combiner = abi::kCombinerDup,
                                           .types = {type},
                                           .members = {contents},
                                           .reducible = contents->reducible}),
                          out);
}

int32_t GetView(Call& c, Handle fh, Ptr disp, Ptr etype, Ptr filetype,
                Ptr datarep) {
  FileEntry* f = FindFile(c, fh);
  int64_t* d = f ? c.Ref<int64_t>(disp, "disp") : nullptr;
  Handle* et = d ? c.Ref<Handle>(etype, "etype") : nullptr;
  Handle* ft = et ? c.Ref<Handle>(filetype, "filetype") : nullptr;
  if (!ft || !c.Bytes(datarep, kMaxDatarepString, "datarep")) {
    return c.error();
  }
  *d = f->disp;
  Handle e, t;
  int32_t rc = ViewType(c, f->etype, f->etype_contents, &e);
  if (rc == abi::kSuccess)
    rc = ViewType(c, f->filetype, f->filetype_contents, &t);
  if (rc != abi::kSuccess) return rc;
  *et = e;
  *ft = t;
  return WriteCString(c, datarep, kMaxDatarepString, "native", 0, "datarep");
}

// In "native" representation the file extent is the guest's extent.
int32_t GetTypeExtent(Call& c, Handle fh, Handle type, Ptr extent) {
  FileEntry* f = FindFile(c, fh);
  DatatypeEntry* t = f ? c.Datatype(type) : nullptr;
  if (!t) return c.error();
  if (t->extent > INT32_MAX || t->extent < INT32_MIN) {
    return c.Fail(abi::kErrArg, "extent does not fit in MPI_Aint");
  }
  return c.Write<int32_t>(extent, static_cast<int32_t>(t->extent), "extent")
             ? abi::kSuccess
             : c.error();
}

bool IsPredefinedHandler(Handle h) {
  return h == abi::kErrorsAreFatal || h == abi::kErrorsReturn ||
         h == abi::kErrorsAbort;
}

int32_t CreateErrhandler(Call& c, uint32_t fn, Ptr errhandler) {
  Handle* out = c.Ref<Handle>(errhandler, "errhandler");
  if (!out) return c.error();
  if (fn == 0) return c.Fail(abi::kErrArg, "error handler function is NULL");
  std::optional<Handle> h = c.bridge().errhandlers().Insert(
      {.function = fn, .object_kind = Kind::kFile});
  if (!h) return c.Fail(abi::kErrNoMem, "too many error handlers");
  *out = *h;
  return abi::kSuccess;
}

// The entry holding `fh`'s handler: MPI_FILE_NULL's is made on first use.
FileEntry* HandlerHolder(Call& c, Handle fh) {
  if (fh != abi::kFileNull) return FindFile(c, fh);
  c.ReportTo(abi::kFileNull, FileNullErrhandler(c.bridge()));
  if (!c.bridge().files().Find(abi::kFileNull)) {
    c.bridge().files().Define(abi::kFileNull, {.host = MPI_FILE_NULL});
  }
  return c.bridge().files().Find(abi::kFileNull);
}

int32_t SetErrhandler(Call& c, Handle fh, Handle errhandler) {
  FileEntry* f = HandlerHolder(c, fh);
  if (!f) return c.error();
  if (!IsPredefinedHandler(errhandler)) {
    ErrhandlerEntry* e = c.bridge().errhandlers().Find(errhandler);
    if (!e || e->object_kind != Kind::kFile) {
      return c.Fail(
          abi::kErrArg,
          e ? absl::StrFormat("error handler 0x%x is not a file's", errhandler)
            : absl::StrFormat("invalid error handler 0x%x", errhandler));
    }
  }
  Handle old = f->errhandler;
  f->errhandler = errhandler;
  DropErrhandlerIfUnused(c.bridge(), old);
  return abi::kSuccess;
}

int32_t GetErrhandler(Call& c, Handle fh, Ptr errhandler) {
  FileEntry* f = HandlerHolder(c, fh);
  if (!f || !c.Write<Handle>(errhandler, f->errhandler, "errhandler")) {
    return c.error();
  }
  if (ErrhandlerEntry* e = c.bridge().errhandlers().Find(f->errhandler)) {
    ++e->guest_refs;
  }
  return abi::kSuccess;
}

int32_t CallErrhandler(Call& c, Handle fh, int32_t code) {
  FileEntry* f = HandlerHolder(c, fh);
  if (!f) return c.error();
  Handle h = f->errhandler;
  if (h == abi::kErrorsReturn) return abi::kSuccess;
  if (IsPredefinedHandler(h)) {
    return c.Fail(code,
                  absl::StrFormat("error code %d raised by the guest", code));
  }
  absl::Status called = CallCommErrhandler(c, fh, h, code);
  return called.ok()
             ? abi::kSuccess
             : c.Trap(absl::StrCat("error handler failed: ", called.message()));
}

using T = MpiTransport;

}  // namespace

Handle FileNullErrhandler(Bridge& b) {
  FileEntry* null = b.files().Find(abi::kFileNull);
  return null ? null->errhandler : abi::kErrorsReturn;
}

FileEntry* FindFile(Call& c, Handle fh) {
  FileEntry* f = fh == abi::kFileNull ? nullptr : c.bridge().files().Find(fh);
  if (f) {
    c.ReportTo(fh, f->errhandler);
    return f;
  }
  c.ReportTo(abi::kFileNull, FileNullErrhandler(c.bridge()));
  c.Fail(
      abi::kErrFile,
      absl::StrFormat("invalid file 0x%x (null, closed or never opened)", fh));
  return nullptr;
}

int32_t CloseFile(Call& c, Handle fh) {
  FileEntry* f = FindFile(c, fh);
  if (!f) return c.error();
  if (int32_t rc = c.Host(c.mpi().File_close(&f->host))) return rc;
  if (f->sync != MPI_COMM_NULL) c.mpi().Comm_free(&f->sync);
  Handle errhandler = f->errhandler;
  c.bridge().files().Erase(fh);  // closes the gate's directory fd
  DropErrhandlerIfUnused(c.bridge(), errhandler);
  return abi::kSuccess;
}

void AddFiles(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_File_open", FileOpen));
  out.push_back(Bind(b, "MPI_File_close", FileClose));
  out.push_back(Bind(b, "MPI_File_delete", FileDelete));
  out.push_back(Bind(b, "MPI_File_set_size", WithOffset<&T::File_set_size>));
  out.push_back(
      Bind(b, "MPI_File_preallocate", WithOffset<&T::File_preallocate>));
  out.push_back(Bind(b, "MPI_File_get_size", GetOffset<&T::File_get_size>));
  out.push_back(
      Bind(b, "MPI_File_get_position", GetOffset<&T::File_get_position>));
  out.push_back(Bind(b, "MPI_File_get_position_shared",
                     GetOffset<&T::File_get_position_shared>));
  out.push_back(Bind(b, "MPI_File_seek", Seek<&T::File_seek>));
  out.push_back(Bind(b, "MPI_File_seek_shared", Seek<&T::File_seek_shared>));
  out.push_back(Bind(b, "MPI_File_get_byte_offset", GetByteOffset));
  out.push_back(Bind(b, "MPI_File_sync", FileSync));
  out.push_back(Bind(b, "MPI_File_set_atomicity", SetAtomicity));
  out.push_back(Bind(b, "MPI_File_get_atomicity", GetAtomicity));
  out.push_back(Bind(b, "MPI_File_get_amode", GetAmode));
  out.push_back(Bind(b, "MPI_File_get_group", GetGroup));
  out.push_back(Bind(b, "MPI_File_set_info", SetInfo));
  out.push_back(Bind(b, "MPI_File_get_info", GetInfo));
  out.push_back(Bind(b, "MPI_File_set_view", SetView));
  out.push_back(Bind(b, "MPI_File_get_view", GetView));
  out.push_back(Bind(b, "MPI_File_get_type_extent", GetTypeExtent));
  out.push_back(Bind(b, "MPI_File_create_errhandler", CreateErrhandler));
  out.push_back(Bind(b, "MPI_File_set_errhandler", SetErrhandler));
  out.push_back(Bind(b, "MPI_File_get_errhandler", GetErrhandler));
  out.push_back(Bind(b, "MPI_File_call_errhandler", CallErrhandler));
  AddFileDataAccess(b, out);
}

}  // namespace wasmhpc::mpi
