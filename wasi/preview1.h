// Preview1: the wasi_snapshot_preview1 calls over one fd table.
//
// One method per WASI function, with the function's Wasm parameters in
// order (u32 for i32 values, u64 for i64 values); each returns the WASI
// errno (proc_exit excepted). imports.cc binds them to HostFuncs. The
// methods live in preview1.cc (args, env, clocks, random, process, sockets),
// preview1_fd.cc, preview1_path.cc and preview1_poll.cc.
//
// Thread safety: none; one instance, one thread. Internal to wasi.
#ifndef WASMHPC_WASI_PREVIEW1_H_
#define WASMHPC_WASI_PREVIEW1_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/host_func.h"
#include "wasi/fd_table.h"
#include "wasi/guest_view.h"
#include "wasi/wasi.h"
#include "wasi/wasi_abi.h"

namespace wasmhpc::wasi {

class Preview1 {
 public:
  using Ctx = engine::HostContext;

  // REQUIRES: options.clock and options.random are set (Wasi::Create
  // fills in their defaults).
  explicit Preview1(WasiOptions options);

  // Sets up guest fds 0-2 and opens the preopens (fds 3, ...). Errors as
  // Wasi::Create.
  absl::Status Init();

  // Args and environment.
  Errno ArgsGet(Ctx& ctx, uint32_t argv, uint32_t argv_buf);
  Errno ArgsSizesGet(Ctx& ctx, uint32_t argc_ptr, uint32_t buf_size_ptr);
  Errno EnvironGet(Ctx& ctx, uint32_t environ, uint32_t environ_buf);
  Errno EnvironSizesGet(Ctx& ctx, uint32_t count_ptr, uint32_t buf_size_ptr);

  // Clocks, randomness, process, scheduling.
  Errno ClockResGet(Ctx& ctx, uint32_t id, uint32_t res_ptr);
  Errno ClockTimeGet(Ctx& ctx, uint32_t id, uint64_t precision,
                     uint32_t time_ptr);
  Errno RandomGet(Ctx& ctx, uint32_t buf, uint32_t buf_len);
  void ProcExit(Ctx& ctx, uint32_t code);
  Errno ProcRaise(Ctx& ctx, uint32_t sig);
  Errno SchedYield(Ctx& ctx);

  // File descriptors (preview1_fd.cc).
  Errno FdAdvise(Ctx& ctx, uint32_t fd, uint64_t offset, uint64_t len,
                 uint32_t advice);
  Errno FdAllocate(Ctx& ctx, uint32_t fd, uint64_t offset, uint64_t len);
  Errno FdClose(Ctx& ctx, uint32_t fd);
  Errno FdDatasync(Ctx& ctx, uint32_t fd);
  Errno FdFdstatGet(Ctx& ctx, uint32_t fd, uint32_t stat_ptr);
  Errno FdFdstatSetFlags(Ctx& ctx, uint32_t fd, uint32_t flags);
  Errno FdFdstatSetRights(Ctx& ctx, uint32_t fd, uint64_t base,
                          uint64_t inheriting);
  Errno FdFilestatGet(Ctx& ctx, uint32_t fd, uint32_t stat_ptr);
  Errno FdFilestatSetSize(Ctx& ctx, uint32_t fd, uint64_t size);
  Errno FdFilestatSetTimes(Ctx& ctx, uint32_t fd, uint64_t atim, uint64_t mtim,
                           uint32_t fst_flags);
  Errno FdPread(Ctx& ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                uint64_t offset, uint32_t nread_ptr);
  Errno FdPrestatGet(Ctx& ctx, uint32_t fd, uint32_t prestat_ptr);
  Errno FdPrestatDirName(Ctx& ctx, uint32_t fd, uint32_t path,
                         uint32_t path_len);
  Errno FdPwrite(Ctx& ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                 uint64_t offset, uint32_t nwritten_ptr);
  Errno FdRead(Ctx& ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
               uint32_t nread_ptr);
  Errno FdReaddir(Ctx& ctx, uint32_t fd, uint32_t buf, uint32_t buf_len,
                  uint64_t cookie, uint32_t bufused_ptr);
  Errno FdRenumber(Ctx& ctx, uint32_t fd, uint32_t to);
  Errno FdSeek(Ctx& ctx, uint32_t fd, uint64_t offset, uint32_t whence,
               uint32_t newoffset_ptr);
  Errno FdSync(Ctx& ctx, uint32_t fd);
  Errno FdTell(Ctx& ctx, uint32_t fd, uint32_t offset_ptr);
  Errno FdWrite(Ctx& ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                uint32_t nwritten_ptr);

