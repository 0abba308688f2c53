// Derived datatypes and packing against a recording fake transport: guest
// arguments reach the host widened and translated, layouts bound buffer
// checks, decoding answers from the guest's own arguments.
#include <map>
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

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint32_t kMemory = 65536;
constexpr uint32_t kDouble = abi::kDouble, kInt = abi::kInt, kLong = abi::kLong,
                   kLongDouble = abi::kLongDouble, kWorld = abi::kCommWorld;

// Datatype constructors record their arguments and return fake host types
// whose layout is `next`.
class TypeTransport : public FakeTransport {
 public:
  struct Layout {
    MPI_Count size = 4, lb = 0, extent = 4, true_lb = 0, true_extent = 4;
  };
  Layout next;
  std::map<MPI_Datatype, Layout> live;
  int made = 0, freed = 0;
  std::vector<int> ints;
  std::vector<MPI_Aint> aints;
  std::vector<MPI_Datatype> types;
  std::string datarep;
  int pack_position_in = -1;

  int Type_size_x(MPI_Datatype t, MPI_Count* v) override {
    return Query(t, [&](const Layout& l) { *v = l.size; });
  }
  int Type_get_extent_x(MPI_Datatype t, MPI_Count* lb,
                        MPI_Count* extent) override {
    return Query(t, [&](const Layout& l) { *lb = l.lb, *extent = l.extent; });
  }
  int Type_get_true_extent_x(MPI_Datatype t, MPI_Count* lb,
                             MPI_Count* extent) override {
    return Query(
        t, [&](const Layout& l) { *lb = l.true_lb, *extent = l.true_extent; });
  }
  int Type_contiguous(int n, MPI_Datatype t, MPI_Datatype* out) override {
    return Made({n}, {}, {t}, out);
  }
  int Type_vector(int n, int len, int stride, MPI_Datatype t,
                  MPI_Datatype* out) override {
    return Made({n, len, stride}, {}, {t}, out);
  }
  int Type_create_hvector(int n, int len, MPI_Aint stride, MPI_Datatype t,
                          MPI_Datatype* out) override {
    return Made({n, len}, {stride}, {t}, out);
  }
  int Type_indexed(int n, const int* lens, const int* displs, MPI_Datatype t,
                   MPI_Datatype* out) override {
    std::vector<int> v(lens, lens + n);
    v.insert(v.end(), displs, displs + n);
    return Made(v, {}, {t}, out);
  }
  int Type_create_hindexed(int n, const int* lens, const MPI_Aint* displs,
                           MPI_Datatype t, MPI_Datatype* out) override {
    return Made({lens, lens + n}, {displs, displs + n}, {t}, out);
  }
  int Type_create_struct(int n, const int* lens, const MPI_Aint* displs,
                         const MPI_Datatype* t, MPI_Datatype* out) override {
    return Made({lens, lens + n}, {displs, displs + n}, {t, t + n}, out);
  }
  int Type_create_subarray(int n, const int* sizes, const int* subsizes,
                           const int* starts, int order, MPI_Datatype t,
                           MPI_Datatype* out) override {
    std::vector<int> v(sizes, sizes + n);
    v.insert(v.end(), subsizes, subsizes + n);
    v.insert(v.end(), starts, starts + n);
    v.push_back(order);
    return Made(v, {}, {t}, out);
  }
  int Type_create_darray(int size, int rank, int n, const int* gsizes,
                         const int* distribs, const int* dargs,
                         const int* psizes, int order, MPI_Datatype t,
                         MPI_Datatype* out) override {
    std::vector<int> v = {size, rank};
    for (const int* a : {gsizes, distribs, dargs, psizes}) {
      v.insert(v.end(), a, a + n);
    }
    v.push_back(order);
    return Made(v, {}, {t}, out);
  }
  int Type_create_resized(MPI_Datatype t, MPI_Aint lb, MPI_Aint extent,
                          MPI_Datatype* out) override {
    return Made({}, {lb, extent}, {t}, out);
  }
  int Type_dup(MPI_Datatype t, MPI_Datatype* out) override {
    next = live.count(t) ? live[t] : next;
    return Made({}, {}, {t}, out);
  }
  int Type_create_f90_real(int p, int r, MPI_Datatype* out) override {
    return Made({p, r}, {}, {}, out);
  }
  int Type_commit(MPI_Datatype*) override { return MPI_SUCCESS; }
  int Type_free(MPI_Datatype* t) override {
    live.erase(*t);
    ++freed;
    *t = MPI_DATATYPE_NULL;
    return MPI_SUCCESS;
  }
  // Packs `n` 4-byte elements.
  int Pack(const void*, int n, MPI_Datatype, void*, int outsize, int* position,
           MPI_Comm) override {
    pack_position_in = *position;
    if (*position + 4 * n > outsize) return MPI_ERR_TRUNCATE;
    *position += 4 * n;
    return MPI_SUCCESS;
  }
  int Pack_external(const char* rep, const void*, int n, MPI_Datatype, void*,
                    MPI_Aint, MPI_Aint* position) override {
    datarep = rep;
    *position += MPI_Aint{4} * n;
    return MPI_SUCCESS;
  }
  int Pack_external_size(const char* rep, int n, MPI_Datatype,
                         MPI_Aint* size) override {
    datarep = rep;
    *size = 4 * MPI_Aint{n};
    return MPI_SUCCESS;
  }

