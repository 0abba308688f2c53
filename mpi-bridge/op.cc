// User-defined reduction operations (MPI_Op_create/free/commutative) and
// the trampolines that run them (op.h).
#include "mpi-bridge/op.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mpi-bridge/guest_data.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;
using engine::FuncType;
using engine::ValType;

// The trampoline pool: slot i is bound to a UserOp while one holds it.
constinit std::array<std::atomic<UserOp*>, UserOp::kTrampolines> bound{};
std::mutex pool_mutex;

template <size_t kSlot>
void Trampoline(void* in, void* inout, int* len, MPI_Datatype* type) {
  UserOp* op = bound[kSlot].load(std::memory_order_acquire);
  if (op != nullptr && len != nullptr && type != nullptr) {
    op->Run(in, inout, *len, *type);
  }
}

template <size_t... kSlots>
constexpr std::array<MPI_User_function*, sizeof...(kSlots)> MakeTrampolines(
    std::index_sequence<kSlots...>) {
  return {&Trampoline<kSlots>...};
}

constexpr auto kTrampolineTable =
    MakeTrampolines(std::make_index_sequence<UserOp::kTrampolines>{});

constexpr uint32_t kAlign = 16;  // the guest's largest alignment
constexpr uint32_t kMinScratch = 256;

int64_t AlignUp(int64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

// The ABI class a user-op failure is reported with (kAborted: a trap).
int32_t FailureClass(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      return abi::kErrOp;
    case absl::StatusCode::kResourceExhausted:
      return abi::kErrNoMem;
    case absl::StatusCode::kNotFound:
      return abi::kErrType;
    default:
      return abi::kErrOther;
  }
}

thread_local UserOpScope* current_scope = nullptr;

}  // namespace

// One call of the guest function: invec and inoutvec as host pointers and
// the guest addresses the function gets, and the bytes [p + lo, p + hi)
// that `len` elements touch around each.
struct UserOp::Buffer {
  uint8_t* p = nullptr;
  Ptr guest = 0;
  bool copied = false;  // a host temporary, copied into the scratch area
};
struct UserOp::Frame {
  int32_t len = 0;
  Handle type = 0;
  int64_t lo = 0, hi = 0;
  Buffer buffers[2];
};

const FuncType& UserOp::FunctionType() {
  static const FuncType type{
      {ValType::kI32, ValType::kI32, ValType::kI32, ValType::kI32}, {}};
  return type;
}

UserOp::UserOp(Bridge& bridge, engine::HostContext& host, uint32_t function,
               int slot)
    : bridge_(&bridge),
      host_(&host),
      mpi_(&bridge.mpi()),
      function_(function),
      slot_(slot) {
  bridge_->UserOpMade();
}

std::shared_ptr<UserOp> UserOp::Create(Bridge& bridge,
                                       engine::HostContext& host,
                                       uint32_t function) {
  std::lock_guard<std::mutex> lock(pool_mutex);
  for (int i = 0; i < kTrampolines; ++i) {
    if (bound[i].load(std::memory_order_relaxed) != nullptr) continue;
    std::shared_ptr<UserOp> op(new UserOp(bridge, host, function, i));
    bound[i].store(op.get(), std::memory_order_release);
    return op;
  }
  return nullptr;
}

UserOp::~UserOp() {
  bridge_->UserOpFreed();
  if (host != MPI_OP_NULL) {
    int finalized = 1;  // stays 1 if the host cannot tell
    mpi_->Finalized(&finalized);
    if (!finalized) mpi_->Op_free(&host);
  }
  std::lock_guard<std::mutex> lock(pool_mutex);
  bound[slot_].store(nullptr, std::memory_order_release);
}

MPI_User_function* UserOp::trampoline() const {
  return kTrampolineTable[slot_];
}

void UserOp::UseType(MPI_Datatype host_type, Handle guest) {
  // Most recent first; a few entries cover the reductions in flight.
  constexpr size_t kKept = 16;
  auto it = std::find_if(types_.begin(), types_.end(),
                         [&](const auto& e) { return e.first == host_type; });
  if (it != types_.end()) types_.erase(it);
  types_.insert(types_.begin(), {host_type, guest});
  if (types_.size() > kKept) types_.pop_back();
}

void UserOp::FreeScratch() {
  if (scratch_ == 0 || scratch_busy_) return;
  GuestFree(*host_, scratch_).IgnoreError();
  scratch_ = 0;
  scratch_bytes_ = 0;
}

absl::StatusOr<Ptr> UserOp::Scratch(uint32_t bytes, bool* temporary) {
  *temporary = scratch_busy_;
  if (!scratch_busy_ && scratch_bytes_ >= bytes) {
    scratch_busy_ = true;
    return scratch_;
  }
  if (!scratch_busy_) FreeScratch();
  uint32_t size = std::max(bytes, kMinScratch);
  absl::StatusOr<Ptr> p = GuestMalloc(*host_, size);
  if (!p.ok()) {
    // The code stays: a trap stays a trap (kAborted), NULL kErrNoMem.
    return absl::Status(
        p.status().code(),
        absl::StrFormat("user op function 0x%x: no guest scratch memory: %s",
                        function_, p.status().message()));
  }
  if (!*temporary) {
    scratch_ = *p;
    scratch_bytes_ = size;
    scratch_busy_ = true;
  }
  return *p;
}

