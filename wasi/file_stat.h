// Conversions between host file metadata and WASI's: file types, filestat,
// fd flags and fst_flags timestamps. Internal to wasi. Thread-safe.
#ifndef WASMHPC_WASI_FILE_STAT_H_
#define WASMHPC_WASI_FILE_STAT_H_

#include <sys/stat.h>
#include <time.h>

#include <cstdint>

#include "wasi/guest_view.h"
#include "wasi/wasi_abi.h"

namespace wasmhpc::wasi {

// The WASI file type of an st_mode (FIFOs are kUnknown).
abi::Filetype FiletypeFromMode(mode_t mode);

// The WASI file type of an open host fd (sockets by SO_TYPE).
abi::Filetype FiletypeOfHostFd(int fd);

// The WASI file type for a dirent d_type.
abi::Filetype FiletypeFromDtype(unsigned char d_type);

// Writes a 64-byte filestat for `st` at `ptr`, with `type` as its file type.
Errno StoreFilestat(const GuestView& guest, uint32_t ptr, const struct stat& st,
                    abi::Filetype type);

// fdflags of open(2) status flags, and back.
uint16_t FdflagsFromHost(int status_flags);
int HostFlagsFromFdflags(uint16_t fdflags);

// The two timespecs for utimensat/futimens from WASI atim/mtim/fst_flags.
// kInval for unknown bits or a time given both explicitly and as "now".
Errno TimesFromFstflags(uint64_t atim, uint64_t mtim, uint32_t fst_flags,
                        struct timespec times[2]);

}  // namespace wasmhpc::wasi

#endif  // WASMHPC_WASI_FILE_STAT_H_
