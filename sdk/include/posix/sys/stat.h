/* <sys/stat.h> for wasmhpc guests: wasi-libc's, plus the SDK's POSIX compat
 * layer (contracts in <wasmhpc/compat.h>; code in sdk/lib/compat*.c). */
#ifndef WASMHPC_POSIX_SYS_STAT_H_
#define WASMHPC_POSIX_SYS_STAT_H_
#include_next <sys/stat.h>
#ifdef __cplusplus
extern "C" {
#endif
int mknod(const char *, mode_t, dev_t);
#ifdef __cplusplus
}
#endif
#endif /* WASMHPC_POSIX_SYS_STAT_H_ */
