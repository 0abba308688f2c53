#include "mpi-bridge/bridge.h"

#include <algorithm>

#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {
namespace {

// A predefined datatype: guest handle, host type, and the guest's layout
// (wasm32: long, MPI_Aint and wchar_t are 4 bytes, long double 16).
struct PredefinedType {
  abi::Handle guest;
  MPI_Datatype host;
  int64_t size;
  int64_t extent;
  int64_t true_extent;
  bool reducible = true;
};

const std::vector<PredefinedType>& PredefinedTypes() {
  static const std::vector<PredefinedType> types = {
      {0x201, MPI_INT, 4, 4, 4},      // AINT (32-bit)
      {0x202, MPI_INT64_T, 8, 8, 8},  // COUNT
      {0x203, MPI_INT64_T, 8, 8, 8},  // OFFSET
      {0x207, MPI_PACKED, 1, 1, 1},
      {0x208, MPI_SHORT, 2, 2, 2},
      {0x209, MPI_INT, 4, 4, 4},
      {0x20a, MPI_INT, 4, 4, 4},  // LONG (32-bit)
      {0x20b, MPI_LONG_LONG, 8, 8, 8},
      {0x20c, MPI_UNSIGNED_SHORT, 2, 2, 2},
      {0x20d, MPI_UNSIGNED, 4, 4, 4},
      {0x20e, MPI_UNSIGNED, 4, 4, 4},  // UNSIGNED_LONG (32-bit)
      {0x20f, MPI_UNSIGNED_LONG_LONG, 8, 8, 8},
      {0x210, MPI_FLOAT, 4, 4, 4},
      {0x212, MPI_C_FLOAT_COMPLEX, 8, 8, 8},
      {0x213, MPI_CXX_FLOAT_COMPLEX, 8, 8, 8},
      {0x214, MPI_DOUBLE, 8, 8, 8},
      {0x216, MPI_C_DOUBLE_COMPLEX, 16, 16, 16},
      {0x217, MPI_CXX_DOUBLE_COMPLEX, 16, 16, 16},
      {0x218, MPI_LOGICAL, 4, 4, 4},
      {0x219, MPI_INTEGER, 4, 4, 4},
      {0x21a, MPI_REAL, 4, 4, 4},
      {0x21b, MPI_COMPLEX, 8, 8, 8},
      {0x21c, MPI_DOUBLE_PRECISION, 8, 8, 8},
      {0x21d, MPI_DOUBLE_COMPLEX, 16, 16, 16},
      {0x21e, MPI_CHARACTER, 1, 1, 1},
      // binary128 on wasm32: same size as x86-64's long double, so it moves
      // correctly, but host arithmetic on it would be wrong.
      {0x220, MPI_LONG_DOUBLE, 16, 16, 16, false},
      {0x224, MPI_C_LONG_DOUBLE_COMPLEX, 32, 32, 32, false},
      {0x225, MPI_CXX_LONG_DOUBLE_COMPLEX, 32, 32, 32, false},
      {0x228, MPI_FLOAT_INT, 8, 8, 8},
      {0x229, MPI_DOUBLE_INT, 12, 16, 12},
      {0x22a, MPI_2INT, 8, 8, 8},  // LONG_INT: {int32, int}
      {0x22b, MPI_2INT, 8, 8, 8},
      {0x22c, MPI_SHORT_INT, 6, 8, 8},
      {0x22d, MPI_LONG_DOUBLE_INT, 20, 32, 20, false},
      {0x230, MPI_2REAL, 8, 8, 8},
      {0x231, MPI_2DOUBLE_PRECISION, 16, 16, 16},
      {0x232, MPI_2INTEGER, 8, 8, 8},
      {0x238, MPI_C_BOOL, 1, 1, 1},
      {0x239, MPI_CXX_BOOL, 1, 1, 1},
      {0x23c, MPI_WCHAR, 4, 4, 4},
      {0x240, MPI_INT8_T, 1, 1, 1},
      {0x241, MPI_UINT8_T, 1, 1, 1},
      {0x243, MPI_CHAR, 1, 1, 1},
      {0x244, MPI_SIGNED_CHAR, 1, 1, 1},
      {0x245, MPI_UNSIGNED_CHAR, 1, 1, 1},
      {0x247, MPI_BYTE, 1, 1, 1},
      {0x248, MPI_INT16_T, 2, 2, 2},
      {0x249, MPI_UINT16_T, 2, 2, 2},
      {0x250, MPI_INT32_T, 4, 4, 4},
      {0x251, MPI_UINT32_T, 4, 4, 4},
      {0x258, MPI_INT64_T, 8, 8, 8},
      {0x259, MPI_UINT64_T, 8, 8, 8},
  };
  return types;
}

constexpr Family kFamilies[] = {
    AddEnvironment,   AddPointToPoint, AddCollectives, AddOps,
    AddCommunicators, AddGroups,       AddTopologies,  AddInfo,
    AddDatatypes,     AddFiles,        AddWindows};

}  // namespace

Bridge::Bridge(const BridgeOptions& options) : options_(options) {
  DefinePredefined();
  mpi().Comm_set_errhandler(options_.world, MPI_ERRORS_RETURN);
  mpi().Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
}

CommEntry Bridge::NewComm(MPI_Comm host) {
  CommEntry entry{.host = host};
  mpi().Comm_rank(host, &entry.rank);
  mpi().Comm_size(host, &entry.size);
  return entry;
}

void Bridge::DefinePredefined() {
  comms.Define(abi::kCommWorld, NewComm(options_.world));
  comms.Define(abi::kCommSelf, NewComm(MPI_COMM_SELF));
  groups.Define(abi::kGroupEmpty, {MPI_GROUP_EMPTY});
  for (const PredefinedType& t : PredefinedTypes()) {
    datatypes.Define(t.guest, {.host = t.host,
                               .size = t.size,
                               .lb = 0,
                               .extent = t.extent,
                               .true_lb = 0,
                               .true_extent = t.true_extent,
                               .predefined = true,
                               .reducible = t.reducible});
  }
  const std::pair<abi::Handle, MPI_Op> ops_table[] = {
      {abi::kSum, MPI_SUM},         {abi::kMin, MPI_MIN},
      {abi::kMax, MPI_MAX},         {abi::kProd, MPI_PROD},
      {abi::kBand, MPI_BAND},       {abi::kBor, MPI_BOR},
      {abi::kBxor, MPI_BXOR},       {abi::kLand, MPI_LAND},
      {abi::kLor, MPI_LOR},         {abi::kLxor, MPI_LXOR},
      {abi::kMinloc, MPI_MINLOC},   {abi::kMaxloc, MPI_MAXLOC},
      {abi::kReplace, MPI_REPLACE}, {abi::kNoOp, MPI_NO_OP}};
  for (auto [guest, host] : ops_table) ops.Define(guest, {host});
}

std::vector<engine::HostFunc> Bridge::Imports() {
  std::vector<engine::HostFunc> out;
  for (Family add : kFamilies) add(*this, out);
  return out;
}

const std::vector<std::string>& Bridge::ProvidedFunctions() {
  static const std::vector<std::string> names = [] {
    // Binding needs no live MPI: the transport is only stored.
    NullTransport none;
    Bridge bridge({.transport = &none, .world = MPI_COMM_NULL});
    std::vector<std::string> out;
    for (const engine::HostFunc& f : bridge.Imports()) out.push_back(f.name);
    std::sort(out.begin(), out.end());
    return out;
  }();
  return names;
}

}  // namespace wasmhpc::mpi