 private:
  char handles_[1024] = {};

  template <typename Fn>
  int Query(MPI_Datatype t, Fn fn) {
    auto it = live.find(t);
    if (it == live.end()) return MPI_ERR_TYPE;
    fn(it->second);
    return MPI_SUCCESS;
  }
  int Made(std::vector<int> i, std::vector<MPI_Aint> a,
           std::vector<MPI_Datatype> t, MPI_Datatype* out) {
    ints = std::move(i);
    aints = std::move(a);
    types = std::move(t);
    // Distinct fake host handles: addresses the bridge never dereferences.
    *out = reinterpret_cast<MPI_Datatype>(&handles_[++made % sizeof handles_]);
    live[*out] = next;
    return MPI_SUCCESS;
  }
};

class DatatypeTest : public BridgeFixture {
 protected:
  DatatypeTest() : bridge_({.transport = &mpi_}), guest_(kMemory) {
    Bind(bridge_, guest_);
    InitMpi(/*errors_return=*/false);
  }

  // Calls a function that must succeed.
  void Ok(const std::string& name, std::vector<uint64_t> args) {
    absl::StatusOr<uint64_t> r = Call(name, std::move(args));
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(*r, 0u) << name;
  }
  void ErrorsReturn() {
    Ok("MPI_Comm_set_errhandler", {kWorld, abi::kErrorsReturn});
  }

  template <typename T>
  void Store(uint32_t at, std::vector<T> values) {
    for (size_t i = 0; i < values.size(); ++i) {
      memory().Store<T>(at + i * sizeof(T), values[i]);
    }
  }
  template <typename T>
  T Load(uint32_t at) {
    return memory().Load<T>(at);
  }
  engine::FakeGuestMemory& memory() { return guest_.fake_memory(); }

  // A committed vector of ints; returns its guest handle.
  uint32_t MakeVector(uint32_t out = 0x800) {
    Ok("MPI_Type_vector", {2, 1, 3, kInt, out});
    Ok("MPI_Type_commit", {out});
    return Load<uint32_t>(out);
  }

  TypeTransport mpi_;
  Bridge bridge_;
  engine::FakeHostContext guest_;
};

TEST_F(DatatypeTest, HindexedWidensGuestAintDisplacements) {
  Store<int32_t>(0x100, {1, 2, 1});
  Store<int32_t>(0x200, {8, -4, 0x7ffffff0});
  Ok("MPI_Type_create_hindexed", {3, 0x100, 0x200, kDouble, 0x300});
  EXPECT_THAT(mpi_.ints, ElementsAre(1, 2, 1));
  EXPECT_THAT(mpi_.aints, ElementsAre(8, -4, 0x7ffffff0));
  EXPECT_THAT(mpi_.types, ElementsAre(MPI_DOUBLE));
  EXPECT_GE(Load<uint32_t>(0x300), abi::kUserBase);
}

