// The one-shot store commands of wasmhpc-head: --repair and --backup. Each
// runs on a stopped head's --data-dir, prints what it did and exits.
#ifndef WASMHPC_SERVER_STORE_ADMIN_H_
#define WASMHPC_SERVER_STORE_ADMIN_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace wasmhpc::server {

// `wasmhpc-head --repair --data-dir DIR`: salvages a damaged store
// (RepairRocksDbStore) and prints to `out` what it held before and after
// and the files RocksDB put under DIR/lost. Returns the exit code: 0 on
// success, 1 with the error on `err`.
int RepairDataDir(const std::string& data_dir, std::ostream& out,
                  std::ostream& err);

// `wasmhpc-head --backup DEST --data-dir DIR`: writes a consistent copy of
// the store to DEST (BackupRocksDbStore) and prints its contents. Returns
// the exit code as RepairDataDir.
int BackupDataDir(const std::string& data_dir, const std::string& dest,
                  std::ostream& out, std::ostream& err);

// The message for a --data-dir that does not open: DataLoss (a damaged
// store) gets the --repair command to run.
std::string DataDirError(const std::string& data_dir,
                         const absl::Status& status);

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_STORE_ADMIN_H_
