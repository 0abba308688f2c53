// DurationHistogram: how long things took, in fixed buckets of seconds, as
// a Prometheus histogram is exposed (the head's /metrics: queue waits and
// run times of jobs).
//
// Thread safety: none; the owner locks.
#ifndef WASMHPC_SERVER_HANDLERS_DURATION_HISTOGRAM_H_
#define WASMHPC_SERVER_HANDLERS_DURATION_HISTOGRAM_H_

#include <array>
#include <cstdint>

#include "absl/time/time.h"

namespace wasmhpc::server {

struct DurationHistogram {
  // Upper bounds of the buckets in seconds; a last bucket (+Inf) holds the
  // rest.
  static constexpr std::array<double, 9> kBounds = {
      0.01, 0.1, 1, 10, 60, 600, 3600, 6 * 3600, 24 * 3600};

  // Observations of at most each bound (cumulative, as exposed).
  std::array<uint64_t, kBounds.size()> at_most{};
  uint64_t count = 0;
  double sum_seconds = 0;

  void Add(absl::Duration d) {
    const double seconds = absl::ToDoubleSeconds(d);
    for (size_t i = 0; i < kBounds.size(); ++i) {
      at_most[i] += seconds <= kBounds[i];
    }
    ++count;
    sum_seconds += seconds;
  }
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_DURATION_HISTOGRAM_H_