TEST_F(DatatypeTest, HvectorStrideAndResizedBoundsAreSignExtended) {
  Ok("MPI_Type_create_hvector", {2, 1, uint32_t(-24), kDouble, 0x300});
  EXPECT_THAT(mpi_.aints, ElementsAre(-24));
  mpi_.next = {
      .size = 4, .lb = -4, .extent = 16, .true_lb = 0, .true_extent = 4};
  Ok("MPI_Type_create_resized", {kInt, uint32_t(-4), 16, 0x304});
  EXPECT_THAT(mpi_.aints, ElementsAre(-4, 16));
  uint32_t resized = Load<uint32_t>(0x304);
  Ok("MPI_Type_get_extent", {resized, 0x400, 0x404});
  EXPECT_EQ(Load<int32_t>(0x400), -4);
  EXPECT_EQ(Load<int32_t>(0x404), 16);
  Ok("MPI_Type_get_true_extent_x", {resized, 0x410, 0x418});
  EXPECT_EQ(Load<int64_t>(0x410), 0);
  EXPECT_EQ(Load<int64_t>(0x418), 4);
}

TEST_F(DatatypeTest, StructMembersAreGuestHandles) {
  uint32_t vec = MakeVector();
  MPI_Datatype vec_host = bridge_.datatypes().Find(vec)->host;
  Store<int32_t>(0x100, {1, 1, 1});
  Store<int32_t>(0x200, {0, 4, 8});
  Store<uint32_t>(0x300, {kLong, kInt, vec});
  Ok("MPI_Type_create_struct", {3, 0x100, 0x200, 0x300, 0x400});
  // Guest MPI_LONG is 32-bit: the host's MPI_INT.
  EXPECT_THAT(mpi_.types, ElementsAre(MPI_INT, MPI_INT, vec_host));
  Store<uint32_t>(0x300, {kInt, abi::kCommWorld, kInt});
  ErrorsReturn();
  EXPECT_EQ(*Call("MPI_Type_create_struct", {3, 0x100, 0x200, 0x300, 0x400}),
            uint64_t{abi::kErrType});
}

TEST_F(DatatypeTest, StructRunningPastLinearMemoryIsRejectedBySend) {
  mpi_.next = {.size = 16,
               .lb = 0,
               .extent = kMemory,
               .true_lb = 0,
               .true_extent = kMemory};
  Store<int32_t>(0x100, {1, 1});
  Store<int32_t>(0x200, {0, int32_t{kMemory} - 8});
  Store<uint32_t>(0x300, {kDouble, kDouble});
  Ok("MPI_Type_create_struct", {2, 0x100, 0x200, 0x300, 0x400});
  Ok("MPI_Type_commit", {0x400});
  uint32_t type = Load<uint32_t>(0x400);
  auto r = Call("MPI_Send", {0x100, 1, type, 1, 0, kWorld});
  EXPECT_THAT(r.status().message(),
              HasSubstr("MPI_Send: buffer [0x100,+65536) exceeds linear "
                        "memory"));
  EXPECT_EQ(mpi_.sends, 0);
  ErrorsReturn();
  EXPECT_EQ(*Call("MPI_Send", {0x100, 1, type, 1, 0, kWorld}),
            uint64_t{abi::kErrBuffer});
  // From MPI_BOTTOM (address 0) the same type fits exactly.
  EXPECT_EQ(*Call("MPI_Send", {0, 1, type, 1, 0, kWorld}), 0u);
  EXPECT_EQ(mpi_.last.buffer, memory().bytes().data());
}

TEST_F(DatatypeTest, NegativeTrueLowerBoundBelowAddressZeroIsRejected) {
  mpi_.next = {
      .size = 8, .lb = -16, .extent = 24, .true_lb = -16, .true_extent = 24};
  Store<int32_t>(0x100, {1, 1});
  Store<int32_t>(0x200, {-16, 4});
  Ok("MPI_Type_create_hindexed", {2, 0x100, 0x200, kInt, 0x300});
  Ok("MPI_Type_commit", {0x300});
  uint32_t type = Load<uint32_t>(0x300);
  auto r = Call("MPI_Send", {8, 1, type, 1, 0, kWorld});
  EXPECT_THAT(r.status().message(), HasSubstr("starts below address 0"));
  EXPECT_EQ(*Call("MPI_Send", {0x1000, 2, type, 1, 0, kWorld}), 0u);
}

