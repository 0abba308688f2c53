/* <stdlib.h> for wasmhpc guests: wasi-libc's, plus the SDK's POSIX compat
 * layer (contracts in <wasmhpc/compat.h>; code in sdk/lib/compat*.c). */
#ifndef WASMHPC_POSIX_STDLIB_H_
#define WASMHPC_POSIX_STDLIB_H_
#include_next <stdlib.h>
#ifdef __cplusplus
extern "C" {
#endif
char *realpath(const char *__restrict, char *__restrict);
#ifdef __cplusplus
}
#endif
#endif /* WASMHPC_POSIX_STDLIB_H_ */
