/* WASI end-to-end suite: file, directory, clock, random, args and env calls.
 * Usage: wasi_suite DIR [ARGS...]. Works in DIR (empty but for inside.txt
 * and subdir/), prints results that must be byte-identical natively and
 * under wasmhpc-run (no paths, pointers or times), exits with code 3. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guest_util.h"

static int failures;

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      printf("FAIL line %d: %s (%s)\n", __LINE__, #cond, errno_name(errno)); \
      failures++;                                                            \
    }                                                                        \
  } while (0)

static long long file_size(const char* path) {
  struct stat st;
  if (stat(path, &st) != 0) return -1;
  return (long long)st.st_size;
}

static const char* stat_errno(const char* path) {
  struct stat st;
  errno = 0;
  return stat(path, &st) == 0 ? "exists" : errno_name(errno);
}

static void args_and_env(int argc, char** argv) {
  printf("args:");
  for (int i = 2; i < argc; ++i) printf(" [%s]", argv[i]);
  printf("\n");
  const char* var = getenv("WASMHPC_TEST_VAR");
  printf("WASMHPC_TEST_VAR=%s\n", var ? var : "(unset)");
}

static void file_io(void) {
  int fd = open(P("a.txt"), O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  show("write", (long)write(fd, "hello world", 11));
  show("tell", (long)lseek(fd, 0, SEEK_CUR));
  show("seek", (long)lseek(fd, 6, SEEK_SET));
  char buf[64] = {0};
  show("read", (long)read(fd, buf, sizeof buf - 1));
  printf("read data: [%s]\n", buf);
  show("pwrite", (long)pwrite(fd, "HELLO", 5, 0));
  memset(buf, 0, sizeof buf);
  show("pread", (long)pread(fd, buf, 8, 3));
  printf("pread data: [%s]\n", buf);
  show("tell after pread", (long)lseek(fd, 0, SEEK_CUR));
  show("seek end", (long)lseek(fd, -2, SEEK_END));
  struct stat st;
  CHECK(fstat(fd, &st) == 0);
  printf("fstat: size %lld regular %d\n", (long long)st.st_size,
         S_ISREG(st.st_mode));
  CHECK(ftruncate(fd, 5) == 0);
  printf("ftruncate: size %lld\n", file_size(P("a.txt")));
  show("fsync", fsync(fd));
  CHECK(close(fd) == 0);
  show("read closed fd", (long)read(fd, buf, 1));
}

static void stdio_streams(void) {
  FILE* f = fopen(P("lines.txt"), "w");
  CHECK(f != NULL);
  fprintf(f, "line one\nline two\n");
  CHECK(fclose(f) == 0);
  f = fopen(P("lines.txt"), "a");
  CHECK(f != NULL);
  fputs("line three\n", f);
  CHECK(fclose(f) == 0);
  f = fopen(P("lines.txt"), "r+");
  CHECK(f != NULL);
  char line[64];
  printf("lines:");
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    printf(" [%s]", line);
  }
  printf("\n");
  CHECK(fseek(f, 0, SEEK_END) == 0);
  printf("ftell end: %ld\n", ftell(f));
  CHECK(fclose(f) == 0);
  f = fopen(P("missing"), "r");
  show("fopen missing", f ? 0 : -1);
}

static int compare_names(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

static void list_directory(const char* path) {
  DIR* d = opendir(path);
  CHECK(d != NULL);
  if (!d) return;
  char* names[64];
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL && n < 64) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    size_t len = strlen(e->d_name);
    names[n] = malloc(len + 2);
    memcpy(names[n], e->d_name, len + 1);
    if (e->d_type == DT_DIR) strcat(names[n], "/");
    n++;
  }
  CHECK(closedir(d) == 0);
  qsort(names, n, sizeof names[0], compare_names);
  printf("readdir:");
  for (int i = 0; i < n; ++i) {
    printf(" %s", names[i]);
    free(names[i]);
  }
  printf("\n");
}

static void directories(void) {
  show("mkdir", mkdir(P("d"), 0755));
  show("mkdir again", mkdir(P("d"), 0755));
  close(open(P("d/b.txt"), O_WRONLY | O_CREAT, 0644));
  close(open(P("d/a.txt"), O_WRONLY | O_CREAT, 0644));
  CHECK(mkdir(P("d/c"), 0755) == 0);
  list_directory(P("d"));
  show("rmdir non-empty", rmdir(P("d")));
  show("rename", rename(P("d/a.txt"), P2("d/c/moved.txt")));
  printf("after rename: old %s", stat_errno(P("d/a.txt")));
  printf(" new %s\n", stat_errno(P("d/c/moved.txt")));
  list_directory(P("d"));
  CHECK(unlink(P("d/b.txt")) == 0);
  CHECK(unlink(P("d/c/moved.txt")) == 0);
  CHECK(rmdir(P("d/c")) == 0);
  show("rmdir", rmdir(P("d")));
  printf("after rmdir: %s\n", stat_errno(P("d")));
  list_directory(guest_dir);
}

static void links_and_times(void) {
  show("symlink", symlink("a.txt", P("sym")));
  char target[64] = {0};
  show("readlink", (long)readlink(P("sym"), target, sizeof target - 1));
  printf("link target: [%s]\n", target);
  struct stat st;
  CHECK(lstat(P("sym"), &st) == 0);
  printf("lstat is link: %d\n", S_ISLNK(st.st_mode));
  printf("stat through link: size %lld\n", file_size(P("sym")));
  show("link", link(P("a.txt"), P2("hard")));
  CHECK(stat(P("a.txt"), &st) == 0);
  printf("nlink: %lld\n", (long long)st.st_nlink);
  struct timespec times[2] = {{1500000000, 0}, {1600000000, 0}};
  show("utimensat", utimensat(AT_FDCWD, P("a.txt"), times, 0));
  CHECK(stat(P("hard"), &st) == 0);
  printf("mtime: %lld atime: %lld\n", (long long)st.st_mtim.tv_sec,
         (long long)st.st_atim.tv_sec);
  CHECK(unlink(P("sym")) == 0);
  CHECK(unlink(P("hard")) == 0);
  CHECK(unlink(P("a.txt")) == 0);
  CHECK(unlink(P("lines.txt")) == 0);
  show("unlink missing", unlink(P("a.txt")));
}

static uint64_t now_ns(clockid_t id) {
  struct timespec ts;
  CHECK(clock_gettime(id, &ts) == 0);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void clocks_and_random(void) {
  uint64_t t1 = now_ns(CLOCK_MONOTONIC);
  uint64_t t2 = now_ns(CLOCK_MONOTONIC);
  printf("monotonic: %s\n", t2 >= t1 ? "ok" : "went backwards");
  struct timespec nap = {0, 10 * 1000 * 1000};
  CHECK(nanosleep(&nap, NULL) == 0);
  uint64_t t3 = now_ns(CLOCK_MONOTONIC);
  printf("sleep 10ms: %s\n", t3 - t2 >= 10u * 1000 * 1000 ? "ok" : "short");
  /* 2020-01-01T00:00:00Z */
  printf("realtime: %s\n",
         now_ns(CLOCK_REALTIME) / 1000000000u > 1577836800u ? "ok" : "bad");
  printf("time(): %s\n", time(NULL) > 1577836800 ? "ok" : "bad");
  unsigned char bytes[32] = {0};
  CHECK(getentropy(bytes, sizeof bytes) == 0);
  int nonzero = 0;
  for (size_t i = 0; i < sizeof bytes; ++i) nonzero |= bytes[i];
  printf("random: %s\n", nonzero ? "ok" : "all zero");
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR [ARGS...]\n", argv[0]);
    return 2;
  }
  guest_dir = argv[1];
  args_and_env(argc, argv);
  file_io();
  stdio_streams();
  directories();
  links_and_times();
  clocks_and_random();
  printf("failures: %d\n", failures);
  exit(3);
}
