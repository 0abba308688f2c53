// One-sided communication (RMA) windows in guest linear memory.
//
// A window's memory is always guest memory: MPI_Win_create's [base, size)
// after a bounds check against linear memory, MPI_Win_allocate's from the
// module's malloc (freed with its free at MPI_Win_free; guest_data.h), dynamic
// windows' attached regions after the same check. The host window is made
// over the host addresses of that memory, so every host access, local or
// remote, lands inside some rank's linear memory; a guest that frees
// memory a window still covers sees whatever is there, never a crash.
//
// Target ranges: the bridge cannot see remote memory, so at creation each
// rank's window size, displacement unit and linear-memory base are
// gathered over the communicator (WinEntry::targets). Every RMA call
// checks the target bytes it touches against the target's window before
// the host MPI sees it (MPI_ERR_RMA_RANGE). Dynamic windows take guest
// addresses as displacements: the bridge adds the target's memory base;
// the host MPI checks that the range is attached there.
//
// MPI_Win_allocate_shared and MPI_Win_shared_query are not provided: a
// module importing them is refused at load, naming them (the ranks of a
// wasmhpc job do not share linear memory).
//
// Waits in a pool job (worker/pool/interruptible_transport.h), where a
// stop (cancel, timeout, another rank's failure) must end them: a fence
// is preceded by a barrier on the window's own communicator (WinEntry::
// sync) that a stop ends; MPI_Win_start first receives a message each
// target sends on that communicator once posted (a receive a stop ends);
// MPI_Win_wait polls MPI_Win_test. Then the host's fence, start and
// complete wait for no guest. Locks, unlocks and flushes call the host
// MPI's blocking functions: the only guest they can wait for is one that
// holds a lock; a stop does not end a wait for a lock another rank of the
// job holds.
//
// Thread safety: as Bridge (one instance thread).
#ifndef WASMHPC_MPI_BRIDGE_WIN_H_
#define WASMHPC_MPI_BRIDGE_WIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

// What the bridge knows of one rank's part of a window.
struct WinTarget {
  int64_t size = 0;          // bytes (0 for dynamic windows)
  int64_t disp_unit = 1;     // bytes per displacement unit
  uint64_t memory_base = 0;  // host address of the rank's linear memory
};

struct WinEntry {
  MPI_Win host = MPI_WIN_NULL;
  abi::Handle errhandler = abi::kErrorsAreFatal;
  int32_t flavor = abi::kWinFlavorCreate;  // ABI value
  int32_t model = abi::kWinUnified;        // ABI value
  abi::Ptr base = 0;                       // guest address
  int64_t size = 0;
  int32_t disp_unit = 1;
  bool allocated = false;  // base came from the guest's malloc
  // Per rank of the window's group (= its communicator's ranks).
  std::vector<WinTarget> targets = {};
  std::optional<std::string> name = std::nullopt;
  std::vector<Attribute> attributes = {};
  // Guest memory holding the values MPI_Win_get_attr points to for
  // MPI_WIN_SIZE, DISP_UNIT, CREATE_FLAVOR and MODEL (4 x 4 bytes, from
  // the guest's malloc on first use; freed with the window).
  abi::Ptr predefined_values = 0;
  // A duplicate of the window's communicator (none for one rank) for
  // barriers that a stop can end, and the bridge's count of windows and
  // files made before it (release.h).
  MPI_Comm sync = MPI_COMM_NULL;
  uint64_t serial = 0;
};

// Whether any window uses error handler `h`.
bool WinErrhandlerInUse(Bridge& bridge, abi::Handle h);

// Host value of an ABI assertion mask (MPI_MODE_NOCHECK | ...), or
// nullopt if it has bits that are no RMA assertion.
std::optional<int> HostRmaAssert(int32_t guest);

// Families, added by AddWindows: data movement (rma.cc) and attributes,
// names, groups, info and error handlers (win_attr.cc).
void AddRmaOperations(Bridge& bridge, std::vector<engine::HostFunc>& out);
void AddWinAttributes(Bridge& bridge, std::vector<engine::HostFunc>& out);

// Frees window `h` (a live window) as MPI_Win_free does. Collective.
int32_t FreeWindow(Call& c, abi::Handle h);

// Deletes the window's attributes (delete callbacks) and frees the guest
// memory behind its predefined values. Defined in win_attr.cc.
int32_t ReleaseWinAttributes(Call& c, abi::Handle win);

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_WIN_H_