TEST_F(DatatypeTest, UncommittedTypeIsRefusedForCommunication) {
  Ok("MPI_Type_contiguous", {4, kInt, 0x300});
  auto r = Call("MPI_Send", {0x100, 1, Load<uint32_t>(0x300), 1, 0, kWorld});
  EXPECT_THAT(r.status().message(), HasSubstr("not committed"));
}

TEST_F(DatatypeTest, LongDoubleInsideMakesTypesNotReducible) {
  Store<int32_t>(0x100, {1, 1});
  Store<int32_t>(0x200, {0, 16});
  Store<uint32_t>(0x300, {kInt, kLongDouble});
  Ok("MPI_Type_create_struct", {2, 0x100, 0x200, 0x300, 0x400});
  uint32_t st = Load<uint32_t>(0x400);
  Ok("MPI_Type_contiguous", {2, st, 0x404});
  Ok("MPI_Type_commit", {0x404});
  EXPECT_FALSE(bridge_.datatypes().Find(st)->reducible);
  auto r = Call("MPI_Allreduce",
                {0x1000, 0x2000, 1, Load<uint32_t>(0x404), abi::kSum, kWorld});
  EXPECT_THAT(r.status().message(), HasSubstr("cannot be reduced"));
  Ok("MPI_Type_contiguous", {2, kInt, 0x408});
  EXPECT_TRUE(bridge_.datatypes().Find(Load<uint32_t>(0x408))->reducible);
}

TEST_F(DatatypeTest, EnvelopeAndContentsComeFromTheGuestsArguments) {
  Store<int32_t>(0x100, {2, 1});
  Store<int32_t>(0x200, {0, 5});
  Ok("MPI_Type_indexed", {2, 0x100, 0x200, kLong, 0x300});
  uint32_t indexed = Load<uint32_t>(0x300);
  Ok("MPI_Type_get_envelope", {indexed, 0x400, 0x404, 0x408, 0x40c});
  EXPECT_EQ(Load<int32_t>(0x400), 5);
  EXPECT_EQ(Load<int32_t>(0x404), 0);
  EXPECT_EQ(Load<int32_t>(0x408), 1);
  EXPECT_EQ(Load<int32_t>(0x40c), abi::kCombinerIndexed);
  Ok("MPI_Type_get_contents", {indexed, 5, 0, 1, 0x500, 0, 0x600});
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Load<int32_t>(0x500 + 4 * i), (std::vector{2, 2, 1, 0, 5}[i]));
  }
  EXPECT_EQ(Load<uint32_t>(0x600), kLong);  // the guest's, not MPI_INT
  Ok("MPI_Type_get_envelope", {kInt, 0x400, 0x404, 0x408, 0x40c});
  EXPECT_EQ(Load<int32_t>(0x40c), abi::kCombinerNamed);
  ErrorsReturn();
  EXPECT_EQ(*Call("MPI_Type_get_contents", {kInt, 0, 0, 0, 0, 0, 0}),
            uint64_t{abi::kErrType});
  EXPECT_EQ(*Call("MPI_Type_get_contents", {indexed, 4, 0, 1, 0x500, 0, 0x600}),
            uint64_t{abi::kErrArg});
}

