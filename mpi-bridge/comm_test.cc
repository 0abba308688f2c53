// Unit tests of the communicator family: communicators, attributes and
// their guest callbacks, error handlers, user error codes, info objects.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/fake_guest_memory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mpi-bridge/bridge.h"
#include "mpi-bridge/bridge_test_support.h"
#include "mpi-bridge/fake_transport.h"

namespace wasmhpc::mpi {
namespace {

using engine::FuncType;
using engine::ValType;
using ::testing::HasSubstr;

constexpr ValType kI32 = ValType::kI32;
constexpr uint32_t kMemory = 65536;
constexpr uint32_t kHeap = 0x8000;  // the fake malloc's arena
constexpr uint32_t kTrapIndex = 99;
constexpr uint32_t kWorld = abi::kCommWorld, kSelf = abi::kCommSelf;

// Fake host communicators are numbered pointers.
MPI_Comm FakeComm(uintptr_t n) { return reinterpret_cast<MPI_Comm>(n); }

class CommTransport : public FakeTransport {
 public:
  int dups = 0, frees = 0, last_split_type = 0;
  int tag_ub = 0x7fffffff, host = MPI_PROC_NULL;

  int Comm_dup(MPI_Comm, MPI_Comm* out) override {
    *out = FakeComm(0x1000 + ++dups);
    return MPI_SUCCESS;
  }
  int Comm_idup(MPI_Comm c, MPI_Comm* out, MPI_Request* r) override {
    *r = reinterpret_cast<MPI_Request>(0x77);
    return Comm_dup(c, out);
  }
  int Comm_free(MPI_Comm* c) override {
    ++frees;
    *c = MPI_COMM_NULL;
    return MPI_SUCCESS;
  }
  int Comm_split_type(MPI_Comm, int type, int, MPI_Info,
                      MPI_Comm* out) override {
    last_split_type = type;
    *out = type == MPI_UNDEFINED ? MPI_COMM_NULL : FakeComm(0x2000);
    return MPI_SUCCESS;
  }
  int Comm_compare(MPI_Comm, MPI_Comm, int* result) override {
    *result = MPI_CONGRUENT;
    return MPI_SUCCESS;
  }
  int Intercomm_create(MPI_Comm, int, MPI_Comm, int, int,
                       MPI_Comm* out) override {
    *out = FakeComm(0x3000);
    return MPI_SUCCESS;
  }
  int Comm_get_attr(MPI_Comm, int key, void* value, int* flag) override {
    *flag = key == MPI_TAG_UB || key == MPI_HOST;
    *static_cast<int**>(value) = key == MPI_TAG_UB ? &tag_ub : &host;
    return MPI_SUCCESS;
  }
};

// A host context whose guest function kTrapIndex traps.
class GuestContext : public engine::FakeHostContext {
 public:
  GuestContext() : FakeHostContext(kMemory) {}
  absl::StatusOr<uint64_t> CallIndirect(
      uint32_t index, const FuncType& type,
      const std::vector<uint64_t>& args) override {
    if (index == kTrapIndex) return absl::AbortedError("unreachable");
    return FakeHostContext::CallIndirect(index, type, args);
  }
};

class CommTest : public BridgeFixture {
 protected:
  CommTest() : bridge_({.transport = &mpi_}) { Bind(bridge_, guest_); }

  void Init() { InitMpi(/*errors_return=*/true); }
  // Gives the guest a bump-allocating malloc and a counting free.
  void ExportMalloc() { ExportBumpMalloc(guest_, kHeap, guest_frees_); }
  // Guest function `index` of `type` running `fn`.
  void Define(uint32_t index, FuncType type,
              std::function<uint64_t(const std::vector<uint64_t>&)> fn) {
    guest_.table[index] = {std::move(type), std::move(fn)};
  }

  int32_t I32(uint32_t p) { return guest_.fake_memory().Load<int32_t>(p); }
  uint32_t U32(uint32_t p) { return guest_.fake_memory().Load<uint32_t>(p); }
  void Put(uint32_t p, std::string_view s) {
    guest_.fake_memory().StoreString(p, s);
    guest_.fake_memory().Store<char>(p + s.size(), 0);
  }
  std::string Str(uint32_t p) {
    return reinterpret_cast<const char*>(guest_.fake_memory().bytes().data() +
                                         p);
  }
  uint32_t Dup(uint32_t comm) {
    EXPECT_EQ(Code("MPI_Comm_dup", {comm, 0x100}), 0);
    return U32(0x100);
  }

