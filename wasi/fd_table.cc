#include "wasi/fd_table.h"

#include <unistd.h>

#include <utility>

namespace wasmhpc::wasi {

FdEntry::~FdEntry() {
  if (owns_host_fd && host_fd >= 0) close(host_fd);
}

uint32_t FdTable::Insert(std::unique_ptr<FdEntry> entry) {
  if (!free_.empty()) {
    uint32_t fd = free_.back();
    free_.pop_back();
    slots_[fd] = std::move(entry);
    return fd;
  }
  slots_.push_back(std::move(entry));
  return static_cast<uint32_t>(slots_.size() - 1);
}

FdEntry* FdTable::Get(uint32_t fd) const {
  return fd < slots_.size() ? slots_[fd].get() : nullptr;
}

std::unique_ptr<FdEntry> FdTable::Remove(uint32_t fd) {
  if (Get(fd) == nullptr) return nullptr;
  free_.push_back(fd);
  return std::move(slots_[fd]);
}

bool FdTable::Renumber(uint32_t from, uint32_t to) {
  if (Get(from) == nullptr || Get(to) == nullptr) return false;
  if (from == to) return true;
  slots_[to] = std::move(slots_[from]);
  free_.push_back(from);
  return true;
}

}  // namespace wasmhpc::wasi