TEST_F(DatatypeTest, DerivedMembersComeBackAsNewTypesAfterTheOriginalIsFreed) {
  uint32_t vec = MakeVector();
  Store<int32_t>(0x100, {1, 1});
  Store<int32_t>(0x200, {-8, 0x7fffffff});
  Store<uint32_t>(0x300, {kDouble, vec});
  Ok("MPI_Type_create_struct", {2, 0x100, 0x200, 0x300, 0x400});
  uint32_t st = Load<uint32_t>(0x400);
  Ok("MPI_Type_free", {0x800});  // the vector
  EXPECT_EQ(Load<uint32_t>(0x800), abi::kDatatypeNull);
  const int made = mpi_.made;
  Ok("MPI_Type_get_contents", {st, 3, 2, 2, 0x500, 0x520, 0x540});
  EXPECT_EQ(Load<int32_t>(0x520), -8);
  EXPECT_EQ(Load<int32_t>(0x524), 0x7fffffff);
  EXPECT_EQ(Load<uint32_t>(0x540), kDouble);
  uint32_t member = Load<uint32_t>(0x544);
  EXPECT_NE(member, vec);
  EXPECT_EQ(mpi_.made, made + 1);  // re-created: MPI_Type_vector(2, 1, 3)
  EXPECT_THAT(mpi_.ints, ElementsAre(2, 1, 3));
  Ok("MPI_Type_get_envelope", {member, 0x600, 0x604, 0x608, 0x60c});
  EXPECT_EQ(Load<int32_t>(0x60c), abi::kCombinerVector);
  // Returned types are committed and the guest frees them.
  EXPECT_EQ(*Call("MPI_Send", {0x1000, 1, member, 1, 0, kWorld}), 0u);
  Store<uint32_t>(0x700, {member});
  Ok("MPI_Type_free", {0x700});
}

TEST_F(DatatypeTest, ArrayTypesTranslateOrderAndDistributions) {
  Store<int32_t>(0x100, {4, 6});  // sizes
  Store<int32_t>(0x110, {2, 3});  // subsizes
  Store<int32_t>(0x120, {1, 2});  // starts
  Ok("MPI_Type_create_subarray",
     {2, 0x100, 0x110, 0x120, abi::kOrderC, kInt, 0x300});
  EXPECT_THAT(mpi_.ints, ElementsAre(4, 6, 2, 3, 1, 2, MPI_ORDER_C));
  Store<int32_t>(0x130, {abi::kDistributeBlock, abi::kDistributeCyclic});
  Store<int32_t>(0x140, {abi::kDistributeDfltDarg, 2});
  Store<int32_t>(0x150, {2, 1});  // psizes
  Ok("MPI_Type_create_darray",
     {2, 1, 2, 0x100, 0x130, 0x140, 0x150, abi::kOrderFortran, kInt, 0x304});
  EXPECT_THAT(
      mpi_.ints,
      ElementsAre(2, 1, 4, 6, MPI_DISTRIBUTE_BLOCK, MPI_DISTRIBUTE_CYCLIC,
                  MPI_DISTRIBUTE_DFLT_DARG, 2, 2, 1, MPI_ORDER_FORTRAN));
  // Decoding gives back the guest's values.
  uint32_t darray = Load<uint32_t>(0x304);
  Ok("MPI_Type_get_contents", {darray, 12, 0, 1, 0x500, 0, 0x600});
  EXPECT_EQ(Load<int32_t>(0x500 + 4 * 6), abi::kDistributeCyclic);
  EXPECT_EQ(Load<int32_t>(0x500 + 4 * 7), abi::kDistributeDfltDarg);
  EXPECT_EQ(Load<int32_t>(0x500 + 4 * 11), abi::kOrderFortran);
  ErrorsReturn();
  const int made = mpi_.made;
  EXPECT_EQ(
      *Call("MPI_Type_create_subarray",
            {2, 0x100, 0x110, 0x120, 0 /*host MPI_ORDER_C*/, kInt, 0x300}),
      uint64_t{abi::kErrArg});
  EXPECT_EQ(mpi_.made, made);
}

TEST_F(DatatypeTest, DupKeepsTheCommittedState) {
  uint32_t vec = MakeVector();
  Ok("MPI_Type_dup", {vec, 0x300});
  EXPECT_EQ(*Call("MPI_Send", {0x100, 1, Load<uint32_t>(0x300), 1, 0, kWorld}),
            0u);
  Ok("MPI_Type_vector", {2, 1, 3, kInt, 0x304});
  Ok("MPI_Type_dup", {Load<uint32_t>(0x304), 0x308});
  auto r = Call("MPI_Send", {0x100, 1, Load<uint32_t>(0x308), 1, 0, kWorld});
  EXPECT_THAT(r.status().message(), HasSubstr("not committed"));
}