  CommTransport mpi_;
  Bridge bridge_;
  GuestContext guest_;
  std::vector<uint64_t> guest_frees_;
};

// ---- Communicators ----

TEST_F(CommTest, PredefinedCommunicatorsHaveTheirNames) {
  Init();
  ASSERT_EQ(Code("MPI_Comm_get_name", {kWorld, 0x200, 0x300}), 0);
  EXPECT_EQ(Str(0x200), "MPI_COMM_WORLD");
  EXPECT_EQ(I32(0x300), 14);
  ASSERT_EQ(Code("MPI_Comm_get_name", {kSelf, 0x200, 0x300}), 0);
  EXPECT_EQ(Str(0x200), "MPI_COMM_SELF");
  uint32_t dup = Dup(kWorld);
  ASSERT_EQ(Code("MPI_Comm_get_name", {dup, 0x200, 0x300}), 0);
  EXPECT_EQ(Str(0x200), "");
  Put(0x400, "solver");
  ASSERT_EQ(Code("MPI_Comm_set_name", {dup, 0x400}), 0);
  ASSERT_EQ(Code("MPI_Comm_get_name", {dup, 0x200, 0x300}), 0);
  EXPECT_EQ(Str(0x200), "solver");
}

TEST_F(CommTest, LongNamesAreCut) {
  Init();
  Put(0x400, std::string(300, 'n'));
  ASSERT_EQ(Code("MPI_Comm_set_name", {kWorld, 0x400}), 0);
  ASSERT_EQ(Code("MPI_Comm_get_name", {kWorld, 0x200, 0x300}), 0);
  EXPECT_EQ(I32(0x300), 127);
}

TEST_F(CommTest, UnterminatedNameAtTheEndOfMemoryFails) {
  Init();
  guest_.fake_memory().StoreString(kMemory - 4, "abcd");
  EXPECT_EQ(Code("MPI_Comm_set_name", {kWorld, kMemory - 4}), abi::kErrBuffer);
}

TEST_F(CommTest, FreeWritesCommNullAndRefusesPredefined) {
  Init();
  uint32_t dup = Dup(kWorld);
  guest_.fake_memory().Store<uint32_t>(0x100, dup);
  ASSERT_EQ(Code("MPI_Comm_free", {0x100}), 0);
  EXPECT_EQ(U32(0x100), abi::kCommNull);
  EXPECT_EQ(mpi_.frees, 1);
  EXPECT_EQ(Code("MPI_Comm_size", {dup, 0x200}), abi::kErrComm);
  guest_.fake_memory().Store<uint32_t>(0x100, kWorld);
  EXPECT_EQ(Code("MPI_Comm_free", {0x100}), abi::kErrComm);
}

TEST_F(CommTest, SplitTypeTranslatesSharedAndUndefined) {
  Init();
  ASSERT_EQ(Code("MPI_Comm_split_type",
                 {kWorld, abi::kCommTypeShared, 0, abi::kInfoNull, 0x100}),
            0);
  EXPECT_EQ(mpi_.last_split_type, MPI_COMM_TYPE_SHARED);
  EXPECT_NE(U32(0x100), abi::kCommNull);
  ASSERT_EQ(Code("MPI_Comm_split_type",
                 {kWorld, uint32_t(abi::kUndefined), 0, abi::kInfoNull, 0x100}),
            0);
  EXPECT_EQ(mpi_.last_split_type, MPI_UNDEFINED);
  EXPECT_EQ(U32(0x100), abi::kCommNull);
  EXPECT_EQ(
      Code("MPI_Comm_split_type", {kWorld, 12345, 0, abi::kInfoNull, 0x100}),
      abi::kErrArg);
}

TEST_F(CommTest, CompareGivesAbiValues) {
  Init();
  ASSERT_EQ(Code("MPI_Comm_compare", {kWorld, kSelf, 0x100}), 0);
  EXPECT_EQ(I32(0x100), abi::kCongruent);
  EXPECT_EQ(Code("MPI_Comm_compare", {kWorld, abi::kCommNull, 0x100}),
            abi::kErrComm);
}

TEST_F(CommTest, IdupGivesARequestAndAUsableHandle) {
  Init();
  ASSERT_EQ(Code("MPI_Comm_idup", {kWorld, 0x100, 0x104}), 0);
  EXPECT_NE(bridge_.requests().Find(U32(0x104)), nullptr);
  ASSERT_EQ(Code("MPI_Comm_size", {U32(0x100), 0x108}), 0);
  EXPECT_EQ(I32(0x108), 4);
}

TEST_F(CommTest, IntercommPeerMattersAtTheLeaderOnly) {
  Init();
  mpi_.rank = 1;
  bridge_.comms().Find(kWorld)->rank = 1;
  // Not the leader (0): MPI_COMM_NULL as peer is fine.
  EXPECT_EQ(
      Code("MPI_Intercomm_create", {kWorld, 0, abi::kCommNull, 0, 5, 0x200}),
      0);
  EXPECT_EQ(
      Code("MPI_Intercomm_create", {kWorld, 1, abi::kCommNull, 0, 5, 0x200}),
      abi::kErrComm);
}

// ---- Attributes ----

class AttrTest : public CommTest {
 protected:
  static constexpr uint32_t kCopy = 5, kDelete = 6, kKeyval = 0x180;

