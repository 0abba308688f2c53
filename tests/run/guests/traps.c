// Traps on purpose; argv[1] picks how. Used to check wasmhpc-run's trap report.
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) static int divide(volatile int a, volatile int b) {
  return a / b;
}

// Recursion through a volatile pointer: no tail call, nothing on the C
// (shadow) stack, so V8's own stack limit is what stops it.
static int recurse_forever(int depth);
static int (*volatile recurse)(int) = recurse_forever;
__attribute__((noinline)) static int recurse_forever(int depth) {
  return recurse(depth + 1) + 1;
}

// Large frames on the C stack in linear memory: overflowing it must trap,
// never run into the module's data.
__attribute__((noinline)) static int deep_frames(int depth) {
  volatile char frame[64 * 1024];
  frame[depth % sizeof frame] = (char)depth;
  return deep_frames(depth + 1) + frame[0];
}

__attribute__((noinline)) static int load_far_away(void) {
  volatile int* p = (volatile int*)0xfffffff0u;
  return *p;
}

int main(int argc, char** argv) {
  const char* how = argc > 1 ? argv[1] : "";
  printf("about to trap: %s\n", how);
  fflush(stdout);
  if (strcmp(how, "oob") == 0) return load_far_away();
  if (strcmp(how, "unreachable") == 0) __builtin_trap();
  if (strcmp(how, "divzero") == 0) return divide(1, 0);
  if (strcmp(how, "stack") == 0) return recurse_forever(0);
  if (strcmp(how, "cstack") == 0) return deep_frames(0);
  return 0;
}
