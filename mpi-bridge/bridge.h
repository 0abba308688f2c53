// Bridge: the guest's MPI (env.MPI_* imports, standard ABI on wasm32) on
// the host MPI, zero-copy: guest buffers go to the host MPI as host
// pointers after one bounds check of their whole extent.
//
// Thread safety: one Bridge per guest instance, used from the instance's
// thread only; no locks on the call path. Handle tables are per bridge.
#ifndef WASMHPC_MPI_BRIDGE_BRIDGE_H_
#define WASMHPC_MPI_BRIDGE_BRIDGE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/host_func.h"
#include "mpi-bridge/abi.h"
#include "mpi-bridge/file_gate.h"
#include "mpi-bridge/handle_table.h"
#include "mpi-bridge/transport.h"

namespace wasmhpc::mpi {

// A cached attribute: the guest's void* value under a key.
struct Attribute {
  int32_t keyval = 0;
  abi::Ptr value = 0;
};

struct CommEntry {
  MPI_Comm host;
  abi::Handle errhandler = abi::kErrorsAreFatal;
  int32_t rank = 0;  // of this process; cached at creation
  int32_t size = 0;
  bool inter = false;       // an intercommunicator (cached too)
  int32_t remote_size = 0;  // of the remote group; 0 unless inter
  // Set by MPI_Comm_set_name; unset means the default name
  // ("MPI_COMM_WORLD", "MPI_COMM_SELF", else empty).
  std::optional<std::string> comm_name = std::nullopt;
  // Attributes in the order they were first set (attr.cc).
  std::vector<Attribute> attributes = {};
  // MPI_TAG_UB & co. are cached here: MPI_COMM_WORLD and its duplicates.
  bool predefined_attributes = false;
};

// An attribute key (MPI_Comm_create_keyval & co.). The callbacks are guest
// table indices; 0 is MPI_NULL_COPY_FN / MPI_NULL_DELETE_FN and 1 is
// MPI_DUP_FN, both handled by the bridge without calling the guest.
struct KeyvalEntry {
  Kind object_kind = Kind::kComm;
  uint32_t copy_fn = 0;
  uint32_t delete_fn = 0;
  abi::Ptr extra_state = 0;
  bool freed = false;  // the guest freed it; lives on while attributes use it
  int32_t uses = 0;    // attributes that hold it
};
// Keyval values the bridge hands out: above every predefined key.
inline constexpr int32_t kFirstUserKeyval = 0x1000;

// A user error class or code (MPI_Add_error_class / MPI_Add_error_code).
struct UserError {
  int32_t error_class = 0;  // itself, for a class
  std::string text = {};    // MPI_Add_error_string's
};

struct TypeContents;  // datatype_internal.h

struct DatatypeEntry {
  MPI_Datatype host;
  int64_t size = 0;  // bytes of data in one element
  int64_t lb = 0, extent = 0;
  int64_t true_lb = 0, true_extent = 0;
  bool predefined = false;
  bool committed = true;
  // False for types V8 guests and the host disagree on arithmetically
  // (long double is binary128 on wasm32, x87 extended on x86-64).
  bool reducible = true;
  // Derived types: the constructor and arguments the guest used, for
  // MPI_Type_get_envelope / MPI_Type_get_contents. Null for predefined.
  std::shared_ptr<const TypeContents> contents = nullptr;
  // Set by MPI_Type_set_name; unset means the default name.
  std::optional<std::string> name = std::nullopt;
};

class UserOp;        // op.h
class Binary128Ops;  // binary128_ops.h

struct OpEntry {
  MPI_Op host;
  bool commute = true;
  // MPI_Op_create's guest function and host trampoline; null if predefined.
  std::shared_ptr<UserOp> user = nullptr;
};

struct GeneralizedRequest;  // grequest.h

struct RequestEntry {
  MPI_Request host;
  bool persistent = false;
  // Host-side arrays (widened displacements, host datatypes) that the host
  // MPI reads until the request completes; released with the entry.
  std::shared_ptr<void> keep_alive;
  // MPI_Grequest_start's request; null for every other.
  std::shared_ptr<GeneralizedRequest> generalized = nullptr;
};

struct GroupEntry {
  MPI_Group host;
};

struct MessageEntry {
  MPI_Message host;
};

// An info object, kept by the bridge: (key, value) pairs in the order the
// keys were first set, within the guest's limits (info.h).
struct InfoEntry {
  std::vector<std::pair<std::string, std::string>> entries = {};
  // A host info kept in step with `entries`, for host calls that take
  // hints; it leaves out what the host cannot hold. MPI_INFO_NULL if the
  // host could not make one. Owned by the entry (freed by MPI_Info_free).
  MPI_Info host = MPI_INFO_NULL;
  bool read_only = false;  // MPI_INFO_ENV
};

// A user error handler: the guest function's table index.
struct ErrhandlerEntry {
  uint32_t function = 0;
  Kind object_kind = Kind::kComm;  // comm, win or file handler
  // Handles the guest holds (create, MPI_Comm_get_errhandler); the entry
  // is erased once this is 0 and no communicator uses it.
  int32_t guest_refs = 1;
};

// An open file (file.cc). Its GatedPath keeps the host path valid.
struct FileEntry {
  MPI_File host;
  abi::Handle errhandler = abi::kErrorsReturn;
  int32_t amode = 0;  // the guest's MPI_MODE_* bits
  std::shared_ptr<GatedPath> path = nullptr;
  // The view as the guest set it, for MPI_File_get_view.
  int64_t disp = 0;
  abi::Handle etype = abi::kByte, filetype = abi::kByte;
  std::shared_ptr<const TypeContents> etype_contents = nullptr;
  std::shared_ptr<const TypeContents> filetype_contents = nullptr;
  // A duplicate of the opening communicator (none for one rank), and the
  // bridge's count of windows and files made before it (release.h).
  MPI_Comm sync = MPI_COMM_NULL;
  uint64_t serial = 0;
};
struct WinEntry;  // win.h

// The guest is one thread and gets the MPI thread level it asks for: the
// embedder calls the bridge only where the host MPI allows (wasmhpc-run:
// on the thread that initialized it; a pool executor: host MPI_THREAD_
// MULTIPLE, as its control thread polls MPI too).
struct BridgeOptions {
  // The host MPI. Required; not owned.
  MpiTransport* transport = nullptr;
  // The host communicator the guest sees as MPI_COMM_WORLD.
  // Default: the host's MPI_COMM_WORLD.
  MPI_Comm world = MPI_COMM_WORLD;
  // Where MPI-IO may open and delete files; not owned. Default: none
  // (MPI_File_open and MPI_File_delete fail with MPI_ERR_ACCESS).
  FileSystemGate* files = nullptr;
};

// Attribute keys (MPI_Comm_create_keyval & co.) by value, with how many
// attributes hold each: a key the guest freed lives on until its last
// attribute goes. attr.cc keeps it.
class AttributeKeys {
 public:
  // Stores `key` under a new value; values count up from kFirstUserKeyval.
  int32_t Create(KeyvalEntry key);
  // Key `keyval`, freed or not; nullptr if there is none.
  KeyvalEntry* Find(int32_t keyval);
  // An attribute takes / lets go of its hold on `keyval`.
  void Hold(int32_t keyval);
  void Release(int32_t keyval);
  // The guest frees `keyval`: it goes now, or with its last attribute.
  void Free(int32_t keyval);
  // No keys, freed or not.
  bool empty() const { return keys_.empty(); }

