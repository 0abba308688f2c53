// EASY backfill (Lifka's, as Slurm's and Flux's schedulers do it): when the
// job at the head of the queue does not fit, it gets a reservation - the
// earliest time one pool will have its ranks, from the running jobs'
// timeouts - and a later job may start at once if that cannot delay it:
// on another pool, or on that pool when it ends (its timeout) before the
// reservation starts or needs only ranks the head job leaves over then.
// Jobs without a timeout may run forever: a pool with one of them can give
// no reservation time past its end, and a job without a timeout backfills
// only onto ranks the reservation leaves over.
#ifndef WASMHPC_SERVER_HANDLERS_BACKFILL_H_
#define WASMHPC_SERVER_HANDLERS_BACKFILL_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace wasmhpc::server {

// One pool that takes jobs, as backfill sees it.
struct PoolLoad {
  std::string id;
  int size = 0;  // executors
  int free = 0;  // free now
  // The jobs on it: when each is expected to end at the latest (its start +
  // timeout; InfiniteFuture without one) and its ranks.
  std::vector<std::pair<absl::Time, int>> running;
};

struct Reservation {
  std::string pool_id;
  absl::Time start;  // when the head job can start at the latest
  int spare = 0;     // ranks of that pool free then beyond the head job's
};

// The reservation for a job of `ranks`: the pool where it can start
// earliest (attach order breaks ties). nullopt when no pool can say when
// (too small, or held by jobs without a timeout).
std::optional<Reservation> Reserve(const std::vector<PoolLoad>& pools,
                                   int ranks);

// Whether a job of `ranks` and `timeout` (ZeroDuration: none) started `now`
// on the reservation's pool leaves the reservation intact; when it does by
// using spare ranks, they are taken from `reservation`.
bool FitsBefore(Reservation& reservation, int ranks, absl::Duration timeout,
                absl::Time now);

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_BACKFILL_H_
