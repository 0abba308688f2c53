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
      {abi::kAint, MPI_INT, 4, 4, 4},        // AINT (32-bit)
      {abi::kCount, MPI_INT64_T, 8, 8, 8},   // COUNT
      {abi::kOffset, MPI_INT64_T, 8, 8, 8},  // OFFSET
      {abi::kPacked, MPI_PACKED, 1, 1, 1},
      {abi::kShort, MPI_SHORT, 2, 2, 2},
      {abi::kInt, MPI_INT, 4, 4, 4},
      {abi::kLong, MPI_INT, 4, 4, 4},  // LONG (32-bit)
      {abi::kLongLong, MPI_LONG_LONG, 8, 8, 8},
      {abi::kUnsignedShort, MPI_UNSIGNED_SHORT, 2, 2, 2},
      {abi::kUnsigned, MPI_UNSIGNED, 4, 4, 4},
      {abi::kUnsignedLong, MPI_UNSIGNED, 4, 4, 4},  // UNSIGNED_LONG (32-bit)
      {abi::kUnsignedLongLong, MPI_UNSIGNED_LONG_LONG, 8, 8, 8},
      {abi::kFloat, MPI_FLOAT, 4, 4, 4},
      {abi::kCFloatComplex, MPI_C_FLOAT_COMPLEX, 8, 8, 8},
      {abi::kCxxFloatComplex, MPI_CXX_FLOAT_COMPLEX, 8, 8, 8},
      {abi::kDouble, MPI_DOUBLE, 8, 8, 8},
      {abi::kCDoubleComplex, MPI_C_DOUBLE_COMPLEX, 16, 16, 16},
      {abi::kCxxDoubleComplex, MPI_CXX_DOUBLE_COMPLEX, 16, 16, 16},
      {abi::kLogical, MPI_LOGICAL, 4, 4, 4},
      {abi::kInteger, MPI_INTEGER, 4, 4, 4},
      {abi::kReal, MPI_REAL, 4, 4, 4},
      {abi::kComplex, MPI_COMPLEX, 8, 8, 8},
      {abi::kDoublePrecision, MPI_DOUBLE_PRECISION, 8, 8, 8},
      {abi::kDoubleComplex, MPI_DOUBLE_COMPLEX, 16, 16, 16},
      {abi::kCharacter, MPI_CHARACTER, 1, 1, 1},
      // binary128 on wasm32: same size as x86-64's long double, so it moves
      // correctly, but host arithmetic on it would be wrong.
      {abi::kLongDouble, MPI_LONG_DOUBLE, 16, 16, 16, false},
      {abi::kCLongDoubleComplex, MPI_C_LONG_DOUBLE_COMPLEX, 32, 32, 32, false},
      {abi::kCxxLongDoubleComplex, MPI_CXX_LONG_DOUBLE_COMPLEX, 32, 32, 32,
       false},
      {abi::kFloatInt, MPI_FLOAT_INT, 8, 8, 8},
      {abi::kDoubleInt, MPI_DOUBLE_INT, 12, 16, 12},
      {abi::kLongInt, MPI_2INT, 8, 8, 8},  // LONG_INT: {int32, int}
      {abi::k2Int, MPI_2INT, 8, 8, 8},
      {abi::kShortInt, MPI_SHORT_INT, 6, 8, 8},
      {abi::kLongDoubleInt, MPI_LONG_DOUBLE_INT, 20, 32, 20, false},
      {abi::k2Real, MPI_2REAL, 8, 8, 8},
      {abi::k2DoublePrecision, MPI_2DOUBLE_PRECISION, 16, 16, 16},
      {abi::k2Integer, MPI_2INTEGER, 8, 8, 8},
      {abi::kCBool, MPI_C_BOOL, 1, 1, 1},
      {abi::kCxxBool, MPI_CXX_BOOL, 1, 1, 1},
      {abi::kWchar, MPI_WCHAR, 4, 4, 4},
      {abi::kInt8T, MPI_INT8_T, 1, 1, 1},
      {abi::kUint8T, MPI_UINT8_T, 1, 1, 1},
      {abi::kChar, MPI_CHAR, 1, 1, 1},
      {abi::kSignedChar, MPI_SIGNED_CHAR, 1, 1, 1},
      {abi::kUnsignedChar, MPI_UNSIGNED_CHAR, 1, 1, 1},
      {abi::kByte, MPI_BYTE, 1, 1, 1},
      {abi::kInt16T, MPI_INT16_T, 2, 2, 2},
      {abi::kUint16T, MPI_UINT16_T, 2, 2, 2},
      {abi::kInt32T, MPI_INT32_T, 4, 4, 4},
      {abi::kUint32T, MPI_UINT32_T, 4, 4, 4},
      {abi::kInt64T, MPI_INT64_T, 8, 8, 8},
      {abi::kUint64T, MPI_UINT64_T, 8, 8, 8},
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
  int inter = 0;
  mpi().Comm_test_inter(host, &inter);
  entry.inter = inter != 0;
  if (entry.inter) mpi().Comm_remote_size(host, &entry.remote_size);
  return entry;
}

void Bridge::DefinePredefined() {
  comms_.Define(abi::kCommWorld, NewComm(options_.world));
  comms_.Define(abi::kCommSelf, NewComm(MPI_COMM_SELF));
  groups_.Define(abi::kGroupEmpty, {MPI_GROUP_EMPTY});
  for (const PredefinedType& t : PredefinedTypes()) {
    datatypes_.Define(t.guest, {.host = t.host,
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
  for (auto [guest, host] : ops_table) ops_.Define(guest, {host});
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
