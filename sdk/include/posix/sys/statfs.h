/* <sys/statfs.h> for wasmhpc guests (wasi-libc has none), as Linux's.
 * WASI cannot tell a file system's size, so statfs/fstatfs fail: -1 with
 * errno ENOSYS for a path that exists (else stat's errno, e.g. ENOENT). */
#ifndef WASMHPC_POSIX_SYS_STATFS_H_
#define WASMHPC_POSIX_SYS_STATFS_H_
#include <sys/statvfs.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct __fsid_t {
  int __val[2];
} fsid_t;

struct statfs {
  unsigned long f_type, f_bsize;
  fsblkcnt_t f_blocks, f_bfree, f_bavail;
  fsfilcnt_t f_files, f_ffree;
  fsid_t f_fsid;
  unsigned long f_namelen, f_frsize, f_flags, f_spare[4];
};

int statfs(const char *, struct statfs *);
int fstatfs(int, struct statfs *);

#ifdef __cplusplus
}
#endif
#endif /* WASMHPC_POSIX_SYS_STATFS_H_ */
