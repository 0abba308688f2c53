#include "server/handlers/pool_registry.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "server/handlers/api_limits.h"
#include "server/handlers/proto_time.h"
#include "server/handlers/text_check.h"

namespace wasmhpc::server {

PoolRegistry::PoolRegistry(std::string id_prefix)
    : id_prefix_(std::move(id_prefix)) {}

namespace {

// The limits of api_limits.h on a Hello, before anything is built from it.
absl::Status CheckHello(const v1::PoolMessage::Hello& hello) {
  if (hello.ranks_size() > kMaxPoolRanks) {
    return absl::InvalidArgumentError(absl::StrCat(
        "pool hello lists ", hello.ranks_size(), " ranks; a pool may have at ",
        "most ", kMaxPoolRanks, " (start several pools)"));
  }
  if (size_t bytes = hello.ByteSizeLong(); bytes > kMaxPoolHelloBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "pool hello of ", bytes, " bytes; at most ", kMaxPoolHelloBytes));
  }
  for (absl::string_view text :
       {hello.name(), hello.version(), hello.engine_fingerprint()}) {
    if (absl::Status s = CheckName("pool hello: a name", text, 1024); !s.ok()) {
      return s;
    }
  }
  for (const v1::RankInfo& rank : hello.ranks()) {
    if (absl::Status s = CheckName("pool hello: a host name", rank.host(),
                                   kMaxHostNameBytes);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<const AttachedPool*> PoolRegistry::Add(
    const v1::PoolMessage::Hello& hello, PoolSink* sink, absl::Time now) {
  if (absl::Status s = CheckHello(hello); !s.ok()) return s;
  if (pools_.size() >= kMaxAttachedPools) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the head has ", pools_.size(),
                     " pools attached, its limit; detach one first"));
  }
  std::set<int32_t> seen;
  for (const v1::RankInfo& rank : hello.ranks()) {
    if (rank.rank() < 0 || !seen.insert(rank.rank()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pool hello: rank ", rank.rank(), " is negative or listed twice"));
    }
  }
  if (!seen.count(0) || seen.size() < 2) {
    return absl::InvalidArgumentError(
        "pool hello must list rank 0 (the controller) and at least one "
        "executor rank");
  }
  AttachedPool& pool = pools_.emplace_back();
  pool.id = absl::StrCat(id_prefix_, "-", next_++);
  pool.hello = hello;
  pool.sink = sink;
  pool.attached = now;
  seen.erase(0);
  pool.executors.assign(seen.begin(), seen.end());
  pool.free = std::move(seen);
  absl::flat_hash_set<absl::string_view> hosts;
  for (const v1::RankInfo& rank : pool.hello.ranks()) {
    if (hosts.insert(rank.host()).second) pool.hosts.push_back(rank.host());
  }
  return &pool;
}

std::optional<AttachedPool> PoolRegistry::Remove(absl::string_view pool_id) {
  auto it =
      std::find_if(pools_.begin(), pools_.end(),
                   [&](const AttachedPool& p) { return p.id == pool_id; });
  if (it == pools_.end()) return std::nullopt;
  AttachedPool pool = std::move(*it);
  pools_.erase(it);
  return pool;
}

const AttachedPool* PoolRegistry::Find(absl::string_view pool_id) const {
  for (const AttachedPool& pool : pools_) {
    if (pool.id == pool_id) return &pool;
  }
  return nullptr;
}

AttachedPool* PoolRegistry::Find(absl::string_view pool_id) {
  return const_cast<AttachedPool*>(std::as_const(*this).Find(pool_id));
}

int PoolRegistry::LargestPool() const {
  size_t largest = 0;
  for (const AttachedPool& pool : pools_) {
    if (pool.state == v1::POOL_DETACHING) continue;
    largest = std::max(largest, pool.executors.size());
  }
  return static_cast<int>(largest);
}

int PoolRegistry::LargestFreeBlock() const {
  size_t largest = 0;
  for (const AttachedPool& pool : pools_) {
    if (pool.state == v1::POOL_ACTIVE) {
      largest = std::max(largest, pool.free.size());
    }
  }
  return static_cast<int>(largest);
}

std::optional<Allocation> PoolRegistry::Allocate(int count) {
  return Allocate(count, [](const AttachedPool&) { return true; });
}

std::vector<const AttachedPool*> PoolRegistry::Active() const {
  std::vector<const AttachedPool*> active;
  for (const AttachedPool& pool : pools_) {
    if (pool.state == v1::POOL_ACTIVE) active.push_back(&pool);
  }
  return active;
}

std::optional<Allocation> PoolRegistry::Allocate(
    int count, const std::function<bool(const AttachedPool&)>& eligible) {
  for (AttachedPool& pool : pools_) {
    if (pool.state != v1::POOL_ACTIVE ||
        static_cast<int>(pool.free.size()) < count || !eligible(pool)) {
      continue;
    }
    Allocation allocation{pool.id, {}};
    auto it = pool.free.begin();
    for (int i = 0; i < count; ++i) allocation.ranks.push_back(*it++);
    pool.free.erase(pool.free.begin(), it);
    return allocation;
  }
  return std::nullopt;
}

void PoolRegistry::Release(absl::string_view pool_id,
                           const std::vector<int32_t>& ranks) {
  for (AttachedPool& pool : pools_) {
    if (pool.id != pool_id) continue;
    for (int32_t rank : ranks) {
      if (std::binary_search(pool.executors.begin(), pool.executors.end(),
                             rank)) {
        pool.free.insert(rank);
      }
    }
  }
}

void PoolRegistry::AddFailure(v1::Pool failure) {
  failure.set_state(v1::POOL_FAILED);
  failures_.push_front(std::move(failure));
  if (failures_.size() > kKeptFailures) failures_.pop_back();
}

std::vector<v1::Pool> PoolRegistry::List() const {
  std::vector<v1::Pool> out;
  for (const AttachedPool& pool : pools_) {
    v1::Pool& p = out.emplace_back();
    p.set_id(pool.id);
    p.set_name(pool.hello.name());
    *p.mutable_ranks() = pool.hello.ranks();
    p.set_free_ranks(static_cast<int32_t>(pool.free.size()));
    p.set_busy_ranks(
        static_cast<int32_t>(pool.executors.size() - pool.free.size()));
    p.set_engine_fingerprint(pool.hello.engine_fingerprint());
    *p.mutable_attached() = ToProto(pool.attached);
    p.set_state(pool.state == v1::POOL_DRAINING && pool.idle()
                    ? v1::POOL_DRAINED
                    : pool.state);
    p.set_reason(pool.reason);
    p.set_version(pool.hello.version());
    for (const std::string& host : pool.hosts) p.add_hosts(host);
  }
  out.insert(out.end(), failures_.begin(), failures_.end());
  return out;
}

}  // namespace wasmhpc::server
