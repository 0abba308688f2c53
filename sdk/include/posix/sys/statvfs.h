/* <sys/statvfs.h> for wasmhpc guests (wasi-libc has none), as musl's.
 * WASI cannot tell a file system's size, so statvfs/fstatvfs fail: -1 with
 * errno ENOSYS for a path that exists (else stat's errno, e.g. ENOENT). */
#ifndef WASMHPC_POSIX_SYS_STATVFS_H_
#define WASMHPC_POSIX_SYS_STATVFS_H_
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct statvfs {
  unsigned long f_bsize, f_frsize;
  fsblkcnt_t f_blocks, f_bfree, f_bavail;
  fsfilcnt_t f_files, f_ffree, f_favail;
  unsigned long f_fsid;
  unsigned long f_flag, f_namemax;
  int __reserved[6];
};

#define ST_RDONLY 1
#define ST_NOSUID 2

int statvfs(const char *__restrict, struct statvfs *__restrict);
int fstatvfs(int, struct statvfs *);

#ifdef __cplusplus
}
#endif
#endif /* WASMHPC_POSIX_SYS_STATVFS_H_ */
