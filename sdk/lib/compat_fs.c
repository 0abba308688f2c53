/* The SDK's POSIX compat layer, file side: realpath, statvfs/statfs and GNU
 * basename for wasi-libc. Contracts: <wasmhpc/compat.h>. Weak, so a
 * program's own definition wins. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define WEAK __attribute__((weak))

/* Symbolic links followed in one realpath call, as Linux's MAXSYMLINKS. */
enum { kMaxLinks = 40 };

/* Drops the last component of the absolute path `out` ("/a/b" -> "/a"). */
static void pop_component(char *out) {
  char *slash = strrchr(out, '/');
  if (slash == out)
    slash[1] = '\0';
  else
    *slash = '\0';
}

/* Appends "/name" (n bytes) to `out`; 0, or -1 with ENAMETOOLONG. */
static int push_component(char *out, const char *name, size_t n) {
  size_t len = strlen(out);
  size_t sep = out[len - 1] == '/' ? 0 : 1;
  if (len + sep + n >= PATH_MAX) {
    errno = ENAMETOOLONG;
    return -1;
  }
  if (sep) out[len++] = '/';
  memcpy(out + len, name, n);
  out[len + n] = '\0';
  return 0;
}

/* The link at `out` replaces its component: `rest` becomes its target
 * followed by the components not yet walked (`tail`). 0, or -1 + errno. */
static int follow_link(char *out, char *rest, const char *tail) {
  char target[PATH_MAX], joined[PATH_MAX];
  ssize_t n = readlink(out, target, sizeof(target) - 1);
  if (n < 0) return -1;
  target[n] = '\0';
  pop_component(out);
  if (target[0] == '/') strcpy(out, "/");
  if ((size_t)n + 1 + strlen(tail) >= sizeof(joined)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(joined, target);
  strcat(joined, "/");
  strcat(joined, tail);
  strcpy(rest, joined);
  return 0;
}

/* Walks `rest` (a path relative to `out`), resolving into `out`. */
static int resolve(char *out, char *rest) {
  int links = 0;
  char *p = rest;
  while (*p) {
    size_t n;
    struct stat st;
    while (*p == '/') p++;
    n = strcspn(p, "/");
    if (n == 0) break;
    if (n == 1 && p[0] == '.') {
      p += n;
      continue;
    }
    if (n == 2 && p[0] == '.' && p[1] == '.') {
      pop_component(out);
      p += n;
      continue;
    }
    if (push_component(out, p, n) != 0 || lstat(out, &st) != 0) return -1;
    p += n;
    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxLinks) {
        errno = ELOOP;
        return -1;
      }
      if (follow_link(out, rest, p) != 0) return -1;
      p = rest;
    } else if (*p && !S_ISDIR(st.st_mode)) {
      errno = ENOTDIR;
      return -1;
    }
  }
  return 0;
}

WEAK char *realpath(const char *restrict path, char *restrict resolved) {
  char out[PATH_MAX], rest[PATH_MAX];
  if (path == NULL) {
    errno = EINVAL;
    return NULL;
  }
  if (path[0] == '\0') {
    errno = ENOENT;
    return NULL;
  }
  if (strlen(path) >= sizeof(rest)) {
    errno = ENAMETOOLONG;
    return NULL;
  }
  strcpy(rest, path);
  if (path[0] == '/')
    strcpy(out, "/");
  else if (getcwd(out, sizeof(out)) == NULL)
    return NULL;
  if (resolve(out, rest) != 0) return NULL;
  if (resolved == NULL) return strdup(out);
  return strcpy(resolved, out);
}

/* WASI tells nothing about file systems: ENOSYS once the file is known. */
WEAK int statvfs(const char *restrict path, struct statvfs *restrict buf) {
  struct stat st;
  (void)buf;
  if (stat(path, &st) != 0) return -1;
  errno = ENOSYS;
  return -1;
}

WEAK int fstatvfs(int fd, struct statvfs *buf) {
  struct stat st;
  (void)buf;
  if (fstat(fd, &st) != 0) return -1;
  errno = ENOSYS;
  return -1;
}

WEAK int statfs(const char *path, struct statfs *buf) {
  return statvfs(path, (struct statvfs *)(void *)buf);
}

WEAK int fstatfs(int fd, struct statfs *buf) {
  return fstatvfs(fd, (struct statvfs *)(void *)buf);
}

/* GNU basename: the part after the last '/', "" after a trailing one. */
char *wasmhpc_gnu_basename(const char *path) {
  const char *slash = strrchr(path, '/');
  return (char *)(slash != NULL ? slash + 1 : path);
}
