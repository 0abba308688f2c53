// Prints its arguments and exits with the code given as argv[1].
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) printf("argv[%d]=%s\n", i, argv[i]);
  return argc > 1 ? atoi(argv[1]) : 0;
}
