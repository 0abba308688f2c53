#include "stats.h"

long long stats_sum_squares(int first, int count) {
  long long sum = 0;
  for (int i = first; i < first + count; ++i) sum += (long long)i * i;
  return sum;
}
