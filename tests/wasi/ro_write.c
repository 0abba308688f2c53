/* Tries every kind of write in DIR (argv[1]), a read-only preopen, and
 * prints "NAME: ok" or "NAME: refused ERRNO" per attempt; then shows that
 * DIR/inside.txt is unchanged. The harness provides DIR/inside.txt
 * ("inside\n") and DIR/subdir/. */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_util.h"

static void report(const char* name, int ok) {
  if (ok) {
    printf("%s: ok\n", name);
  } else {
    printf("%s: refused %s\n", name, errno_name(errno));
  }
}

static void try_open(const char* name, const char* path, int flags) {
  errno = 0;
  int fd = open(path, flags, 0644);
  report(name, fd >= 0);
  if (fd >= 0) close(fd);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  guest_dir = argv[1];
  try_open("create", P("new.txt"), O_WRONLY | O_CREAT);
  try_open("open_wronly", P("inside.txt"), O_WRONLY);
  try_open("open_rdwr", P("inside.txt"), O_RDWR);
  try_open("open_trunc", P("inside.txt"), O_RDONLY | O_TRUNC);
  errno = 0;
  FILE* f = fopen(P("inside.txt"), "a");
  report("fopen_append", f != NULL);
  if (f) fclose(f);

  /* Opened for reading: writing through it fails. */
  int fd = open(P("inside.txt"), O_RDONLY);
  report("open_rdonly", fd >= 0);
  errno = 0;
  report("write_rdonly_fd", write(fd, "x", 1) == 1);
  errno = 0;
  report("ftruncate_rdonly_fd", ftruncate(fd, 0) == 0);
  close(fd);

  errno = 0;
  report("truncate", truncate(P("inside.txt"), 0) == 0);
  errno = 0;
  report("unlink", unlink(P("inside.txt")) == 0);
  errno = 0;
  report("mkdir", mkdir(P("newdir"), 0755) == 0);
  errno = 0;
  report("rmdir", rmdir(P("subdir")) == 0);
  errno = 0;
  report("rename", rename(P("inside.txt"), P2("renamed.txt")) == 0);
  errno = 0;
  report("link", link(P("inside.txt"), P2("hard")) == 0);
  errno = 0;
  report("symlink", symlink("inside.txt", P("sym")) == 0);
  errno = 0;
  report("utimensat", utimensat(AT_FDCWD, P("inside.txt"), NULL, 0) == 0);

  char buf[64] = {0};
  fd = open(P("inside.txt"), O_RDONLY);
  int n = fd >= 0 ? (int)read(fd, buf, sizeof buf - 1) : -1;
  buf[strcspn(buf, "\n")] = 0;
  printf("inside.txt: %d [%s]\n", n, buf);
  if (fd >= 0) close(fd);
  return 0;
}
