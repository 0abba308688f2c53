/* The SDK's POSIX compat layer: what HPC codes call that wasi-libc lacks.
 *
 * Nothing to include: wasmhpc-cc puts the SDK's include/posix ahead of
 * wasi-libc, whose headers there declare these functions where POSIX does
 * (<unistd.h>, <stdlib.h>, ...), and links lib/compat*.c into every module
 * (weak definitions: a program's own wins). This header includes them all,
 * for ports that want to say so; elsewhere only the common POSIX headers. Each
 * call behaves as in a sandbox with no host identity, no shell and no devices,
 * and fails with a clear errno where it cannot work:
 *
 *   getpagesize()          65536, the Wasm page (= sysconf(_SC_PAGESIZE))
 *   gethostname()          "wasmhpc" (a guest is not told its host; use
 *                          MPI_Get_processor_name); ENAMETOOLONG if short
 *   getuid() geteuid()     65534 ("nobody", as an unmapped user sees in a
 *   getgid() getegid()     Linux user namespace); getpid() is wasi-libc's
 *                          emulation: 42 in every process
 *   realpath()             absolute, ".", ".." and symbolic links resolved,
 *                          against the current directory (wasi-libc's,
 *                          "/" at start); errno as stat's when a part is
 *                          missing; ENAMETOOLONG, ELOOP
 *   statvfs() fstatvfs()   -1 ENOSYS (WASI cannot tell sizes), or stat's
 *   statfs() fstatfs()     errno when the path does not exist
 *   basename()             GNU's with _GNU_SOURCE and <string.h> (never
 *                          writes to its argument; "" after a trailing /),
 *                          POSIX's with <libgen.h>, as glibc
 *   system(NULL)           0 (no shell); system(cmd), popen(): -1 / NULL,
 *   popen() pclose()       ENOSYS; pclose: -1 ENOSYS
 *   mknod()                -1 ENOSYS
 *   msync()                0 (mappings are private copies: nothing to write
 *                          back); EINVAL for MS_SYNC|MS_ASYNC or bad flags
 *   posix_madvise()        0 (advice only); EINVAL for an unknown advice
 *   madvise()              0; -1 EINVAL for an unknown advice
 */
#ifndef WASMHPC_COMPAT_H_
#define WASMHPC_COMPAT_H_

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#if defined(__wasi__)
#include <stdio.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#endif

#endif /* WASMHPC_COMPAT_H_ */
