/* Tries to leave the preopened directory DIR (argv[1]) in every way a guest
 * can: "..", absolute paths and symlinks pointing outside (which it creates
 * itself: creating them is allowed, following them must fail). Prints
 * "NAME: opened" or "NAME: refused ERRNO" per attempt. Natively everything
 * but nothing is refused; under wasmhpc-run every escape must be refused.
 * The harness provides DIR/inside.txt, DIR/subdir/ and DIR/../outside.txt. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_util.h"

/* Prints "NAME: WORD" on success, "NAME: refused ERRNO" on failure. */
static void report_as(const char* name, int ok, const char* word) {
  if (ok) {
    printf("%s: %s\n", name, word);
  } else {
    printf("%s: refused %s\n", name, errno_name(errno));
  }
}

static void report(const char* name, int ok) { report_as(name, ok, "done"); }

static void try_open(const char* name, const char* path) {
  errno = 0;
  int fd = open(path, O_RDONLY);
  report_as(name, fd >= 0, "opened");
  if (fd >= 0) close(fd);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  guest_dir = argv[1];
  /* Creating links whose targets leave DIR is allowed: they are data. */
  show("symlink_abs", symlink("/etc/passwd", P("link_abs")));
  show("symlink_rel", symlink("../outside.txt", P("link_rel")));
  show("symlink_dir", symlink("/etc", P("link_dir")));
  show("symlink_in", symlink("inside.txt", P("link_in")));

  try_open("inside", P("inside.txt"));
  try_open("link_in", P("link_in"));
  try_open("dotdot", P("../outside.txt"));
  try_open("dotdot_deep", P("subdir/../../outside.txt"));
  try_open("absolute", "/etc/passwd");
  try_open("link_abs", P("link_abs"));
  try_open("link_rel", P("link_rel"));
  try_open("link_dir", P("link_dir/passwd"));

  struct stat st;
  errno = 0;
  report("stat_dotdot", stat(P("../outside.txt"), &st) == 0);
  errno = 0;
  report("stat_link_abs", stat(P("link_abs"), &st) == 0);
  errno = 0;
  report("lstat_link_abs", lstat(P("link_abs"), &st) == 0);
  errno = 0;
  DIR* d = opendir(P(".."));
  report_as("opendir_dotdot", d != NULL, "opened");
  if (d) closedir(d);
  errno = 0;
  int fd = open(P("../created.txt"), O_WRONLY | O_CREAT, 0644);
  report_as("create_dotdot", fd >= 0, "opened");
  if (fd >= 0) close(fd);
  errno = 0;
  report("mkdir_dotdot", mkdir(P("../newdir"), 0755) == 0);
  errno = 0;
  report("link_dotdot", link(P("../outside.txt"), P2("hard")) == 0);
  /* Destructive ones last: natively they succeed. */
  errno = 0;
  report("rename_out", rename(P("inside.txt"), P2("../moved.txt")) == 0);
  errno = 0;
  report("unlink_dotdot", unlink(P("../outside.txt")) == 0);
  return 0;
}
