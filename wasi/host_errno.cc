#include "wasi/host_errno.h"

#include <cerrno>
#include <utility>

namespace wasmhpc::wasi {
namespace {

// One row per host errno with a WASI counterpart. Aliases (EWOULDBLOCK,
// EOPNOTSUPP, EDEADLOCK) share values with their twins on Linux.
constexpr std::pair<int, Errno> kTable[] = {
    {E2BIG, Errno::k2big},
    {EACCES, Errno::kAcces},
    {EADDRINUSE, Errno::kAddrinuse},
    {EADDRNOTAVAIL, Errno::kAddrnotavail},
    {EAFNOSUPPORT, Errno::kAfnosupport},
    {EAGAIN, Errno::kAgain},
    {EALREADY, Errno::kAlready},
    {EBADF, Errno::kBadf},
    {EBADMSG, Errno::kBadmsg},
    {EBUSY, Errno::kBusy},
    {ECANCELED, Errno::kCanceled},
    {ECHILD, Errno::kChild},
    {ECONNABORTED, Errno::kConnaborted},
    {ECONNREFUSED, Errno::kConnrefused},
    {ECONNRESET, Errno::kConnreset},
    {EDEADLK, Errno::kDeadlk},
    {EDESTADDRREQ, Errno::kDestaddrreq},
    {EDOM, Errno::kDom},
    {EDQUOT, Errno::kDquot},
    {EEXIST, Errno::kExist},
    {EFAULT, Errno::kFault},
    {EFBIG, Errno::kFbig},
    {EHOSTUNREACH, Errno::kHostunreach},
    {EIDRM, Errno::kIdrm},
    {EILSEQ, Errno::kIlseq},
    {EINPROGRESS, Errno::kInprogress},
    {EINTR, Errno::kIntr},
    {EINVAL, Errno::kInval},
    {EIO, Errno::kIo},
    {EISCONN, Errno::kIsconn},
    {EISDIR, Errno::kIsdir},
    {ELOOP, Errno::kLoop},
    {EMFILE, Errno::kMfile},
    {EMLINK, Errno::kMlink},
    {EMSGSIZE, Errno::kMsgsize},
    {EMULTIHOP, Errno::kMultihop},
    {ENAMETOOLONG, Errno::kNametoolong},
    {ENETDOWN, Errno::kNetdown},
    {ENETRESET, Errno::kNetreset},
    {ENETUNREACH, Errno::kNetunreach},
    {ENFILE, Errno::kNfile},
    {ENOBUFS, Errno::kNobufs},
    {ENODEV, Errno::kNodev},
    {ENOENT, Errno::kNoent},
    {ENOEXEC, Errno::kNoexec},
    {ENOLCK, Errno::kNolck},
    {ENOLINK, Errno::kNolink},
    {ENOMEM, Errno::kNomem},
    {ENOMSG, Errno::kNomsg},
    {ENOPROTOOPT, Errno::kNoprotoopt},
    {ENOSPC, Errno::kNospc},
    {ENOSYS, Errno::kNosys},
    {ENOTCONN, Errno::kNotconn},
    {ENOTDIR, Errno::kNotdir},
    {ENOTEMPTY, Errno::kNotempty},
    {ENOTRECOVERABLE, Errno::kNotrecoverable},
    {ENOTSOCK, Errno::kNotsock},
    {ENOTSUP, Errno::kNotsup},
    {ENOTTY, Errno::kNotty},
    {ENXIO, Errno::kNxio},
    {EOVERFLOW, Errno::kOverflow},
    {EOWNERDEAD, Errno::kOwnerdead},
    {EPERM, Errno::kPerm},
    {EPIPE, Errno::kPipe},
    {EPROTO, Errno::kProto},
    {EPROTONOSUPPORT, Errno::kProtonosupport},
    {EPROTOTYPE, Errno::kPrototype},
    {ERANGE, Errno::kRange},
    {EROFS, Errno::kRofs},
    {ESPIPE, Errno::kSpipe},
    {ESRCH, Errno::kSrch},
    {ESTALE, Errno::kStale},
    {ETIMEDOUT, Errno::kTimedout},
    {ETXTBSY, Errno::kTxtbsy},
    {EXDEV, Errno::kXdev},
};

}  // namespace

Errno FromHostErrno(int host_errno) {
  if (host_errno == 0) return Errno::kSuccess;
  for (const auto& [host, wasi] : kTable) {
    if (host == host_errno) return wasi;
  }
  return Errno::kIo;
}

Errno LastHostErrno() { return FromHostErrno(errno); }

}  // namespace wasmhpc::wasi
