/* Uses every stand-in of <wasmhpc/compat.h>. */
#include <stdio.h>
#include <wasmhpc/compat.h>

int main(void) {
  char host[64], path[PATH_MAX];
  if (gethostname(host, sizeof(host)) != 0) return 1;
  printf("%s %d %d %d %d %d %s\n", host, getpagesize(), (int)getuid(),
         (int)geteuid(), (int)getgid(), (int)getegid(),
         realpath(".", path) ? path : "-");
  return 0;
}
