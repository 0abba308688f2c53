/* Calls every function of the SDK's POSIX compat layer with only the
 * standard headers (no <wasmhpc/compat.h>), as unmodified code does, and
 * prints what each returns; sdk_test.sh's compat_run compares the output
 * with compat_posix.expected. argv[1]: a folder holding d/sub/, d/file
 * and link -> d/sub (the guest sees it as /tree). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

static const char *err(int e) {
  switch (e) {
    case 0:
      return "0";
    case ENOSYS:
      return "ENOSYS";
    case ENOENT:
      return "ENOENT";
    case EINVAL:
      return "EINVAL";
    case ENOTDIR:
      return "ENOTDIR";
    case ENAMETOOLONG:
      return "ENAMETOOLONG";
    case ECHILD:
      return "ECHILD";
    default:
      return strerror(e);
  }
}

static void show_realpath(const char *path) {
  char buf[PATH_MAX];
  errno = 0;
  const char *r = realpath(path, buf);
  printf("realpath %s: %s %s\n", path, r ? r : "NULL", err(r ? 0 : errno));
}

int main(int argc, char **argv) {
  char host[64], tiny[4], copy[] = "/a/b/";
  struct statvfs vfs;
  struct statfs fs;
  if (argc != 2 || chdir(argv[1]) != 0) return 2;
  printf("getpagesize %d\n", getpagesize());
  printf("gethostname %d %s\n", gethostname(host, sizeof(host)), host);
  errno = 0;
  printf("gethostname short %d %s\n", gethostname(tiny, sizeof(tiny)),
         err(errno));
  printf("ids %d %d %d %d pid %d\n", (int)getuid(), (int)geteuid(),
         (int)getgid(), (int)getegid(), getpid() > 0);
  show_realpath("d/./sub/../file");
  show_realpath("link/..//file");
  show_realpath("link");
  show_realpath("missing/x");
  show_realpath("d/file/x");
  errno = 0;
  printf("statvfs %d %s\n", statvfs("d", &vfs), err(errno));
  errno = 0;
  printf("statvfs missing %d %s\n", statvfs("missing", &vfs), err(errno));
  errno = 0;
  printf("statfs %d %s\n", statfs("d", &fs), err(errno));
  printf("basename [%s] [%s] [%s] %s\n", basename("a/b/"), basename("c"),
         basename(copy), copy);
  errno = 0;
  printf("system %d %d %s\n", system(NULL), system("ls"), err(errno));
  errno = 0;
  FILE *p = popen("ls", "r");
  printf("popen %s %s\n", p ? "FILE" : "NULL", err(errno));
  errno = 0;
  printf("pclose %d %s\n", pclose(stdin), err(errno));
  errno = 0;
  printf("mknod %d %s\n", mknod("fifo", S_IFIFO | 0600, 0), err(errno));
  char *mem = (char *)malloc(100);
  errno = 0;
  printf("msync %d %d %s\n", msync(mem, 100, MS_SYNC),
         msync(mem, 100, MS_SYNC | MS_ASYNC), err(errno));
  printf("posix_madvise %d %d\n", posix_madvise(mem, 100, POSIX_MADV_WILLNEED),
         posix_madvise(mem, 100, 99) == EINVAL);
  errno = 0;
  printf("madvise %d %d %s\n", madvise(mem, 100, MADV_SEQUENTIAL),
         madvise(mem, 100, MADV_DONTNEED), err(errno));
  free(mem);
  return 0;
}
