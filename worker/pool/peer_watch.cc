#include "worker/pool/peer_watch.h"

#include <numeric>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace wasmhpc::pool {

PeerWatch::~PeerWatch() { EndJob(); }

void PeerWatch::BeginJob(const std::string& job_id, MPI_Comm job_comm,
                         int my_rank) {
  EndJob();
  MPI_Comm_group(job_comm, &job_group_);
  MPI_Group_size(job_group_, &job_size_);
  my_rank_ = my_rank;
  absl::MutexLock lock(&mu_);
  job_id_ = job_id;
}

void PeerWatch::EndJob() {
  if (job_group_ != MPI_GROUP_NULL) MPI_Group_free(&job_group_);
  job_group_ = MPI_GROUP_NULL;
  job_size_ = 0;
  absl::MutexLock lock(&mu_);
  job_id_.clear();
  ended_.clear();
  count_.store(0, std::memory_order_release);
}

void PeerWatch::Ended(const std::string& job_id, int job_rank,
                      const std::string& how) {
  absl::MutexLock lock(&mu_);
  if (job_id.empty() || job_id != job_id_) return;
  ended_.emplace(job_rank, how);
  count_.store(static_cast<int>(ended_.size()), std::memory_order_release);
}

bool PeerWatch::IsEnded(int job_rank) {
  absl::MutexLock lock(&mu_);
  return ended_.contains(job_rank);
}

std::vector<int> PeerWatch::JobRanks(MPI_Group group) const {
  int size = 0;
  MPI_Group_size(group, &size);
  std::vector<int> ranks(size), job_ranks(size, MPI_UNDEFINED);
  std::iota(ranks.begin(), ranks.end(), 0);
  MPI_Group_translate_ranks(group, size, ranks.data(), job_group_,
                            job_ranks.data());
  return job_ranks;
}

std::optional<int> PeerWatch::Blocker(const WaitOn& on) {
  if (job_group_ == MPI_GROUP_NULL) return std::nullopt;
  {
    // Nobody left to match anything.
    absl::MutexLock lock(&mu_);
    int others = static_cast<int>(ended_.size()) -
                 static_cast<int>(ended_.contains(my_rank_));
    if (job_size_ > 1 && others >= job_size_ - 1) {
      for (const auto& [rank, how] : ended_) {
        if (rank != my_rank_) return rank;
      }
    }
  }
  bool all = on.peer == WaitOn::kAllPeers;
  if (on.comm == MPI_COMM_NULL || (!all && on.peer < 0)) return std::nullopt;
  int inter = 0;
  MPI_Comm_test_inter(on.comm, &inter);
  std::vector<MPI_Group> groups;
  MPI_Group group;
  if (all || !inter) {
    MPI_Comm_group(on.comm, &group);
    groups.push_back(group);
  }
  if (inter) {
    MPI_Comm_remote_group(on.comm, &group);
    groups.push_back(group);
  }
  std::optional<int> blocker;
  for (MPI_Group& g : groups) {
    std::vector<int> members = JobRanks(g);
    MPI_Group_free(&g);
    if (!all)
      members = {on.peer < static_cast<int>(members.size()) ? members[on.peer]
                                                            : MPI_UNDEFINED};
    for (int member : members) {
      if (!blocker && member != MPI_UNDEFINED && IsEnded(member)) {
        blocker = member;
      }
    }
  }
  return blocker;
}

void PeerWatch::Stuck(const WaitOn& on, int rank) {
  std::string how;
  {
    absl::MutexLock lock(&mu_);
    auto it = ended_.find(rank);
    how = it == ended_.end() ? "ended" : it->second;
  }
  absl::string_view call = on.call;
  on_stuck_(absl::StrCat("rank ", rank, " ", how, " while rank ", my_rank_,
                         " still waited for it in ",
                         absl::StartsWith(call, "MPI_") ? "" : "MPI_", call),
            rank);
}

bool PeerCheck::Stuck() {
  if (watch_ == nullptr) return false;
  int count = watch_->ended_count();
  if (count == 0) return false;
  if (count != seen_) {
    seen_ = count;
    std::optional<int> blocker = watch_->Blocker(on_);
    if (blocker && !blocker_) since_ = absl::Now();
    blocker_ = blocker;
  }
  if (!blocker_ || absl::Now() - since_ < kPeerEndedGrace) return false;
  watch_->Stuck(on_, *blocker_);
  return true;
}

}  // namespace wasmhpc::pool