  // Guest address of the ints that MPI_Comm_get_attr points to for the
  // predefined keys (allocated with the guest's malloc on first use).
  abi::Ptr predefined_values = 0;

 private:
  std::map<int32_t, KeyvalEntry> keys_;
  int32_t next_ = kFirstUserKeyval;
};

// User error classes and codes (MPI_Add_error_class & co.): code
// abi::kErrLastcode + 1 + i is the i-th added. errhandler.cc keeps it.
class UserErrors {
 public:
  // Adds a code of class `error_class`, or a class if `error_class` is 0.
  // Returns the new code, or nullopt when there are too many.
  std::optional<int32_t> Add(int32_t error_class);
  // The user class or code `code`, else nullptr.
  UserError* Find(int32_t code);
  const UserError* Find(int32_t code) const;
  // The largest code in use (MPI_LASTUSEDCODE).
  int32_t last_code() const {
    return abi::kErrLastcode + static_cast<int32_t>(errors_.size());
  }

 private:
  std::vector<UserError> errors_;
};

// Windows and files in the order they were made, which is the order
// MPI_Finalize frees them in, and how many it freed (release.h).
class WindowAndFileLog {
 public:
  // The serial of a new window or file: how many were made before it.
  uint64_t NextSerial() { return made_++; }
  // MPI_Finalize freed a window (else closed a file).
  void FreedAtFinalize(bool window) { ++(window ? windows_ : files_); }
  int32_t windows_freed_at_finalize() const { return windows_; }
  int32_t files_closed_at_finalize() const { return files_; }

