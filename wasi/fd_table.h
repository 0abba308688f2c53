// FdTable: the guest's file descriptors, a vector indexed by fd with a free
// list (O(1) lookup, insert and remove).
//
// Thread safety: none; one table belongs to one Wasi instance and thread.
#ifndef WASMHPC_WASI_FD_TABLE_H_
#define WASMHPC_WASI_FD_TABLE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wasi/wasi_abi.h"

namespace wasmhpc::wasi {

// One entry of an fd_readdir snapshot.
struct DirEntry {
  std::string name;
  uint64_t ino = 0;
  abi::Filetype type = abi::Filetype::kUnknown;
};

// One open guest fd. Owns its host fd when owns_host_fd is set (closed on
// destruction); host stdio is borrowed.
struct FdEntry {
  enum class Kind : uint8_t {
    kHost,     // a host fd: file, directory, device or host stdio
    kOutput,   // guest stdout/stderr sent to WasiOptions::output
    kNoInput,  // guest stdin without a host fd: reads return end of file
  };

  FdEntry() = default;
  FdEntry(const FdEntry&) = delete;
  FdEntry& operator=(const FdEntry&) = delete;
  ~FdEntry();

  Kind kind = Kind::kHost;
  int host_fd = -1;
  bool owns_host_fd = false;
  // Guest fds 0, 1, 2 as created: not seekable, flags fixed.
  bool is_stdio = false;
  // For kOutput: the stream (1 or 2) passed to WasiOptions::output.
  int output_stream = 0;
  abi::Filetype filetype = abi::Filetype::kUnknown;
  uint64_t rights_base = 0;
  uint64_t rights_inheriting = 0;
  // Beneath a read-only preopen: mutations fail with EROFS.
  bool read_only = false;
  // The guest path of a preopened directory (fd_prestat_*).
  std::optional<std::string> preopen_name;
  // fd_readdir snapshot, taken when the guest reads from cookie 0.
  std::vector<DirEntry> listing;
};

class FdTable {
 public:
  // Stores `entry` in the most recently freed slot, else a new one at the
  // end. Returns its fd.
  uint32_t Insert(std::unique_ptr<FdEntry> entry);

  // The entry for `fd`, or nullptr if `fd` is not open. The pointer stays
  // valid until `fd` is removed or renumbered over.
  FdEntry* Get(uint32_t fd) const;

  // Takes `fd` out of the table; nullptr if it was not open.
  std::unique_ptr<FdEntry> Remove(uint32_t fd);

  // Moves `from` onto `to`, closing what `to` held; `from` becomes free.
  // Returns false (and changes nothing) unless both are open.
  bool Renumber(uint32_t from, uint32_t to);

  // Number of open fds.
  size_t open_count() const { return slots_.size() - free_.size(); }

 private:
  std::vector<std::unique_ptr<FdEntry>> slots_;
  std::vector<uint32_t> free_;
};

}  // namespace wasmhpc::wasi

#endif  // WASMHPC_WASI_FD_TABLE_H_
