#include "mpi-bridge/handle_table.h"

namespace wasmhpc::mpi {

const char* KindName(Kind kind) {
  static constexpr const char* kNames[] = {
      "communicator", "group",  "datatype", "op",      "request", "info",
      "errhandler",   "window", "file",     "message", "session"};
  return kNames[static_cast<int>(kind)];
}

std::optional<Kind> KindOfHandle(abi::Handle h) {
  if (h >= abi::kUserBase) {
    uint32_t kind = (h - abi::kUserBase) & 15;
    if (kind > static_cast<uint32_t>(Kind::kSession)) return std::nullopt;
    return static_cast<Kind>(kind);
  }
  if (h >= abi::kFirstOp && h <= abi::kLastOp) return Kind::kOp;
  if (h >= abi::kFirstComm && h <= abi::kLastComm) return Kind::kComm;
  if (h >= abi::kFirstGroup && h <= abi::kLastGroup) return Kind::kGroup;
  if (h >= abi::kFirstWin && h <= abi::kLastWin) return Kind::kWin;
  if (h >= abi::kFirstFile && h <= abi::kLastFile) return Kind::kFile;
  if (h >= abi::kFirstSession && h <= abi::kLastSession) return Kind::kSession;
  if (h >= abi::kFirstMessage && h <= abi::kLastMessage) return Kind::kMessage;
  if (h >= abi::kFirstInfo && h <= abi::kLastInfo) return Kind::kInfo;
  if (h >= abi::kFirstErrhandler && h <= abi::kLastErrhandler) {
    return Kind::kErrhandler;
  }
  if (h >= abi::kFirstRequest && h <= abi::kLastRequest) return Kind::kRequest;
  if (h >= abi::kFirstDatatype && h <= abi::kLastDatatype) {
    return Kind::kDatatype;
  }
  return std::nullopt;
}

}  // namespace wasmhpc::mpi
