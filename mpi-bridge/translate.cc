// Host <-> guest ABI translation of ranks, tags, error classes, statuses.
#include <array>
#include <utility>

#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {
namespace {

// (host class, ABI class) for every class both sides know.
constexpr std::pair<int, int32_t> kErrorClasses[] = {
    {MPI_SUCCESS, 0},
    {MPI_ERR_BUFFER, 1},
    {MPI_ERR_COUNT, 2},
    {MPI_ERR_TYPE, 3},
    {MPI_ERR_TAG, 4},
    {MPI_ERR_COMM, 5},
    {MPI_ERR_RANK, 6},
    {MPI_ERR_REQUEST, 7},
    {MPI_ERR_ROOT, 8},
    {MPI_ERR_GROUP, 9},
    {MPI_ERR_OP, 10},
    {MPI_ERR_TOPOLOGY, 11},
    {MPI_ERR_DIMS, 12},
    {MPI_ERR_ARG, 13},
    {MPI_ERR_UNKNOWN, 14},
    {MPI_ERR_TRUNCATE, 15},
    {MPI_ERR_OTHER, 16},
    {MPI_ERR_INTERN, 17},
    {MPI_ERR_PENDING, 18},
    {MPI_ERR_IN_STATUS, 19},
    {MPI_ERR_ACCESS, 20},
    {MPI_ERR_AMODE, 21},
    {MPI_ERR_ASSERT, 22},
    {MPI_ERR_BAD_FILE, 23},
    {MPI_ERR_BASE, 24},
    {MPI_ERR_CONVERSION, 25},
    {MPI_ERR_DISP, 26},
    {MPI_ERR_DUP_DATAREP, 27},
    {MPI_ERR_FILE_EXISTS, 28},
    {MPI_ERR_FILE_IN_USE, 29},
    {MPI_ERR_FILE, 30},
    {MPI_ERR_INFO_KEY, 31},
    {MPI_ERR_INFO_NOKEY, 32},
    {MPI_ERR_INFO_VALUE, 33},
    {MPI_ERR_INFO, 34},
    {MPI_ERR_IO, 35},
    {MPI_ERR_KEYVAL, 36},
    {MPI_ERR_LOCKTYPE, 37},
    {MPI_ERR_NAME, 38},
    {MPI_ERR_NO_MEM, 39},
    {MPI_ERR_NOT_SAME, 40},
    {MPI_ERR_NO_SPACE, 41},
    {MPI_ERR_NO_SUCH_FILE, 42},
    {MPI_ERR_PORT, 43},
    {MPI_ERR_QUOTA, 44},
    {MPI_ERR_READ_ONLY, 45},
    {MPI_ERR_RMA_ATTACH, 46},
    {MPI_ERR_RMA_CONFLICT, 47},
    {MPI_ERR_RMA_RANGE, 48},
    {MPI_ERR_RMA_SHARED, 49},
    {MPI_ERR_RMA_SYNC, 50},
    {MPI_ERR_SERVICE, 51},
    {MPI_ERR_SIZE, 52},
    {MPI_ERR_SPAWN, 53},
    {MPI_ERR_UNSUPPORTED_DATAREP, 54},
    {MPI_ERR_UNSUPPORTED_OPERATION, 55},
    {MPI_ERR_WIN, 56},
    {MPI_ERR_RMA_FLAVOR, 57},
};

// Host class -> ABI class, dense by host class.
constexpr auto kToGuest = [] {
  std::array<int32_t, MPI_ERR_LASTCODE + 1> table{};
  table.fill(abi::kErrOther);
  for (auto [host, guest] : kErrorClasses) table[host] = guest;
  return table;
}();

}  // namespace

int32_t HostRank(int32_t r) {
  switch (r) {
    case abi::kAnySource:
      return MPI_ANY_SOURCE;
    case abi::kProcNull:
      return MPI_PROC_NULL;
    case abi::kRoot:
      return MPI_ROOT;
    default:
      return r;
  }
}

int32_t GuestRank(int32_t r) {
  if (r == MPI_ANY_SOURCE) return abi::kAnySource;
  if (r == MPI_PROC_NULL) return abi::kProcNull;
  if (r == MPI_UNDEFINED) return abi::kUndefined;
  return r;
}

int32_t HostTag(int32_t tag) { return tag == abi::kAnyTag ? MPI_ANY_TAG : tag; }
int32_t GuestTag(int32_t tag) {
  return tag == MPI_ANY_TAG ? abi::kAnyTag : tag;
}

int32_t GuestErrorClass(int host_class) {
  if (host_class < 0 || host_class > MPI_ERR_LASTCODE) return abi::kErrOther;
  return kToGuest[host_class];
}

int HostErrorClass(int32_t guest_class) {
  for (auto [host, guest] : kErrorClasses) {
    if (guest == guest_class) return host;
  }
  return MPI_ERR_OTHER;
}

void ToGuestStatus(const MPI_Status& host, bool set_error, abi::Status* guest) {
  guest->source = GuestRank(host.MPI_SOURCE);
  guest->tag = GuestTag(host.MPI_TAG);
  if (set_error) guest->error = GuestErrorClass(host.MPI_ERROR);
  uint64_t count = host._ucount;
  guest->count_lo = static_cast<uint32_t>(count);
  guest->count_hi = static_cast<uint32_t>(count >> 32);
  guest->cancelled = host._cancelled;
}

void ToHostStatus(const abi::Status& guest, MPI_Status* host) {
  host->MPI_SOURCE = HostRank(guest.source);
  host->MPI_TAG = HostTag(guest.tag);
  host->MPI_ERROR = HostErrorClass(guest.error);
  host->_ucount = (uint64_t{guest.count_hi} << 32) | guest.count_lo;
  host->_cancelled = guest.cancelled;
}

}  // namespace wasmhpc::mpi
