#include "sum.h"

long long sum_range(int first, int count) {
  long long sum = 0;
  for (int i = first; i < first + count; ++i) sum += i;
  return sum;
}
