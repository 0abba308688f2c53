/* <string.h> for wasmhpc guests: wasi-libc's, plus the SDK's POSIX compat
 * layer (contracts in <wasmhpc/compat.h>; code in sdk/lib/compat*.c). */
#ifndef WASMHPC_POSIX_STRING_H_
#define WASMHPC_POSIX_STRING_H_
#include_next <string.h>
/* GNU basename (never writes to its argument; "" after a trailing "/"),
 * as glibc gives with _GNU_SOURCE unless <libgen.h> (POSIX) is included. */
#if defined(_GNU_SOURCE) && !defined(_LIBGEN_H)
#ifdef __cplusplus
extern "C" char *wasmhpc_gnu_basename(const char *);
extern "C++" inline char *basename(const char *path) {
  return wasmhpc_gnu_basename(path);
}
#else
char *wasmhpc_gnu_basename(const char *);
#define basename wasmhpc_gnu_basename
#endif
#endif
#endif /* WASMHPC_POSIX_STRING_H_ */