void UserOp::Run(void* in, void* inout, int len, MPI_Datatype type) {
  UserOpScope* scope = UserOpScope::Current();
  if (scope != nullptr && scope->failed()) return;  // skip after a failure
  absl::Status s = Invoke(in, inout, len, type);
  if (!s.ok()) Report(s);
}

void UserOp::Report(const absl::Status& failure) {
  ReportCallbackFailure(
      *bridge_, *host_, FailureClass(failure),
      failure.code() == absl::StatusCode::kAborted,
      absl::StrCat(failure.message(),
                   UserOpScope::Current() == nullptr
                       ? " (in a nonblocking reduction completed by another "
                         "MPI call)"
                       : ""));
}

void ReportCallbackFailure(Bridge& bridge, engine::HostContext& host,
                           int32_t error_class, bool trapped,
                           const std::string& message) {
  UserOpScope* scope = UserOpScope::Current();
  if (scope != nullptr) {
    if (scope->failed()) return;
    scope->error_class = error_class;
    scope->trapped = trapped;
    scope->message = message;
    return;
  }
  // Nobody to report to: the call's results would be wrong.
  std::fprintf(stderr, "wasmhpc: %s; aborting the job\n", message.c_str());
  std::fflush(stderr);
  bridge.Abort(1);
  host.RequestExit(1);
}

absl::Status UserOp::Invoke(void* in, void* inout, int len, MPI_Datatype type) {
  auto known = std::find_if(types_.begin(), types_.end(),
                            [type](const auto& p) { return p.first == type; });
  DatatypeEntry* t = known == types_.end()
                         ? nullptr
                         : bridge_->datatypes().Find(known->second);
  if (t == nullptr) {
    return absl::NotFoundError(absl::StrFormat(
        "user op function 0x%x: the host passed a datatype this op was not "
        "used with",
        function_));
  }
  Frame f;
  f.len = len;
  f.type = known->second;
  if (len > 0 && t->size > 0) {  // the bytes `len` elements touch
    int64_t span = (int64_t{len} - 1) * t->extent;
    f.lo = t->true_lb + std::min<int64_t>(0, span);
    f.hi = t->true_lb + t->true_extent + std::max<int64_t>(0, span);
  }
  f.buffers[0].p = static_cast<uint8_t*>(in);
  f.buffers[1].p = static_cast<uint8_t*>(inout);
  absl::StatusOr<uint32_t> need = Locate(f);
  if (!need.ok()) return need.status();
  bool temporary = false;
  absl::StatusOr<Ptr> scratch = Scratch(*need, &temporary);
  if (!scratch.ok()) return scratch.status();
  absl::Status status = CallGuest(f, *scratch);
  if (temporary) {
    GuestFree(*host_, *scratch).IgnoreError();
  } else {
    scratch_busy_ = false;
  }
  return status;
}

absl::StatusOr<uint32_t> UserOp::Locate(Frame& f) {
  engine::GuestMemory& memory = host_->memory();
  absl::StatusOr<absl::Span<uint8_t>> all =
      memory.Span(0, memory.size(), "linear memory");
  if (!all.ok()) return all.status();
  uintptr_t base = reinterpret_cast<uintptr_t>(all->data());
  int64_t need = kAlign;  // len and the datatype handle
  for (Buffer& b : f.buffers) {
    uintptr_t p = reinterpret_cast<uintptr_t>(b.p);
    if (p + f.lo >= base && p + f.hi <= base + all->size()) {
      b.guest = static_cast<Ptr>(p - base);
    } else {
      b.copied = true;
      need += (f.hi - f.lo) + 2 * kAlign;
    }
  }
  if (need > UINT32_MAX / 2) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "user op function 0x%x: %d elements need %d bytes of guest scratch "
        "memory",
        function_, f.len, need));
  }
  return static_cast<uint32_t>(need);
}

