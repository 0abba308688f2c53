/* The SDK's POSIX compat layer, process side: identity, shell and memory
 * calls that wasi-libc declares or lacks. Contracts: <wasmhpc/compat.h>.
 * Weak, so a program's own definition wins. Linked by wasmhpc-cc from the
 * archive libwasmhpc_compat.a, so only what a program uses is pulled in. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define WEAK __attribute__((weak))

/* The overflow id an unmapped user sees in a Linux user namespace. */
enum { kNobody = 65534 };

WEAK int getpagesize(void) { return 65536; }

WEAK int gethostname(char *name, size_t len) {
  static const char kName[] = "wasmhpc";
  if (len < sizeof(kName)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(name, kName, sizeof(kName));
  return 0;
}

WEAK uid_t getuid(void) { return kNobody; }
WEAK uid_t geteuid(void) { return kNobody; }
WEAK gid_t getgid(void) { return kNobody; }
WEAK gid_t getegid(void) { return kNobody; }

/* No shell: system(NULL) says so (0); any command fails. */
WEAK int system(const char *command) {
  if (command == NULL) return 0;
  errno = ENOSYS;
  return -1;
}

WEAK FILE *popen(const char *command, const char *mode) {
  (void)command;
  (void)mode;
  errno = ENOSYS;
  return NULL;
}

WEAK int pclose(FILE *stream) {
  (void)stream;
  errno = ENOSYS;
  return -1;
}

WEAK int mknod(const char *path, mode_t mode, dev_t dev) {
  (void)path;
  (void)mode;
  (void)dev;
  errno = ENOSYS;
  return -1;
}

/* wasi-libc's mmap copies a file into private memory: nothing to write
 * back. The flags are checked as Linux does. */
WEAK int msync(void *addr, size_t len, int flags) {
  (void)addr;
  (void)len;
  if ((flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) != 0 ||
      ((flags & MS_ASYNC) && (flags & MS_SYNC))) {
    errno = EINVAL;
    return -1;
  }
  return 0;
}

/* POSIX advice never changes memory contents: accepted, ignored. */
WEAK int posix_madvise(void *addr, size_t len, int advice) {
  (void)addr;
  (void)len;
  return advice >= POSIX_MADV_NORMAL && advice <= POSIX_MADV_DONTNEED ? 0
                                                                      : EINVAL;
}

/* Linux advice: hints are accepted; those that would discard contents
 * (MADV_DONTNEED zero-fills on Linux) cannot be honoured: ENOSYS. */
WEAK int madvise(void *addr, size_t len, int advice) {
  (void)addr;
  (void)len;
  switch (advice) {
    case MADV_DONTNEED:
    case MADV_REMOVE:
    case MADV_HWPOISON:
    case MADV_SOFT_OFFLINE:
      errno = ENOSYS;
      return -1;
    default:
      if (advice >= MADV_NORMAL && advice <= MADV_PAGEOUT &&
          !(advice > MADV_DONTNEED && advice < MADV_FREE)) {
        return 0;
      }
      errno = EINVAL;
      return -1;
  }
}