TEST_F(DatatypeTest, FreedTypesAreRejectedAndPredefinedOnesCannotBeFreed) {
  uint32_t vec = MakeVector();
  Ok("MPI_Type_free", {0x800});
  EXPECT_EQ(mpi_.freed, 1);
  EXPECT_TRUE(mpi_.live.size() == 0);
  auto r = Call("MPI_Type_size", {vec, 0x400});
  EXPECT_THAT(r.status().message(), HasSubstr("null, freed or never created"));
  Store<uint32_t>(0x900, {kInt});
  r = Call("MPI_Type_free", {0x900});
  EXPECT_THAT(r.status().message(), HasSubstr("cannot free predefined"));
}

TEST_F(DatatypeTest, ExtentsBeyondTheGuestsAintAreUndefined) {
  mpi_.next = {.size = int64_t{1} << 33,
               .lb = 0,
               .extent = int64_t{1} << 33,
               .true_lb = 0,
               .true_extent = int64_t{1} << 33};
  Ok("MPI_Type_contiguous", {1 << 30, kDouble, 0x300});
  uint32_t type = Load<uint32_t>(0x300);
  Ok("MPI_Type_get_extent", {type, 0x400, 0x404});
  EXPECT_EQ(Load<int32_t>(0x404), abi::kUndefined);
  Ok("MPI_Type_size", {type, 0x408});
  EXPECT_EQ(Load<int32_t>(0x408), abi::kUndefined);
  Ok("MPI_Type_get_extent_x", {type, 0x410, 0x418});
  EXPECT_EQ(Load<int64_t>(0x418), int64_t{1} << 33);
}

TEST_F(DatatypeTest, PackChecksPositionAndBuffers) {
  const uint32_t position = 0x200;
  Store<int32_t>(position, {4});
  Ok("MPI_Pack", {0x100, 3, kInt, 0x1000, 64, position, kWorld});
  EXPECT_EQ(mpi_.pack_position_in, 4);
  EXPECT_EQ(Load<int32_t>(position), 16);
  ErrorsReturn();
  Store<int32_t>(position, {65});
  EXPECT_EQ(*Call("MPI_Pack", {0x100, 3, kInt, 0x1000, 64, position, kWorld}),
            uint64_t{abi::kErrArg});
  Store<int32_t>(position, {0});
  EXPECT_EQ(
      *Call("MPI_Pack", {0x100, 3, kInt, kMemory - 32, 64, position, kWorld}),
      uint64_t{abi::kErrBuffer});
  EXPECT_EQ(*Call("MPI_Pack", {0x100, 3, kInt, 0x1000, 8, position, kWorld}),
            uint64_t{abi::kErrTruncate});
  EXPECT_EQ(Load<int32_t>(position), 0);  // unchanged on error
}

TEST_F(DatatypeTest, PackExternalReadsDatarepAndAintPositions) {
  memory().StoreString(0x80, std::string("external32\0", 11));
  Store<int32_t>(0x200, {8});
  Ok("MPI_Pack_external", {0x80, 0x100, 2, kInt, 0x1000, 64, 0x200});
  EXPECT_EQ(mpi_.datarep, "external32");
  EXPECT_EQ(Load<int32_t>(0x200), 16);
  Ok("MPI_Pack_external_size", {0x80, 5, kInt, 0x210});
  EXPECT_EQ(Load<int32_t>(0x210), 20);
  // A datarep string that runs off the end of memory.
  memory().StoreString(kMemory - 4, "abcd");
  ErrorsReturn();
  EXPECT_EQ(*Call("MPI_Pack_external_size", {kMemory - 4, 5, kInt, 0x210}),
            uint64_t{abi::kErrBuffer});
}

TEST_F(DatatypeTest, AddressArithmeticIsTheGuests32BitAint) {
  Ok("MPI_Get_address", {0x1234, 0x200});
  EXPECT_EQ(Load<int32_t>(0x200), 0x1234);
  EXPECT_EQ(*Call("MPI_Aint_add", {0xfffffff0u, 0x20}), 0x10u);
  EXPECT_EQ(*Call("MPI_Aint_diff", {0x10, 0x20}), 0xfffffff0u);
}

