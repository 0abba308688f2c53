/* <stdio.h> for wasmhpc guests: wasi-libc's, plus the SDK's POSIX compat
 * layer (contracts in <wasmhpc/compat.h>; code in sdk/lib/compat*.c). */
#ifndef WASMHPC_POSIX_STDIO_H_
#define WASMHPC_POSIX_STDIO_H_
#include_next <stdio.h>
#ifdef __cplusplus
extern "C" {
#endif
FILE *popen(const char *, const char *);
int pclose(FILE *);
#ifdef __cplusplus
}
#endif
#endif /* WASMHPC_POSIX_STDIO_H_ */