  // Paths (preview1_path.cc).
  Errno PathCreateDirectory(Ctx& ctx, uint32_t fd, uint32_t path,
                            uint32_t path_len);
  Errno PathFilestatGet(Ctx& ctx, uint32_t fd, uint32_t flags, uint32_t path,
                        uint32_t path_len, uint32_t stat_ptr);
  Errno PathFilestatSetTimes(Ctx& ctx, uint32_t fd, uint32_t flags,
                             uint32_t path, uint32_t path_len, uint64_t atim,
                             uint64_t mtim, uint32_t fst_flags);
  Errno PathLink(Ctx& ctx, uint32_t old_fd, uint32_t old_flags,
                 uint32_t old_path, uint32_t old_path_len, uint32_t new_fd,
                 uint32_t new_path, uint32_t new_path_len);
  Errno PathOpen(Ctx& ctx, uint32_t fd, uint32_t dirflags, uint32_t path,
                 uint32_t path_len, uint32_t oflags, uint64_t rights_base,
                 uint64_t rights_inheriting, uint32_t fdflags, uint32_t fd_ptr);
  Errno PathReadlink(Ctx& ctx, uint32_t fd, uint32_t path, uint32_t path_len,
                     uint32_t buf, uint32_t buf_len, uint32_t bufused_ptr);
  Errno PathRemoveDirectory(Ctx& ctx, uint32_t fd, uint32_t path,
                            uint32_t path_len);
  Errno PathRename(Ctx& ctx, uint32_t fd, uint32_t old_path,
                   uint32_t old_path_len, uint32_t new_fd, uint32_t new_path,
                   uint32_t new_path_len);
  Errno PathSymlink(Ctx& ctx, uint32_t old_path, uint32_t old_path_len,
                    uint32_t fd, uint32_t new_path, uint32_t new_path_len);
  Errno PathUnlinkFile(Ctx& ctx, uint32_t fd, uint32_t path, uint32_t path_len);

  // Polling (preview1_poll.cc).
  Errno PollOneoff(Ctx& ctx, uint32_t in, uint32_t out, uint32_t nsubscriptions,
                   uint32_t nevents_ptr);

  // Sockets: no socket fds are ever handed out.
  Errno SockAccept(Ctx& ctx, uint32_t fd, uint32_t flags, uint32_t fd_ptr);
  Errno SockRecv(Ctx& ctx, uint32_t fd, uint32_t ri_data, uint32_t ri_data_len,
                 uint32_t ri_flags, uint32_t ro_datalen_ptr,
                 uint32_t ro_flags_ptr);
  Errno SockSend(Ctx& ctx, uint32_t fd, uint32_t si_data, uint32_t si_data_len,
                 uint32_t si_flags, uint32_t so_datalen_ptr);
  Errno SockShutdown(Ctx& ctx, uint32_t fd, uint32_t how);

 private:
  // The entry for `fd` if it holds every right in `rights`. Errors: kBadf
  // for a closed fd; for a missing right kRofs (a mutation beneath a
  // read-only preopen), kBadf (reading or writing an fd not open for it) or
  // kNotcapable.
  Errno Lookup(uint32_t fd, uint64_t rights, FdEntry** out) const;

  // Writes NUL-terminated `strings` to `buf` and their addresses to `ptrs`.
  static Errno StoreStrings(GuestView& guest,
                            const std::vector<std::string>& strings,
                            uint32_t ptrs, uint32_t buf);
  static Errno StoreSizes(GuestView& guest,
                          const std::vector<std::string>& strings,
                          uint32_t count_ptr, uint32_t size_ptr);

  absl::Status OpenPreopen(const Preopen& preopen);
  Errno SocketCall(uint32_t fd) const;

  // fd_read / fd_write on one entry after the iovecs are resolved.
  Errno ReadEntry(FdEntry& entry, const std::vector<iovec>& iov, size_t* done);
  Errno WriteEntry(FdEntry& entry, const std::vector<iovec>& iov, size_t* done);

  // path_open's choice of host open(2) flags, or an errno.
  Errno OpenFlags(const FdEntry& dir, uint32_t dirflags, uint32_t oflags,
                  uint64_t rights, uint32_t fdflags, int* flags) const;

  WasiOptions options_;
  FdTable fds_;
};

}  // namespace wasmhpc::wasi

#endif  // WASMHPC_WASI_PREVIEW1_H_
