// The wasi_snapshot_preview1 ABI: errno values, rights, flags and the byte
// layouts of the structs the calls exchange with the guest.
//
// Values follow the witx definitions of WASI preview1 (the same numbers as
// wasi-libc's <wasi/api.h>). Internal to wasi.
#ifndef WASMHPC_WASI_WASI_ABI_H_
#define WASMHPC_WASI_WASI_ABI_H_

#include <cstdint>

namespace wasmhpc::wasi {

// WASI errno: what every call returns (0 = success).
enum class Errno : uint16_t {
  kSuccess = 0,
  k2big = 1,
  kAcces = 2,
  kAddrinuse = 3,
  kAddrnotavail = 4,
  kAfnosupport = 5,
  kAgain = 6,
  kAlready = 7,
  kBadf = 8,
  kBadmsg = 9,
  kBusy = 10,
  kCanceled = 11,
  kChild = 12,
  kConnaborted = 13,
  kConnrefused = 14,
  kConnreset = 15,
  kDeadlk = 16,
  kDestaddrreq = 17,
  kDom = 18,
  kDquot = 19,
  kExist = 20,
  kFault = 21,
  kFbig = 22,
  kHostunreach = 23,
  kIdrm = 24,
  kIlseq = 25,
  kInprogress = 26,
  kIntr = 27,
  kInval = 28,
  kIo = 29,
  kIsconn = 30,
  kIsdir = 31,
  kLoop = 32,
  kMfile = 33,
  kMlink = 34,
  kMsgsize = 35,
  kMultihop = 36,
  kNametoolong = 37,
  kNetdown = 38,
  kNetreset = 39,
  kNetunreach = 40,
  kNfile = 41,
  kNobufs = 42,
  kNodev = 43,
  kNoent = 44,
  kNoexec = 45,
  kNolck = 46,
  kNolink = 47,
  kNomem = 48,
  kNomsg = 49,
  kNoprotoopt = 50,
  kNospc = 51,
  kNosys = 52,
  kNotconn = 53,
  kNotdir = 54,
  kNotempty = 55,
  kNotrecoverable = 56,
  kNotsock = 57,
  kNotsup = 58,
  kNotty = 59,
  kNxio = 60,
  kOverflow = 61,
  kOwnerdead = 62,
  kPerm = 63,
  kPipe = 64,
  kProto = 65,
  kProtonosupport = 66,
  kPrototype = 67,
  kRange = 68,
  kRofs = 69,
  kSpipe = 70,
  kSrch = 71,
  kStale = 72,
  kTimedout = 73,
  kTxtbsy = 74,
  kXdev = 75,
  kNotcapable = 76,
};

// Returns early from the enclosing function (which returns Errno) when
// `expr` is not Errno::kSuccess.
#define WASI_TRY(expr)                                         \
  do {                                                         \
    if (::wasmhpc::wasi::Errno wasi_try_errno_ = (expr);       \
        wasi_try_errno_ != ::wasmhpc::wasi::Errno::kSuccess) { \
      return wasi_try_errno_;                                  \
    }                                                          \
  } while (0)

namespace abi {

// Rights (u64 bit set).
inline constexpr uint64_t kRightFdDatasync = 1ull << 0;
inline constexpr uint64_t kRightFdRead = 1ull << 1;
inline constexpr uint64_t kRightFdSeek = 1ull << 2;
inline constexpr uint64_t kRightFdFdstatSetFlags = 1ull << 3;
inline constexpr uint64_t kRightFdSync = 1ull << 4;
inline constexpr uint64_t kRightFdTell = 1ull << 5;
inline constexpr uint64_t kRightFdWrite = 1ull << 6;
inline constexpr uint64_t kRightFdAdvise = 1ull << 7;
inline constexpr uint64_t kRightFdAllocate = 1ull << 8;
inline constexpr uint64_t kRightPathCreateDirectory = 1ull << 9;
inline constexpr uint64_t kRightPathCreateFile = 1ull << 10;
inline constexpr uint64_t kRightPathLinkSource = 1ull << 11;
inline constexpr uint64_t kRightPathLinkTarget = 1ull << 12;
inline constexpr uint64_t kRightPathOpen = 1ull << 13;
inline constexpr uint64_t kRightFdReaddir = 1ull << 14;
inline constexpr uint64_t kRightPathReadlink = 1ull << 15;
inline constexpr uint64_t kRightPathRenameSource = 1ull << 16;
inline constexpr uint64_t kRightPathRenameTarget = 1ull << 17;
inline constexpr uint64_t kRightPathFilestatGet = 1ull << 18;
inline constexpr uint64_t kRightPathFilestatSetSize = 1ull << 19;
inline constexpr uint64_t kRightPathFilestatSetTimes = 1ull << 20;
inline constexpr uint64_t kRightFdFilestatGet = 1ull << 21;
inline constexpr uint64_t kRightFdFilestatSetSize = 1ull << 22;
inline constexpr uint64_t kRightFdFilestatSetTimes = 1ull << 23;
inline constexpr uint64_t kRightPathSymlink = 1ull << 24;
inline constexpr uint64_t kRightPathRemoveDirectory = 1ull << 25;
inline constexpr uint64_t kRightPathUnlinkFile = 1ull << 26;
inline constexpr uint64_t kRightPollFdReadwrite = 1ull << 27;
inline constexpr uint64_t kRightSockShutdown = 1ull << 28;
inline constexpr uint64_t kRightSockAccept = 1ull << 29;

// Rights that make sense on a regular file (or device) fd.
inline constexpr uint64_t kFileRights =
    kRightFdDatasync | kRightFdRead | kRightFdSeek | kRightFdFdstatSetFlags |
    kRightFdSync | kRightFdTell | kRightFdWrite | kRightFdAdvise |
    kRightFdAllocate | kRightFdFilestatGet | kRightFdFilestatSetSize |
    kRightFdFilestatSetTimes | kRightPollFdReadwrite;

// Rights that make sense on a directory fd.
inline constexpr uint64_t kDirRights =
    kRightFdDatasync | kRightFdFdstatSetFlags | kRightFdSync | kRightFdAdvise |
    kRightPathCreateDirectory | kRightPathCreateFile | kRightPathLinkSource |
    kRightPathLinkTarget | kRightPathOpen | kRightFdReaddir |
    kRightPathReadlink | kRightPathRenameSource | kRightPathRenameTarget |
    kRightPathFilestatGet | kRightPathFilestatSetSize |
    kRightPathFilestatSetTimes | kRightFdFilestatGet |
    kRightFdFilestatSetTimes | kRightPathSymlink | kRightPathRemoveDirectory |
    kRightPathUnlinkFile | kRightPollFdReadwrite;

// Rights that open a file for writing: a path_open asking for one of them
// under a read-only preopen fails with EROFS, as on a read-only mount.
inline constexpr uint64_t kOpenForWriteRights =
    kRightFdWrite | kRightFdAllocate | kRightFdFilestatSetSize;

// Rights that change the file system. A read-only preopen and every fd
// opened beneath it lack them; asking for one yields EROFS.
inline constexpr uint64_t kMutatingRights =
    kOpenForWriteRights | kRightFdFilestatSetTimes | kRightPathCreateDirectory |
    kRightPathCreateFile | kRightPathLinkSource | kRightPathLinkTarget |
    kRightPathRenameSource | kRightPathRenameTarget |
    kRightPathFilestatSetSize | kRightPathFilestatSetTimes | kRightPathSymlink |
    kRightPathRemoveDirectory | kRightPathUnlinkFile;

// filetype (u8).
enum class Filetype : uint8_t {
  kUnknown = 0,
  kBlockDevice = 1,
  kCharacterDevice = 2,
  kDirectory = 3,
  kRegularFile = 4,
  kSocketDgram = 5,
  kSocketStream = 6,
  kSymbolicLink = 7,
};

// fdflags (u16).
inline constexpr uint16_t kFdflagAppend = 1 << 0;
inline constexpr uint16_t kFdflagDsync = 1 << 1;
inline constexpr uint16_t kFdflagNonblock = 1 << 2;
inline constexpr uint16_t kFdflagRsync = 1 << 3;
inline constexpr uint16_t kFdflagSync = 1 << 4;
inline constexpr uint16_t kFdflagsSyncBits =
    kFdflagDsync | kFdflagRsync | kFdflagSync;
inline constexpr uint16_t kFdflagsAll =
    kFdflagAppend | kFdflagNonblock | kFdflagsSyncBits;

// oflags (u16).
inline constexpr uint16_t kOflagCreat = 1 << 0;
inline constexpr uint16_t kOflagDirectory = 1 << 1;
inline constexpr uint16_t kOflagExcl = 1 << 2;
inline constexpr uint16_t kOflagTrunc = 1 << 3;
inline constexpr uint16_t kOflagsAll =
    kOflagCreat | kOflagDirectory | kOflagExcl | kOflagTrunc;

// lookupflags (u32).
inline constexpr uint32_t kLookupSymlinkFollow = 1 << 0;

// fstflags (u16).
inline constexpr uint16_t kFstflagAtim = 1 << 0;
inline constexpr uint16_t kFstflagAtimNow = 1 << 1;
inline constexpr uint16_t kFstflagMtim = 1 << 2;
inline constexpr uint16_t kFstflagMtimNow = 1 << 3;

// whence (u8).
inline constexpr uint32_t kWhenceSet = 0;
inline constexpr uint32_t kWhenceCur = 1;
inline constexpr uint32_t kWhenceEnd = 2;

// advice (u8).
inline constexpr uint32_t kAdviceNormal = 0;
inline constexpr uint32_t kAdviceSequential = 1;
inline constexpr uint32_t kAdviceRandom = 2;
inline constexpr uint32_t kAdviceWillneed = 3;
inline constexpr uint32_t kAdviceDontneed = 4;
inline constexpr uint32_t kAdviceNoreuse = 5;

// clockid (u32).
inline constexpr uint32_t kClockRealtime = 0;
inline constexpr uint32_t kClockMonotonic = 1;
inline constexpr uint32_t kClockProcessCputime = 2;
inline constexpr uint32_t kClockThreadCputime = 3;

// eventtype (u8), subclockflags (u16), eventrwflags (u16).
inline constexpr uint8_t kEventClock = 0;
inline constexpr uint8_t kEventFdRead = 1;
inline constexpr uint8_t kEventFdWrite = 2;
inline constexpr uint16_t kSubclockAbstime = 1 << 0;
inline constexpr uint16_t kEventrwHangup = 1 << 0;

// preopentype (u8).
inline constexpr uint8_t kPreopenDir = 0;

// Struct layouts: sizes and field offsets in bytes.
inline constexpr uint32_t kIovecSize = 8;  // buf u32 @0, buf_len u32 @4

inline constexpr uint32_t kFdstatSize = 24;
inline constexpr uint32_t kFdstatFiletype = 0;           // u8
inline constexpr uint32_t kFdstatFlags = 2;              // u16
inline constexpr uint32_t kFdstatRightsBase = 8;         // u64
inline constexpr uint32_t kFdstatRightsInheriting = 16;  // u64

inline constexpr uint32_t kFilestatSize = 64;
inline constexpr uint32_t kFilestatDev = 0;         // u64
inline constexpr uint32_t kFilestatIno = 8;         // u64
inline constexpr uint32_t kFilestatFiletype = 16;   // u8
inline constexpr uint32_t kFilestatNlink = 24;      // u64
inline constexpr uint32_t kFilestatSizeField = 32;  // u64
inline constexpr uint32_t kFilestatAtim = 40;       // u64
inline constexpr uint32_t kFilestatMtim = 48;       // u64
inline constexpr uint32_t kFilestatCtim = 56;       // u64

inline constexpr uint32_t kPrestatSize = 8;
inline constexpr uint32_t kPrestatTag = 0;      // u8
inline constexpr uint32_t kPrestatNameLen = 4;  // u32

inline constexpr uint32_t kDirentSize = 24;    // header; the name follows
inline constexpr uint32_t kDirentNext = 0;     // u64
inline constexpr uint32_t kDirentIno = 8;      // u64
inline constexpr uint32_t kDirentNamlen = 16;  // u32
inline constexpr uint32_t kDirentType = 20;    // u8

inline constexpr uint32_t kSubscriptionSize = 48;
inline constexpr uint32_t kSubUserdata = 0;         // u64
inline constexpr uint32_t kSubTag = 8;              // u8 eventtype
inline constexpr uint32_t kSubClockId = 16;         // u32
inline constexpr uint32_t kSubClockTimeout = 24;    // u64
inline constexpr uint32_t kSubClockPrecision = 32;  // u64
inline constexpr uint32_t kSubClockFlags = 40;      // u16
inline constexpr uint32_t kSubFd = 16;              // u32

inline constexpr uint32_t kEventSize = 32;
inline constexpr uint32_t kEventUserdata = 0;  // u64
inline constexpr uint32_t kEventError = 8;     // u16
inline constexpr uint32_t kEventType = 10;     // u8
inline constexpr uint32_t kEventNbytes = 16;   // u64
inline constexpr uint32_t kEventFlags = 24;    // u16

}  // namespace abi
}  // namespace wasmhpc::wasi

#endif  // WASMHPC_WASI_WASI_ABI_H_
