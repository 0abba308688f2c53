#include "mpi-bridge/handle_table.h"

namespace wasmhpc::mpi {

const char* KindName(Kind kind) {
  static constexpr const char* kNames[] = {
      "communicator", "group",         "datatype", "op",
      "request",      "info",          "errhandler", "window",
      "file",         "message",       "session"};
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
  if (h >= 0x110 && h <= 0x117) return Kind::kWin;
  if (h >= 0x118 && h <= 0x11f) return Kind::kFile;
  if (h >= 0x120 && h <= 0x127) return Kind::kSession;
  if (h >= 0x128 && h <= 0x12f) return Kind::kMessage;
  if (h >= 0x130 && h <= 0x137) return Kind::kInfo;
  if (h >= abi::kFirstErrhandler && h <= abi::kLastErrhandler) {
    return Kind::kErrhandler;
  }
  if (h >= 0x180 && h <= 0x187) return Kind::kRequest;
  if (h >= abi::kFirstDatatype && h <= abi::kLastDatatype) {
    return Kind::kDatatype;
  }
  return std::nullopt;
}

}  // namespace wasmhpc::mpi
