#include "server/handlers/backfill.h"

#include <algorithm>

namespace wasmhpc::server {

std::optional<Reservation> Reserve(const std::vector<PoolLoad>& pools,
                                   int ranks) {
  std::optional<Reservation> best;
  for (const PoolLoad& pool : pools) {
    if (pool.size < ranks) continue;
    std::vector<std::pair<absl::Time, int>> ends = pool.running;
    std::sort(ends.begin(), ends.end());
    int free = pool.free;
    absl::Time start = absl::InfinitePast();
    for (const auto& [end, held] : ends) {
      if (free >= ranks) break;
      free += held;
      start = end;
    }
    if (free < ranks || start == absl::InfiniteFuture()) continue;
    if (!best || start < best->start) {
      best = Reservation{pool.id, start, free - ranks};
    }
  }
  return best;
}

bool FitsBefore(Reservation& reservation, int ranks, absl::Duration timeout,
                absl::Time now) {
  if (timeout > absl::ZeroDuration() && now + timeout <= reservation.start) {
    return true;
  }
  if (ranks > reservation.spare) return false;
  reservation.spare -= ranks;
  return true;
}

}  // namespace wasmhpc::server