  // Copy: value + 1; delete: records the value.
  void DefineCallbacks(int32_t copy_rc = 0) {
    Define(kCopy, {{kI32, kI32, kI32, kI32, kI32, kI32}, {kI32}},
           [this, copy_rc](const std::vector<uint64_t>& a) {
             copied_from_.push_back(a[0]);
             EXPECT_EQ(a[2], 0xe5u);  // extra_state
             guest_.fake_memory().Store<uint32_t>(a[4], a[3] + 1);
             guest_.fake_memory().Store<int32_t>(a[5], 1);
             return uint64_t(uint32_t(copy_rc));
           });
    Define(kDelete, {{kI32, kI32, kI32, kI32}, {kI32}},
           [this](const std::vector<uint64_t>& a) {
             deleted_.push_back(a[2]);
             return uint64_t{0};
           });
  }
  int32_t Keyval(uint32_t copy, uint32_t del) {
    EXPECT_EQ(Code("MPI_Comm_create_keyval", {copy, del, kKeyval, 0xe5}), 0);
    return I32(kKeyval);
  }
  // The attribute's value, or -1 when it is not set.
  int64_t Get(uint32_t comm, int32_t keyval) {
    EXPECT_EQ(Code("MPI_Comm_get_attr", {comm, uint32_t(keyval), 0x190, 0x194}),
              0);
    return I32(0x194) ? int64_t{U32(0x190)} : -1;
  }

