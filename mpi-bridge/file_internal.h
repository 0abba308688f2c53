// What the MPI-IO family's files (file.cc, file_data.cc) share.
//
// Thread safety: as Bridge (one guest instance, one thread).
#ifndef WASMHPC_MPI_BRIDGE_FILE_INTERNAL_H_
#define WASMHPC_MPI_BRIDGE_FILE_INTERNAL_H_

#include <vector>

#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

// The error handler of MPI_FILE_NULL: files opened next start with it, and
// errors of MPI_File_open / MPI_File_delete and of invalid file handles
// go to it. Default: MPI_ERRORS_RETURN, as the standard says for files.
abi::Handle FileNullErrhandler(Bridge& bridge);

// The entry of open file `fh`, whose error handler this call then reports
// to; nullptr with MPI_ERR_FILE recorded (on MPI_FILE_NULL's handler) if
// `fh` is not an open file.
FileEntry* FindFile(Call& c, abi::Handle fh);

// Closes open file `fh` as MPI_File_close does. Collective.
int32_t CloseFile(Call& c, abi::Handle fh);

// The data access imports (file_data.cc): reads and writes with explicit
// offsets, individual, shared and ordered file pointers; blocking,
// nonblocking and split collective.
void AddFileDataAccess(Bridge& bridge, std::vector<engine::HostFunc>& out);

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_FILE_INTERNAL_H_
