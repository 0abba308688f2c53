/* <unistd.h> for wasmhpc guests: wasi-libc's, plus the SDK's POSIX compat
 * layer (contracts in <wasmhpc/compat.h>; code in sdk/lib/compat*.c). */
#ifndef WASMHPC_POSIX_UNISTD_H_
#define WASMHPC_POSIX_UNISTD_H_
#include_next <unistd.h>
#ifdef __cplusplus
extern "C" {
#endif
int getpagesize(void);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
#ifdef __cplusplus
}
#endif
#endif /* WASMHPC_POSIX_UNISTD_H_ */
