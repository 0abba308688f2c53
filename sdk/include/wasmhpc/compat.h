/* POSIX calls that wasi-libc lacks, as small stand-ins for ports of HPC codes.
 *
 * Include this after (or instead of) <unistd.h> and <stdlib.h>. Each call is
 * a static inline function with a wasmhpc_ prefix, and a macro maps the POSIX
 * name onto it, so the header works whether or not wasi-libc declares the
 * POSIX name. On other targets the header only includes the system headers,
 * so ports can include it unconditionally.
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
#if defined(__cplusplus)
extern "C" {
#endif

/* The Wasm page size (64 KiB). */
static inline int wasmhpc_getpagesize(void) { return 65536; }

/* Copies the guest's host name, "wasmhpc" (a guest has no host identity).
 * Returns 0, or -1 with errno ENAMETOOLONG when `len` is too small. */
static inline int wasmhpc_gethostname(char *name, size_t len) {
  static const char kName[] = "wasmhpc";
  if (len < sizeof(kName)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(name, kName, sizeof(kName));
  return 0;
}

/* A guest runs as one anonymous user: every id is 0. */
static inline uid_t wasmhpc_getuid(void) { return 0; }
static inline uid_t wasmhpc_geteuid(void) { return 0; }
static inline gid_t wasmhpc_getgid(void) { return 0; }
static inline gid_t wasmhpc_getegid(void) { return 0; }

/* WASI has no absolute paths: returns a copy of `path` if it exists (into
 * `resolved`, PATH_MAX bytes, or a malloc'ed buffer when NULL), else NULL
 * with errno set. "." and ".." are not folded. */
static inline char *wasmhpc_realpath(const char *path, char *resolved) {
  struct stat st;
  size_t n;
  if (path == NULL) {
    errno = EINVAL;
    return NULL;
  }
  if (stat(path, &st) != 0) return NULL;
  n = strlen(path) + 1;
  if (n > PATH_MAX) {
    errno = ENAMETOOLONG;
    return NULL;
  }
  if (resolved == NULL) {
    resolved = (char *)malloc(n);
    if (resolved == NULL) return NULL;
  }
  memcpy(resolved, path, n);
  return resolved;
}

#define getpagesize wasmhpc_getpagesize
#define gethostname wasmhpc_gethostname
#define getuid wasmhpc_getuid
#define geteuid wasmhpc_geteuid
#define getgid wasmhpc_getgid
#define getegid wasmhpc_getegid
#define realpath wasmhpc_realpath

#if defined(__cplusplus)
}
#endif
#endif /* __wasi__ */

#endif /* WASMHPC_COMPAT_H_ */
