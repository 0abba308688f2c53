/* <libgen.h> for wasmhpc guests: POSIX basename/dirname from wasi-libc.
 * Included after <string.h> with _GNU_SOURCE, it replaces the GNU basename
 * macro there by POSIX's, as glibc does. */
#ifndef WASMHPC_POSIX_LIBGEN_H_
#define WASMHPC_POSIX_LIBGEN_H_
#undef basename
#include_next <libgen.h>
#endif /* WASMHPC_POSIX_LIBGEN_H_ */
