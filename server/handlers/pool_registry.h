// PoolRegistry: the worker pools attached to the head, their executor ranks
// and which of them are free; first-fit allocation of ranks to jobs on
// ACTIVE pools (a job never spans pools); the failures pool launchers
// reported.
//
// A pool is ACTIVE from its Hello; Drain makes it DRAINING (no new jobs; it
// lists as DRAINED once idle) or DETACHING (leaves once idle); Resume makes a
// DRAINING pool ACTIVE again.
//
// A pool is known from its Hello (PoolService.Attach) until its stream ends.
// Pool ids are never reused within a head's life and carry a per-head prefix,
// so a pool that re-attaches (after a restart of the pool or of the head) is
// a new pool with a new id.
//
// Thread safety: thread-compatible. The Scheduler owns one and guards it with
// its mutex.
#ifndef WASMHPC_SERVER_HANDLERS_POOL_REGISTRY_H_
#define WASMHPC_SERVER_HANDLERS_POOL_REGISTRY_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "wasmhpc/v1/pools.pb.h"

namespace wasmhpc::server {

// What the head sends to one attached pool: implemented by the gRPC
// PoolService adaptor (it queues messages for the pool's Attach stream) and
// by the tests' FakePool.
class PoolSink {
 public:
  virtual ~PoolSink() = default;
  // Called with the scheduler's mutex held: must not block and must not call
  // back into the head. Messages to one sink are sent in call order.
  virtual void Send(const v1::HeadMessage& message) = 0;
};

struct AttachedPool {
  std::string id;
  v1::PoolMessage::Hello hello;
  PoolSink* sink = nullptr;  // Not owned; valid while attached.
  absl::Time attached;
  std::vector<int32_t> executors;  // Pool world ranks except 0, ascending.
  std::set<int32_t> free;          // Executors running no job.
  std::vector<std::string> hosts;  // Distinct, in rank order.
  // POOL_ACTIVE, POOL_DRAINING or POOL_DETACHING.
  v1::PoolState state = v1::POOL_ACTIVE;
  std::string reason;  // Why it drains.
  bool detach_sent = false;

  bool idle() const { return free.size() == executors.size(); }
};

// Ranks given to one job.
struct Allocation {
  std::string pool_id;
  std::vector<int32_t> ranks;  // Ascending pool world ranks.
};

class PoolRegistry {
 public:
  // Pool ids are "<id_prefix>-<n>", n = 1, 2, ...
  explicit PoolRegistry(std::string id_prefix);

  // Registers a pool in O(n log n) of its ranks. InvalidArgument unless
  // hello lists rank 0 and at least one other rank, all distinct and
  // non-negative, within the limits of api_limits.h (ranks, bytes, names);
  // ResourceExhausted when kMaxAttachedPools are attached.
  absl::StatusOr<const AttachedPool*> Add(const v1::PoolMessage::Hello& hello,
                                          PoolSink* sink, absl::Time now);

  // Unregisters the pool; nullopt if unknown.
  std::optional<AttachedPool> Remove(absl::string_view pool_id);

  // The pool, or nullptr. Valid until the next Add/Remove.
  const AttachedPool* Find(absl::string_view pool_id) const;
  AttachedPool* Find(absl::string_view pool_id);

  // Pools attached, whatever their state.
  size_t Attached() const { return pools_.size(); }

  // Executor count of the largest pool that is not DETACHING (a draining
  // pool may resume); 0 when none.
  int LargestPool() const;
  // The most free executors of one ACTIVE pool (0 when none).
  int LargestFreeBlock() const;

  // The first ACTIVE pool (in attach order) with `count` free executors
  // gives its `count` lowest free ones, now busy. nullopt when none fits
  // right now. REQUIRES: count > 0.
  std::optional<Allocation> Allocate(int count);
  // The same among the ACTIVE pools `eligible` accepts.
  std::optional<Allocation> Allocate(
      int count, const std::function<bool(const AttachedPool&)>& eligible);
  // The ACTIVE pools, in attach order (for backfill planning).
  std::vector<const AttachedPool*> Active() const;

  // Marks ranks free again. Unknown pools or ranks are ignored.
  void Release(absl::string_view pool_id, const std::vector<int32_t>& ranks);

  // Records a pool launch that failed (kept: the latest kKeptFailures).
  void AddFailure(v1::Pool failure);
  static constexpr size_t kKeptFailures = 16;

  // Pools in attach order, then the failures, newest first, as the API
  // shows them.
  std::vector<v1::Pool> List() const;

 private:
  const std::string id_prefix_;
  uint64_t next_ = 1;
  std::vector<AttachedPool> pools_;  // Attach order; few pools.
  std::deque<v1::Pool> failures_;    // Newest first.
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_POOL_REGISTRY_H_