 private:
  uint64_t made_ = 0;
  int32_t windows_ = 0, files_ = 0;
};

class Bridge {
 public:
  enum class State { kNotInitialized, kInitialized, kFinalized };

  // Sets MPI_ERRORS_RETURN on the host world (errors come back as codes
  // and the guest's error handler decides).
  explicit Bridge(const BridgeOptions& options);

  // Every env.MPI_* function the bridge provides.
  std::vector<engine::HostFunc> Imports();

  // Names of the MPI functions the bridge provides, sorted.
  static const std::vector<std::string>& ProvidedFunctions();

  MpiTransport& mpi() { return *options_.transport; }
  const BridgeOptions& options() const { return options_; }

  // The guest's MPI state (MPI_Init, MPI_Finalize), read by the embedder.
  State state() const { return state_; }
  void set_state(State state) { state_ = state; }
  // After MPI_Abort (or a fault that must end the job): the run ends with
  // abort_code() and the embedder aborts the whole job.
  bool aborted() const { return aborted_; }
  int32_t abort_code() const { return abort_code_; }
  void Abort(int32_t code) {
    aborted_ = true;
    abort_code_ = code;
  }

  // The thread level the guest asked for, as ABI value (MPI_Init_thread).
  int thread_level() const { return thread_level_; }
  void set_thread_level(int level) { thread_level_ = level; }

  // User ops and generalized requests alive (op.h, grequest.h): while any
  // is, MPI progress may call the guest, so no call takes the fast path
  // (call.h).
  bool user_ops_live() const { return live_user_ops_ != 0; }
  void UserOpMade() { ++live_user_ops_; }
  void UserOpFreed() { --live_user_ops_; }

  // A CommEntry for host communicator `host`, rank and size filled in.
  CommEntry NewComm(MPI_Comm host);

  // The guest's MPI objects by handle, one table per kind.
  HandleTable<CommEntry>& comms() { return comms_; }
  HandleTable<DatatypeEntry>& datatypes() { return datatypes_; }
  HandleTable<OpEntry>& ops() { return ops_; }
  HandleTable<RequestEntry>& requests() { return requests_; }
  HandleTable<GroupEntry>& groups() { return groups_; }
  HandleTable<MessageEntry>& messages() { return messages_; }
  HandleTable<InfoEntry>& infos() { return infos_; }
  HandleTable<ErrhandlerEntry>& errhandlers() { return errhandlers_; }
  // MPI_FILE_NULL is defined on first use (its error handler).
  HandleTable<FileEntry>& files() { return files_; }
  // One-sided windows (win.h); entries are boxed: WinEntry is defined there.
  HandleTable<std::shared_ptr<WinEntry>>& wins() { return wins_; }

  // Host ops reducing the guest's long double family in binary128
  // (binary128_ops.h); null until the first such reduction makes it.
  std::shared_ptr<Binary128Ops>& binary128_ops() { return binary128_ops_; }

  AttributeKeys& keyvals() { return keyvals_; }
  UserErrors& user_errors() { return user_errors_; }
  const UserErrors& user_errors() const { return user_errors_; }
  WindowAndFileLog& windows_and_files() { return windows_and_files_; }

 private:
  void DefinePredefined();

  BridgeOptions options_;
  State state_ = State::kNotInitialized;
  bool aborted_ = false;
  int32_t abort_code_ = 0;
  int thread_level_ = abi::kThreadSingle;
  int32_t live_user_ops_ = 0;

  HandleTable<CommEntry> comms_{Kind::kComm};
  HandleTable<DatatypeEntry> datatypes_{Kind::kDatatype};
  HandleTable<OpEntry> ops_{Kind::kOp};
  HandleTable<RequestEntry> requests_{Kind::kRequest};
  HandleTable<GroupEntry> groups_{Kind::kGroup};
  HandleTable<MessageEntry> messages_{Kind::kMessage};
  HandleTable<InfoEntry> infos_{Kind::kInfo};
  HandleTable<ErrhandlerEntry> errhandlers_{Kind::kErrhandler};
  HandleTable<FileEntry> files_{Kind::kFile};
  HandleTable<std::shared_ptr<WinEntry>> wins_{Kind::kWin};

  std::shared_ptr<Binary128Ops> binary128_ops_;
  AttributeKeys keyvals_;
  UserErrors user_errors_;
  WindowAndFileLog windows_and_files_;
};

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_BRIDGE_H_
