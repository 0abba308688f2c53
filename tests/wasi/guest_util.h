/* Helpers shared by the WASI guest programs. They build natively (glibc)
 * and for wasm32-wasi (wasi-libc), whose errno values differ, so errors are
 * printed by name. */
#ifndef WASMHPC_TESTS_WASI_GUEST_UTIL_H_
#define WASMHPC_TESTS_WASI_GUEST_UTIL_H_

#include <errno.h>
#include <stdio.h>

static inline const char* errno_name(int e) {
  switch (e) {
    case 0:
      return "OK";
    case EACCES:
      return "EACCES";
    case EBADF:
      return "EBADF";
    case EEXIST:
      return "EEXIST";
    case EINVAL:
      return "EINVAL";
    case EISDIR:
      return "EISDIR";
    case ELOOP:
      return "ELOOP";
    case ENOENT:
      return "ENOENT";
    case ENOSYS:
      return "ENOSYS";
    case ENOTDIR:
      return "ENOTDIR";
    case ENOTEMPTY:
      return "ENOTEMPTY";
    case EPERM:
      return "EPERM";
    case EROFS:
      return "EROFS";
    case EXDEV:
      return "EXDEV";
#ifdef ENOTCAPABLE
    case ENOTCAPABLE:
      return "ENOTCAPABLE";
#endif
    default:
      return "E?";
  }
}

/* Prints "LABEL: RC" or, for a negative RC, "LABEL: RC ERRNO". Call it with
 * the system call as argument so that errno is read after the call. */
static inline void show(const char* label, long rc) {
  if (rc < 0) {
    printf("%s: %ld %s\n", label, rc, errno_name(errno));
  } else {
    printf("%s: %ld\n", label, rc);
  }
}

/* "<dir>/<name>" in one of two static buffers (two paths per call). */
static const char* guest_dir;
static inline const char* path_in(int slot, const char* name) {
  static char buffers[2][4096];
  snprintf(buffers[slot], sizeof buffers[slot], "%s/%s", guest_dir, name);
  return buffers[slot];
}
#define P(name) path_in(0, name)
#define P2(name) path_in(1, name)

#endif /* WASMHPC_TESTS_WASI_GUEST_UTIL_H_ */