TEST_F(DatatypeTest, MatchSizeUsesGuestSizes) {
  const std::pair<std::vector<uint64_t>, uint32_t> cases[] = {
      {{abi::kTypeclassInteger, 4}, abi::kInteger},
      {{abi::kTypeclassInteger, 8}, abi::kInteger8},
      {{abi::kTypeclassReal, 8}, abi::kDoublePrecision},
      {{abi::kTypeclassComplex, 16}, abi::kDoubleComplex},
  };
  for (auto [args, want] : cases) {
    args.push_back(0x200);
    Ok("MPI_Type_match_size", args);
    EXPECT_EQ(Load<uint32_t>(0x200), want);
  }
  ErrorsReturn();
  EXPECT_EQ(*Call("MPI_Type_match_size", {abi::kTypeclassInteger, 3, 0x200}),
            uint64_t{abi::kErrArg});
  EXPECT_EQ(*Call("MPI_Type_match_size", {5, 4, 0x200}),
            uint64_t{abi::kErrArg});
}

TEST_F(DatatypeTest, F90TypesArePredefinedAndUniquePerArguments) {
  mpi_.next = {
      .size = 16, .lb = 0, .extent = 16, .true_lb = 0, .true_extent = 16};
  Ok("MPI_Type_create_f90_real", {30, uint32_t(abi::kUndefined), 0x300});
  EXPECT_THAT(mpi_.ints, ElementsAre(30, MPI_UNDEFINED));
  Ok("MPI_Type_create_f90_real", {30, uint32_t(abi::kUndefined), 0x304});
  const uint32_t quad = Load<uint32_t>(0x300);
  EXPECT_EQ(Load<uint32_t>(0x304), quad);
  EXPECT_EQ(mpi_.made, 1);
  EXPECT_FALSE(bridge_.datatypes().Find(quad)->reducible);  // binary128
  Ok("MPI_Type_get_envelope", {quad, 0x400, 0x404, 0x408, 0x40c});
  EXPECT_EQ(Load<int32_t>(0x400), 2);
  EXPECT_EQ(Load<int32_t>(0x40c), abi::kCombinerF90Real);
  // As a member it comes back as it is, and it cannot be freed.
  Ok("MPI_Type_contiguous", {2, quad, 0x308});
  Ok("MPI_Type_get_contents",
     {Load<uint32_t>(0x308), 1, 0, 1, 0x500, 0, 0x600});
  EXPECT_EQ(Load<uint32_t>(0x600), quad);
  auto r = Call("MPI_Type_free", {0x300});
  EXPECT_THAT(r.status().message(), HasSubstr("cannot free predefined"));
}

TEST_F(DatatypeTest, NamesDefaultToTheStandardOnesAndCanBeSet) {
  Ok("MPI_Type_get_name", {kLong, 0x100, 0x200});
  EXPECT_EQ(std::string(reinterpret_cast<char*>(&memory().bytes()[0x100])),
            "MPI_LONG");
  EXPECT_EQ(Load<int32_t>(0x200), 8);
  uint32_t vec = MakeVector();
  Ok("MPI_Type_get_name", {vec, 0x100, 0x200});
  EXPECT_EQ(Load<int32_t>(0x200), 0);
  memory().StoreString(0x300, std::string(200, 'x') + '\0');
  Ok("MPI_Type_set_name", {vec, 0x300});
  Ok("MPI_Type_get_name", {vec, 0x100, 0x200});
  EXPECT_EQ(Load<int32_t>(0x200), abi::kMaxObjectName - 1);
}

TEST_F(DatatypeTest, ImportSignaturesFollowTheWasm32Abi) {
  EXPECT_EQ(engine::ToString(imports().at("MPI_Type_create_hvector").type),
            "(i32, i32, i32, i32, i32) -> i32");
  EXPECT_EQ(engine::ToString(imports().at("MPI_Aint_add").type),
            "(i32, i32) -> i32");
  EXPECT_EQ(engine::ToString(imports().at("MPI_Type_get_extent_x").type),
            "(i32, i32, i32) -> i32");
  EXPECT_EQ(engine::ToString(imports().at("MPI_Type_create_darray").type),
            "(i32, i32, i32, i32, i32, i32, i32, i32, i32, i32) -> i32");
}

}  // namespace
}  // namespace wasmhpc::mpi