absl::Status UserOp::CallGuest(Frame& f, Ptr scratch) {
  // The guest may have grown its memory in malloc; the base stays.
  engine::GuestMemory& memory = host_->memory();
  int64_t cursor = int64_t{scratch} + kAlign;
  for (Buffer& b : f.buffers) {
    if (!b.copied) continue;
    b.guest = static_cast<Ptr>(AlignUp(cursor - f.lo));
    cursor = int64_t{b.guest} + f.hi;
    absl::StatusOr<absl::Span<uint8_t>> dst =
        memory.Span(int64_t{b.guest} + f.lo, f.hi - f.lo, "scratch");
    if (!dst.ok()) return dst.status();
    std::memcpy(dst->data(), b.p + f.lo, dst->size());
  }
  absl::StatusOr<absl::Span<uint8_t>> header = memory.Span(scratch, 8);
  if (!header.ok()) return header.status();
  std::memcpy(header->data(), &f.len, 4);
  std::memcpy(header->data() + 4, &f.type, 4);
  absl::StatusOr<uint64_t> called = host_->CallIndirect(
      function_, FunctionType(),
      {f.buffers[0].guest, f.buffers[1].guest, scratch, scratch + 4u});
  if (called.status().code() == absl::StatusCode::kInvalidArgument) {
    return absl::InvalidArgumentError(
        absl::StrFormat("user op function 0x%x is not a function of type %s",
                        function_, engine::ToString(FunctionType())));
  }
  if (!called.ok()) {
    return absl::AbortedError(
        absl::StrFormat("user op function 0x%x trapped: %s", function_,
                        called.status().message()));
  }
  Buffer& io = f.buffers[1];
  if (!io.copied) return absl::OkStatus();
  absl::StatusOr<absl::Span<uint8_t>> src =
      memory.Span(int64_t{io.guest} + f.lo, f.hi - f.lo, "scratch");
  if (!src.ok()) return src.status();
  std::memcpy(io.p + f.lo, src->data(), src->size());
  return absl::OkStatus();
}

UserOpScope::UserOpScope() : outer_(current_scope) { current_scope = this; }
UserOpScope::~UserOpScope() { current_scope = outer_; }
UserOpScope* UserOpScope::Current() { return current_scope; }

engine::HostFunc WithUserOps(engine::HostFunc f) {
  f.callback = [inner = std::move(f.callback), name = f.name](
                   engine::HostContext& host,
                   const uint64_t* args) -> absl::StatusOr<uint64_t> {
    UserOpScope scope;
    absl::StatusOr<uint64_t> result = inner(host, args);
    if (scope.trapped) {
      return absl::AbortedError(absl::StrCat(name, ": ", scope.message));
    }
    return result;
  };
  return f;
}

int32_t UserOpResult(Call& c, int32_t rc) {
  UserOpScope* scope = UserOpScope::Current();
  if (scope != nullptr && scope->failed() && !scope->trapped) {
    return c.Fail(scope->error_class, scope->message);
  }
  return rc;
}

namespace {

int32_t OpCreate(Call& c, uint32_t function, int32_t commute, Ptr op) {
  Handle* out = c.Ref<Handle>(op, "op");
  if (!out) return c.error();
  if (function == 0) return c.Fail(abi::kErrArg, "user_fn is NULL");
  std::shared_ptr<UserOp> user = UserOp::Create(c.bridge(), c.host(), function);
  if (!user) {
    return c.Fail(abi::kErrNoMem,
                  absl::StrFormat("all %d user op trampolines are in use "
                                  "(MPI_Op_free gives them back)",
                                  UserOp::kTrampolines));
  }
  if (int32_t rc = c.Host(
          c.mpi().Op_create(user->trampoline(), commute != 0, &user->host))) {
    return rc;
  }
  MPI_Op host = user->host;
  std::optional<Handle> h = c.bridge().ops().Insert(
      {.host = host, .commute = commute != 0, .user = std::move(user)});
  if (!h) return c.Fail(abi::kErrNoMem, "too many user ops");
  *out = *h;
  return abi::kSuccess;
}

int32_t OpFree(Call& c, Ptr op) {
  Handle* slot = c.Ref<Handle>(op, "op");
  OpEntry* o = slot ? c.Op(*slot) : nullptr;
  if (!o) return c.error();
  if (!o->user) {
    return c.Fail(
        abi::kErrOp,
        absl::StrFormat("op 0x%x is predefined and cannot be freed", *slot));
  }
  o->user->FreeScratch();
  // A pending nonblocking reduction keeps the UserOp (and its trampoline)
  // alive; the host keeps its own reference to the host op.
  int32_t rc = c.Host(c.mpi().Op_free(&o->user->host));
  o->user->host = MPI_OP_NULL;
  c.bridge().ops().Erase(*slot);
  *slot = abi::kOpNull;
  return rc;
}

int32_t OpCommutative(Call& c, Handle op, Ptr commute) {
  OpEntry* o = c.Op(op);
  int32_t* out = o ? c.Ref<int32_t>(commute, "commute") : nullptr;
  if (!out) return c.error();
  int flag = 0;
  if (int32_t rc = c.Host(c.mpi().Op_commutative(o->host, &flag))) return rc;
  *out = flag != 0;
  return abi::kSuccess;
}

}  // namespace

void AddOps(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Op_create", OpCreate));
  out.push_back(Bind(b, "MPI_Op_free", OpFree));
  out.push_back(Bind(b, "MPI_Op_commutative", OpCommutative));
}

}  // namespace wasmhpc::mpi
