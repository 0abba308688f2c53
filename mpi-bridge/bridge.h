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

class UserOp;  // op.h

struct OpEntry {
  MPI_Op host;
  bool commute = true;
  // MPI_Op_create's guest function and host trampoline; null if predefined.
  std::shared_ptr<UserOp> user = nullptr;
};

struct RequestEntry {
  MPI_Request host;
  bool persistent = false;
  // Host-side arrays (widened displacements, host datatypes) that the host
  // MPI reads until the request completes; released with the entry.
  std::shared_ptr<void> keep_alive;
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

  State state = State::kNotInitialized;
  int thread_level = abi::kThreadSingle;  // the guest's, as ABI value
  // Set by MPI_Abort: the run ends with `abort_code` and the embedder
  // aborts the whole job.
  bool aborted = false;
  int32_t abort_code = 0;
  // User ops alive (op.h): while any is, MPI progress may call the guest,
  // so no call takes the fast path (call.h).
  int32_t live_user_ops = 0;

  // A CommEntry for host communicator `host`, rank and size filled in.
  CommEntry NewComm(MPI_Comm host);

  HandleTable<CommEntry> comms{Kind::kComm};
  HandleTable<DatatypeEntry> datatypes{Kind::kDatatype};
  HandleTable<OpEntry> ops{Kind::kOp};
  HandleTable<RequestEntry> requests{Kind::kRequest};
  HandleTable<GroupEntry> groups{Kind::kGroup};
  HandleTable<MessageEntry> messages{Kind::kMessage};
  HandleTable<InfoEntry> infos{Kind::kInfo};
  HandleTable<ErrhandlerEntry> errhandlers{Kind::kErrhandler};
  HandleTable<FileEntry> files{Kind::kFile};  // MPI_FILE_NULL: the default
  // One-sided windows (win.h); entries are boxed: WinEntry is defined there.
  HandleTable<std::shared_ptr<WinEntry>> wins{Kind::kWin};

  // Attribute keys by value; user keys count up from kFirstUserKeyval.
  std::map<int32_t, KeyvalEntry> keyvals;
  int32_t next_keyval = kFirstUserKeyval;
  // User error codes: code abi::kErrLastcode + 1 + i is user_errors[i].
  std::vector<UserError> user_errors;
  // Guest address of the ints that MPI_Comm_get_attr points to for the
  // predefined keys (allocated with the guest's malloc on first use).
  abi::Ptr predefined_attribute_values = 0;
  // Windows and files made so far (their serials), and those that
  // MPI_Finalize freed for the guest (release.h).
  uint64_t windows_and_files_made = 0;
  int32_t wins_freed_at_finalize = 0;
  int32_t files_closed_at_finalize = 0;

 private:
  void DefinePredefined();

  BridgeOptions options_;
};

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_BRIDGE_H_
