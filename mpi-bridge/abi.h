// The guest's MPI ABI (MPI 5.0 standard ABI 1.0 on wasm32), as host
// constants. sdk/include/mpi.h is the guest's view of the same values;
// abi_check.c (built for wasm32 in tests) asserts the two agree.
//
// Deliberately free of <mpi.h>: host Open MPI names must never mix with
// these. Everything here is a plain integer.
#ifndef WASMHPC_MPI_BRIDGE_ABI_H_
#define WASMHPC_MPI_BRIDGE_ABI_H_

#include <cstdint>

namespace wasmhpc::mpi::abi {

// A guest handle or pointer: 32 bits on wasm32.
using Handle = uint32_t;
using Ptr = uint32_t;

// Handles below this value are predefined; user handles start at kUserBase.
inline constexpr Handle kPredefinedLimit = 0x1000;
inline constexpr Handle kUserBase = 16385;

// Predefined handles.
inline constexpr Handle kOpNull = 0x20, kSum = 0x21, kMin = 0x22, kMax = 0x23,
                        kProd = 0x24, kBand = 0x28, kBor = 0x29, kBxor = 0x2a,
                        kLand = 0x30, kLor = 0x31, kLxor = 0x32,
                        kMinloc = 0x38, kMaxloc = 0x39, kReplace = 0x3c,
                        kNoOp = 0x3d;
inline constexpr Handle kCommNull = 0x100, kCommWorld = 0x101,
                        kCommSelf = 0x102;
inline constexpr Handle kGroupNull = 0x108, kGroupEmpty = 0x109;
inline constexpr Handle kWinNull = 0x110, kFileNull = 0x118,
                        kSessionNull = 0x120, kMessageNull = 0x128,
                        kMessageNoProc = 0x129, kInfoNull = 0x130,
                        kInfoEnv = 0x131;
inline constexpr Handle kErrhandlerNull = 0x140, kErrorsAreFatal = 0x141,
                        kErrorsAbort = 0x142, kErrorsReturn = 0x143;
inline constexpr Handle kRequestNull = 0x180;
inline constexpr Handle kDatatypeNull = 0x200;

// Predefined handle ranges by kind: [first, last].
inline constexpr Handle kFirstOp = 0x20, kLastOp = 0x3f;
inline constexpr Handle kFirstComm = 0x100, kLastComm = 0x107;
inline constexpr Handle kFirstGroup = 0x108, kLastGroup = 0x10f;
inline constexpr Handle kFirstErrhandler = 0x140, kLastErrhandler = 0x147;
inline constexpr Handle kFirstDatatype = 0x200, kLastDatatype = 0x2ff;

// Buffer sentinels and ignored arguments.
inline constexpr Ptr kBottom = 0, kInPlace = 1, kBufferAutomatic = 2;
inline constexpr Ptr kStatusIgnore = 0, kStatusesIgnore = 0,
                     kErrcodesIgnore = 0;
inline constexpr Ptr kUnweighted = 10, kWeightsEmpty = 11;

// Ranks and tags.
inline constexpr int32_t kAnySource = -1, kAnyTag = -2, kProcNull = -3,
                         kRoot = -4, kUndefined = -32766;

// Thread levels.
inline constexpr int32_t kThreadSingle = 0, kThreadFunneled = 1024,
                         kThreadSerialized = 2048, kThreadMultiple = 4096;

// Error classes (1..62) and the last code.
inline constexpr int32_t kSuccess = 0, kErrBuffer = 1, kErrCount = 2,
                         kErrType = 3, kErrTag = 4, kErrComm = 5, kErrRank = 6,
                         kErrRequest = 7, kErrRoot = 8, kErrGroup = 9,
                         kErrOp = 10, kErrTopology = 11, kErrDims = 12,
                         kErrArg = 13, kErrUnknown = 14, kErrTruncate = 15,
                         kErrOther = 16, kErrIntern = 17, kErrPending = 18,
                         kErrInStatus = 19, kErrNoMem = 39,
                         kErrUnsupportedOperation = 55, kErrErrhandler = 61,
                         kErrLastClass = 62, kErrLastcode = 0x3fff;
inline constexpr int32_t kErrInfoKey = 31, kErrInfoNokey = 32,
                         kErrInfoValue = 33, kErrInfo = 34, kErrKeyval = 36;
// One-sided (RMA): error classes, lock types, flavors, memory models,
// assertion bits and the predefined window attribute keys.
inline constexpr int32_t kErrDisp = 26, kErrLocktype = 37,
                         kErrRmaAttach = 46, kErrRmaRange = 48,
                         kErrRmaSync = 50, kErrSize = 52, kErrWin = 56,
                         kErrRmaFlavor = 57;
inline constexpr int32_t kLockExclusive = 301, kLockShared = 302;
inline constexpr int32_t kWinFlavorCreate = 311, kWinFlavorAllocate = 312,
                         kWinFlavorDynamic = 313, kWinUnified = 321,
                         kWinSeparate = 322;
inline constexpr int32_t kModeNocheck = 1024, kModeNoprecede = 2048,
                         kModeNoput = 4096, kModeNostore = 8192,
                         kModeNosucceed = 16384;
inline constexpr int32_t kWinBase = 601, kWinDispUnit = 602, kWinSize = 603,
                         kWinCreateFlavor = 604, kWinModel = 605;

// Comparison results and split types.
inline constexpr int32_t kIdent = 201, kCongruent = 202, kSimilar = 203,
                         kUnequal = 204;
inline constexpr int32_t kCart = 211, kGraph = 212, kDistGraph = 213;
inline constexpr int32_t kCommTypeShared = 221, kCommTypeHwUnguided = 222,
                         kCommTypeHwGuided = 223,
                         kCommTypeResourceGuided = 224;

// Array datatypes: storage order and distributions. kDistributeDfltDarg
// (19) is also a valid block size; the ABI makes it mean "default".
inline constexpr int32_t kOrderC = 12, kOrderFortran = 15;
inline constexpr int32_t kDistributeNone = 16, kDistributeBlock = 17,
                         kDistributeCyclic = 18, kDistributeDfltDarg = 19;

// Datatype decoding combiners.
inline constexpr int32_t kCombinerNamed = 101, kCombinerDup = 102,
                         kCombinerContiguous = 103, kCombinerVector = 104,
                         kCombinerHvector = 105, kCombinerIndexed = 106,
                         kCombinerHindexed = 107,
                         kCombinerIndexedBlock = 108,
                         kCombinerHindexedBlock = 109, kCombinerStruct = 110,
                         kCombinerSubarray = 111, kCombinerDarray = 112,
                         kCombinerF90Integer = 113, kCombinerF90Real = 114,
                         kCombinerF90Complex = 115, kCombinerResized = 116;

// MPI_Type_match_size classes.
inline constexpr int32_t kTypeclassInteger = 192, kTypeclassReal = 193,
                         kTypeclassComplex = 194;

// Predefined attribute keys.
inline constexpr int32_t kKeyvalInvalid = 0, kTagUb = 501, kIo = 502,
                         kHost = 503, kWtimeIsGlobal = 504,
                         kUniverseSize = 505, kAppnum = 506,
                         kLastusedcode = 507;

// String sizes of the guest's buffers.
inline constexpr int32_t kMaxProcessorName = 256, kMaxErrorString = 512,
                         kMaxObjectName = 128,
                         kMaxLibraryVersionString = 8192,
                         kMaxInfoKey = 256, kMaxInfoVal = 1024;

// MPI_Status: {MPI_SOURCE, MPI_TAG, MPI_ERROR, MPI_internal[5]}. wasmhpc
// keeps the received byte count in internal[0..1] (int64, little-endian)
// and the cancelled flag in internal[2].
struct Status {
  int32_t source;
  int32_t tag;
  int32_t error;
  uint32_t count_lo;
  uint32_t count_hi;
  int32_t cancelled;
  int32_t reserved[2];
};
static_assert(sizeof(Status) == 32);

}  // namespace wasmhpc::mpi::abi

#endif  // WASMHPC_MPI_BRIDGE_ABI_H_
