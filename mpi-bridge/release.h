// What a guest's run leaves behind in the host MPI, released so that a
// process that runs guest after guest (a pool executor) does not pile up
// host objects for every program that forgets to free them.
//
// Windows and files are collective to free. MPI_Finalize, which every rank
// of a job calls, frees the ones still open in the order they were made
// (the order every member made them in: their creation is collective), each
// after a barrier on its own communicator: a member that never reaches
// MPI_Finalize (it trapped) leaves the others in that barrier, which a stop
// ends, not in the host's MPI_Win_free.
//
// After the run, whatever its end, ReleaseLeftovers frees the rest on this
// rank alone: requests (completed, or cancelled; one that does neither
// within a moment is left to the host MPI), communicators, groups,
// datatypes, ops and infos, and the windows and files of one rank. Windows
// and files shared with other ranks that MPI_Finalize did not free (the job
// ended before it) are left to the host MPI: freeing them alone could wait
// forever for a rank that is gone.
//
// Thread safety: as Bridge (the instance's thread).
#ifndef WASMHPC_MPI_BRIDGE_RELEASE_H_
#define WASMHPC_MPI_BRIDGE_RELEASE_H_

#include <cstdint>
#include <string>

#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

// Frees the open windows and closes the open files, oldest first. The
// first error stops it. Called by MPI_Finalize.
int32_t ReleaseWindowsAndFiles(Call& c);

// Counts of what the guest left.
struct Leftovers {
  int32_t requests = 0, communicators = 0, groups = 0, datatypes = 0, ops = 0,
          infos = 0;
  int32_t windows = 0, files = 0;  // freed or closed here
  // Freed at MPI_Finalize (Bridge::windows_and_files()).
  int32_t finalize_windows = 0, finalize_files = 0;
  // Left to the host MPI.
  int32_t kept_requests = 0, kept_messages = 0, kept_windows = 0,
          kept_files = 0;

  bool empty() const;
  // "released 2 communicators, 1 datatype; left to the host MPI: 1 window
  // (shared with other ranks, the job ended before MPI_Finalize)".
  std::string Describe() const;
};

// Releases what the guest left on this rank (see above) and forgets it:
// the bridge has no user handles afterwards. Calls no guest code.
Leftovers ReleaseLeftovers(Bridge& bridge);

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_RELEASE_H_