  std::vector<uint64_t> copied_from_, deleted_;
};

TEST_F(AttrTest, DupCallsCopyAndFreeCallsDelete) {
  Init();
  ExportMalloc();
  DefineCallbacks();
  int32_t key = Keyval(kCopy, kDelete);
  ASSERT_EQ(Code("MPI_Comm_set_attr", {kWorld, uint32_t(key), 40}), 0);
  uint32_t dup = Dup(kWorld);
  EXPECT_EQ(copied_from_, std::vector<uint64_t>{kWorld});
  EXPECT_EQ(Get(dup, key), 41);
  EXPECT_EQ(Get(kWorld, key), 40);
  guest_.fake_memory().Store<uint32_t>(0x100, dup);
  ASSERT_EQ(Code("MPI_Comm_free", {0x100}), 0);
  EXPECT_EQ(deleted_, std::vector<uint64_t>{41});
  EXPECT_EQ(guest_frees_.size(), 1u);  // the copy callback's scratch
}

TEST_F(AttrTest, NullCopyDropsAndDupFnCopies) {
  Init();
  int32_t dropped = Keyval(0, 0);
  int32_t kept = Keyval(1, 0);
  ASSERT_EQ(Code("MPI_Comm_set_attr", {kWorld, uint32_t(dropped), 7}), 0);
  ASSERT_EQ(Code("MPI_Comm_set_attr", {kWorld, uint32_t(kept), 8}), 0);
  uint32_t dup = Dup(kWorld);  // no guest call, no malloc needed
  EXPECT_EQ(Get(dup, dropped), -1);
  EXPECT_EQ(Get(dup, kept), 8);
}

TEST_F(AttrTest, SettingAgainDeletesTheOldValue) {
  Init();
  DefineCallbacks();
  int32_t key = Keyval(0, kDelete);
  ASSERT_EQ(Code("MPI_Comm_set_attr", {kWorld, uint32_t(key), 1}), 0);
  ASSERT_EQ(Code("MPI_Comm_set_attr", {kWorld, uint32_t(key), 2}), 0);
  EXPECT_EQ(deleted_, std::vector<uint64_t>{1});
  ASSERT_EQ(Code("MPI_Comm_delete_attr", {kWorld, uint32_t(key)}), 0);
  EXPECT_EQ(deleted_, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(Get(kWorld, key), -1);
  EXPECT_EQ(Code("MPI_Comm_delete_attr", {kWorld, uint32_t(key)}),
            abi::kErrKeyval);
}

TEST_F(AttrTest, FreedKeyvalLivesOnWhileAttributesUseIt) {
  Init();
  ExportMalloc();
  DefineCallbacks();
  int32_t key = Keyval(kCopy, kDelete);
  uint32_t dup = Dup(kWorld);
  ASSERT_EQ(Code("MPI_Comm_set_attr", {dup, uint32_t(key), 3}), 0);
  ASSERT_EQ(Code("MPI_Comm_free_keyval", {kKeyval}), 0);
  EXPECT_EQ(I32(kKeyval), abi::kKeyvalInvalid);
  EXPECT_EQ(Code("MPI_Comm_get_attr", {dup, uint32_t(key), 0x190, 0x194}),
            abi::kErrKeyval);
  uint32_t dup2 = Dup(dup);  // still copied
  EXPECT_EQ(copied_from_, std::vector<uint64_t>{dup});
  for (uint32_t comm : {dup, dup2}) {
    guest_.fake_memory().Store<uint32_t>(0x100, comm);
    ASSERT_EQ(Code("MPI_Comm_free", {0x100}), 0);
  }
  EXPECT_EQ(deleted_, (std::vector<uint64_t>{3, 4}));
  EXPECT_TRUE(bridge_.keyvals().empty());
}

TEST_F(AttrTest, DeprecatedNamesShareTheAttributes) {
  Init();
  ASSERT_EQ(Code("MPI_Keyval_create", {1, 0, kKeyval, 0}), 0);
  int32_t key = I32(kKeyval);
  ASSERT_EQ(Code("MPI_Attr_put", {kWorld, uint32_t(key), 9}), 0);
  EXPECT_EQ(Get(kWorld, key), 9);
  ASSERT_EQ(Code("MPI_Attr_get", {kWorld, uint32_t(key), 0x190, 0x194}), 0);
  EXPECT_EQ(U32(0x190), 9u);
  ASSERT_EQ(Code("MPI_Attr_delete", {kWorld, uint32_t(key)}), 0);
  ASSERT_EQ(Code("MPI_Keyval_free", {kKeyval}), 0);
}

TEST_F(AttrTest, FailingCopyFailsTheDup) {
  Init();
  ExportMalloc();
  DefineCallbacks(/*copy_rc=*/abi::kErrOther);
  int32_t key = Keyval(kCopy, kDelete);
  ASSERT_EQ(Code("MPI_Comm_set_attr", {kWorld, uint32_t(key), 1}), 0);
  EXPECT_EQ(Code("MPI_Comm_dup", {kWorld, 0x100}), abi::kErrOther);
  EXPECT_EQ(mpi_.frees, 1);  // the host duplicate went again
}

TEST_F(AttrTest, CallbackOfTheWrongTypeIsAnArgumentError) {
  Init();
  ExportMalloc();
  Define(kCopy, {{kI32}, {kI32}}, [](const auto&) { return uint64_t{0}; });
  int32_t key = Keyval(kCopy, 0);
  ASSERT_EQ(Code("MPI_Comm_set_attr", {kWorld, uint32_t(key), 1}), 0);
  ASSERT_EQ(Code("MPI_Comm_set_errhandler", {kWorld, abi::kErrorsAreFatal}), 0);
  auto r = Call("MPI_Comm_dup", {kWorld, 0x100});
  EXPECT_THAT(r.status().message(),
              HasSubstr("MPI_Comm_dup: copy callback at table index 5"));
}

TEST_F(AttrTest, TrapInACallbackTrapsEvenUnderErrorsReturn) {
  Init();
  int32_t key = Keyval(0, kTrapIndex);
  ASSERT_EQ(Code("MPI_Comm_set_attr", {kWorld, uint32_t(key), 1}), 0);
  auto r = Call("MPI_Comm_delete_attr", {kWorld, uint32_t(key)});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(r.status().message(),
              HasSubstr("delete callback at table index 99: unreachable"));
}

TEST_F(AttrTest, TagUbPointsToAGuestInt) {
  Init();
  ExportMalloc();
  ASSERT_EQ(Code("MPI_Comm_get_attr", {kWorld, abi::kTagUb, 0x190, 0x194}), 0);
  ASSERT_EQ(I32(0x194), 1);
  EXPECT_EQ(I32(U32(0x190)), 0x7fffffff);
  EXPECT_GE(U32(0x190), kHeap);
  ASSERT_EQ(Code("MPI_Comm_get_attr", {kWorld, abi::kHost, 0x190, 0x194}), 0);
  EXPECT_EQ(I32(U32(0x190)), abi::kProcNull);
  ASSERT_EQ(Code("MPI_Comm_get_attr", {kWorld, abi::kAppnum, 0x190, 0x194}), 0);
  EXPECT_EQ(I32(0x194), 0);  // the host has none
  EXPECT_EQ(Get(kSelf, abi::kTagUb), -1);
  EXPECT_NE(Get(Dup(kWorld), abi::kTagUb), -1);
  EXPECT_EQ(Code("MPI_Comm_set_attr", {kWorld, abi::kTagUb, 0}),
            abi::kErrKeyval);
}

TEST_F(AttrTest, PredefinedAttributesNeedTheGuestsMalloc) {
  Init();
  EXPECT_EQ(Get(kWorld, abi::kTagUb), -1);
}

// ---- Error handlers and user error codes ----

class ErrhandlerTest : public CommTest {
 protected:
  static constexpr uint32_t kHandler = 7;

  // A variadic C handler: records *comm and *code.
  void DefineHandler(FuncType type = {{kI32, kI32, kI32}, {}}) {
    Define(kHandler, std::move(type), [this](const std::vector<uint64_t>& a) {
      calls_.push_back({U32(a[0]), I32(a[1])});
      return uint64_t{0};
    });
  }
  uint32_t CreateHandler(uint32_t fn = kHandler) {
    EXPECT_EQ(Code("MPI_Comm_create_errhandler", {fn, 0x180}), 0);
    return U32(0x180);
  }

  std::vector<std::pair<uint32_t, int32_t>> calls_;
};

TEST_F(ErrhandlerTest, UserHandlerIsCalledAndTheErrorReturned) {
  Init();
  ExportMalloc();
  DefineHandler();
  uint32_t dup = Dup(kWorld);
  ASSERT_EQ(Code("MPI_Comm_set_errhandler", {dup, CreateHandler()}), 0);
  EXPECT_EQ(Code("MPI_Send", {0, uint32_t(-1), abi::kInt, 0, 0, dup}),
            abi::kErrCount);
  EXPECT_EQ(calls_,
            (std::vector<std::pair<uint32_t, int32_t>>{{dup, abi::kErrCount}}));
  EXPECT_EQ(guest_frees_.size(), 1u);
}

TEST_F(ErrhandlerTest, HandlerWithoutEllipsisIsCalledToo) {
  Init();
  ExportMalloc();
  DefineHandler({{kI32, kI32}, {}});
  ASSERT_EQ(Code("MPI_Comm_set_errhandler", {kWorld, CreateHandler()}), 0);
  EXPECT_EQ(Code("MPI_Comm_call_errhandler", {kWorld, 3}), 0);
  EXPECT_EQ(calls_.size(), 1u);
}

TEST_F(ErrhandlerTest, TrappingHandlerTrapsTheCall) {
  Init();
  ExportMalloc();
  ASSERT_EQ(
      Code("MPI_Comm_set_errhandler", {kWorld, CreateHandler(kTrapIndex)}), 0);
  auto r = Call("MPI_Send", {0, uint32_t(-1), abi::kInt, 0, 0, kWorld});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(r.status().message(),
              HasSubstr("then its error handler failed: error handler at "
                        "table index 99: unreachable"));
}

TEST_F(ErrhandlerTest, FreedHandlerStaysWhileACommunicatorUsesIt) {
  Init();
  ExportMalloc();
  DefineHandler();
  uint32_t handler = CreateHandler();
  uint32_t dup = Dup(kWorld);
  ASSERT_EQ(Code("MPI_Comm_set_errhandler", {dup, handler}), 0);
  ASSERT_EQ(Code("MPI_Errhandler_free", {0x180}), 0);
  EXPECT_EQ(U32(0x180), abi::kErrhandlerNull);
  uint32_t dup2 = Dup(dup);  // inherits the handler
  ASSERT_EQ(Code("MPI_Comm_get_errhandler", {dup2, 0x184}), 0);
  EXPECT_EQ(U32(0x184), handler);
  ASSERT_EQ(Code("MPI_Errhandler_free", {0x184}), 0);
  EXPECT_EQ(Code("MPI_Comm_call_errhandler", {dup2, 5}), 0);
  EXPECT_EQ(calls_.size(), 1u);
  for (uint32_t comm : {dup, dup2}) {
    guest_.fake_memory().Store<uint32_t>(0x100, comm);
    ASSERT_EQ(Code("MPI_Comm_free", {0x100}), 0);
  }
  EXPECT_EQ(bridge_.errhandlers().live(), 0u);
  EXPECT_EQ(Code("MPI_Comm_set_errhandler", {kWorld, handler}), abi::kErrArg);
}

TEST_F(ErrhandlerTest, CallErrhandlerFollowsPredefinedHandlers) {
  Init();
  EXPECT_EQ(Code("MPI_Comm_call_errhandler", {kWorld, abi::kErrTag}), 0);
  ASSERT_EQ(Code("MPI_Comm_set_errhandler", {kWorld, abi::kErrorsAreFatal}), 0);
  auto r = Call("MPI_Comm_call_errhandler", {kWorld, abi::kErrTag});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
}

TEST_F(ErrhandlerTest, UserErrorClassesCodesAndStrings) {
  Init();
  ExportMalloc();
  ASSERT_EQ(Code("MPI_Add_error_class", {0x100}), 0);
  int32_t cls = I32(0x100);
  EXPECT_EQ(cls, abi::kErrLastcode + 1);
  ASSERT_EQ(Code("MPI_Add_error_code", {uint32_t(cls), 0x104}), 0);
  int32_t code = I32(0x104);
  ASSERT_EQ(Code("MPI_Add_error_code", {abi::kErrArg, 0x108}), 0);
  EXPECT_EQ(Code("MPI_Add_error_code", {uint32_t(code), 0x108}), abi::kErrArg);
  Put(0x200, "solver diverged");
  ASSERT_EQ(Code("MPI_Add_error_string", {uint32_t(code), 0x200}), 0);
  EXPECT_EQ(Code("MPI_Add_error_string", {abi::kErrArg, 0x200}), abi::kErrArg);
  ASSERT_EQ(Code("MPI_Error_class", {uint32_t(code), 0x110}), 0);
  EXPECT_EQ(I32(0x110), cls);
  ASSERT_EQ(Code("MPI_Error_class", {uint32_t(I32(0x108)), 0x110}), 0);
  EXPECT_EQ(I32(0x110), abi::kErrArg);
  ASSERT_EQ(Code("MPI_Error_string", {uint32_t(code), 0x300, 0x114}), 0);
  EXPECT_EQ(Str(0x300), "solver diverged");
  ASSERT_EQ(Code("MPI_Error_string", {uint32_t(cls), 0x300, 0x114}), 0);
  EXPECT_EQ(Str(0x300), "");
  ASSERT_EQ(
      Code("MPI_Comm_get_attr", {kWorld, abi::kLastusedcode, 0x190, 0x194}), 0);
  EXPECT_EQ(I32(U32(0x190)), abi::kErrLastcode + 3);
  EXPECT_EQ(Code("MPI_Error_class", {abi::kErrLastcode + 9, 0x110}),
            abi::kErrArg);
}

// ---- Info objects ----

class InfoTest : public CommTest {
 protected:
  uint32_t Create() {
    EXPECT_EQ(Code("MPI_Info_create", {0x100}), 0);
    return U32(0x100);
  }
  int32_t Set(uint32_t info, std::string_view key, std::string_view value) {
    Put(0x1000, key);
    Put(0x2000, value);
    return Code("MPI_Info_set", {info, 0x1000, 0x2000});
  }
  // The value of `key`, or "<none>".
  std::string Get(uint32_t info, std::string_view key, int32_t valuelen = 100) {
    Put(0x1000, key);
    EXPECT_EQ(
        Code("MPI_Info_get", {info, 0x1000, uint32_t(valuelen), 0x3000, 0x104}),
        0);
    return I32(0x104) ? Str(0x3000) : "<none>";
  }
  std::vector<std::string> Keys(uint32_t info) {
    EXPECT_EQ(Code("MPI_Info_get_nkeys", {info, 0x108}), 0);
    std::vector<std::string> keys;
    for (int32_t i = 0; i < I32(0x108); ++i) {
      EXPECT_EQ(Code("MPI_Info_get_nthkey", {info, uint32_t(i), 0x4000}), 0);
      keys.push_back(Str(0x4000));
    }
    return keys;
  }
};

TEST_F(InfoTest, RoundTripKeepsInsertionOrder) {
  uint32_t info = Create();  // before MPI_Init: allowed
  Init();
  ASSERT_EQ(Set(info, "b", "2"), 0);
  ASSERT_EQ(Set(info, "a", "1"), 0);
  ASSERT_EQ(Set(info, "b", "3"), 0);
  EXPECT_EQ(Keys(info), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(Get(info, "b"), "3");
  EXPECT_EQ(Get(info, "c"), "<none>");
  ASSERT_EQ(Set(info, "long", "abcdefgh"), 0);
  EXPECT_EQ(Get(info, "long", 3), "abc");
  Put(0x1000, "long");
  ASSERT_EQ(Code("MPI_Info_get_valuelen", {info, 0x1000, 0x10c, 0x104}), 0);
  EXPECT_EQ(I32(0x10c), 8);
  ASSERT_EQ(Code("MPI_Info_dup", {info, 0x110}), 0);
  uint32_t dup = U32(0x110);
  Put(0x1000, "a");
  ASSERT_EQ(Code("MPI_Info_delete", {info, 0x1000}), 0);
  EXPECT_EQ(Code("MPI_Info_delete", {info, 0x1000}), abi::kErrInfoNokey);
  EXPECT_EQ(Keys(info), (std::vector<std::string>{"b", "long"}));
  EXPECT_EQ(Keys(dup), (std::vector<std::string>{"b", "a", "long"}));
  guest_.fake_memory().Store<uint32_t>(0x110, dup);
  ASSERT_EQ(Code("MPI_Info_free", {0x110}), 0);
  EXPECT_EQ(U32(0x110), abi::kInfoNull);
  EXPECT_EQ(Code("MPI_Info_get_nkeys", {dup, 0x108}), abi::kErrInfo);
}

TEST_F(InfoTest, KeysAndValuesFollowTheGuestLimits) {
  Init();
  uint32_t info = Create();
  EXPECT_EQ(Set(info, std::string(255, 'k'), "v"), 0);
  EXPECT_EQ(Set(info, std::string(256, 'k'), "v"), abi::kErrInfoKey);
  EXPECT_EQ(Set(info, "", "v"), abi::kErrInfoKey);
  EXPECT_EQ(Set(info, "k", std::string(1023, 'v')), 0);
  EXPECT_EQ(Set(info, "k", std::string(1024, 'v')), abi::kErrInfoValue);
  EXPECT_EQ(Set(info, "k", ""), abi::kErrInfoValue);
  EXPECT_EQ(Code("MPI_Info_get_nthkey", {info, 2, 0x4000}), abi::kErrArg);
}

TEST_F(InfoTest, InfoEnvIsReadOnly) {
  Init();
  EXPECT_EQ(Set(abi::kInfoEnv, "k", "v"), abi::kErrInfo);
  guest_.fake_memory().Store<uint32_t>(0x110, abi::kInfoEnv);
  EXPECT_EQ(Code("MPI_Info_free", {0x110}), abi::kErrInfo);
  EXPECT_EQ(Code("MPI_Info_get_nkeys", {abi::kInfoEnv, 0x108}), 0);
}

TEST_F(InfoTest, AbiInfoGivesTheWasm32Sizes) {
  Init();
  ASSERT_EQ(Code("MPI_Abi_get_info", {0x120}), 0);
  uint32_t info = U32(0x120);
  EXPECT_EQ(Get(info, "mpi_aint_size"), "4");
  EXPECT_EQ(Get(info, "mpi_count_size"), "8");
  EXPECT_EQ(Get(info, "mpi_offset_size"), "8");
}

TEST_F(InfoTest, WrongHandleKindIsNamed) {
  Init();
  auto r = Call("MPI_Info_get_nkeys", {abi::kCommWorld, 0x108});
  EXPECT_EQ(*r, uint64_t{abi::kErrInfo});
}

}  // namespace
}  // namespace wasmhpc::mpi
