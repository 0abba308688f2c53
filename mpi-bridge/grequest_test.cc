// Generalized requests on a fake host: the guest's callbacks through the
// function table, the query's status, callback failures and traps, and
// MPI_Request_free before MPI_Grequest_complete.
#include "mpi-bridge/grequest.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mpi-bridge/bridge_test_support.h"
#include "mpi-bridge/coll_fake_transport.h"

namespace wasmhpc::mpi {
namespace {

using engine::ValType;
using ::testing::HasSubstr;

constexpr uint32_t kMemory = 65536, kHeap = 0x8000;
constexpr uint32_t kQueryFn = 3, kFreeFn = 4, kCancelFn = 5;
constexpr uint32_t kRequest = 0x600, kStatus = 0x700, kExtra = 0x1234;

// Runs generalized requests as Open MPI does: Wait calls query then free
// and returns query's code, else the status's MPI_ERROR.
class GrequestTransport : public CollFakeTransport {
 public:
  struct G {
    MPI_Grequest_query_function* query;
    MPI_Grequest_free_function* free;
    void* extra;
    bool complete = false, freed = false;
  };
  std::vector<G> started;

  int Grequest_start(MPI_Grequest_query_function* q,
                     MPI_Grequest_free_function* f,
                     MPI_Grequest_cancel_function*, void* extra,
                     MPI_Request* r) override {
    started.push_back({q, f, extra});
    *r = reinterpret_cast<MPI_Request>(started.size());
    return MPI_SUCCESS;
  }
  int Grequest_complete(MPI_Request r) override {
    G& g = Of(r);
    g.complete = true;
    return g.freed ? g.free(g.extra) : MPI_SUCCESS;
  }
  int Wait(MPI_Request* r, MPI_Status* s) override {
    G& g = Of(*r);
    MPI_Status st{};
    int rc = g.query(g.extra, &st);
    g.free(g.extra);
    if (s != MPI_STATUS_IGNORE) *s = st;
    *r = MPI_REQUEST_NULL;
    return rc != MPI_SUCCESS ? rc : st.MPI_ERROR;
  }
  int Request_free(MPI_Request* r) override {
    G& g = Of(*r);
    g.freed = true;
    *r = MPI_REQUEST_NULL;
    return g.complete ? g.free(g.extra) : MPI_SUCCESS;
  }

 private:
  G& Of(MPI_Request r) {
    return started.at(reinterpret_cast<uintptr_t>(r) - 1);
  }
};

class GrequestTest : public BridgeFixture {
 protected:
  GrequestTest() : bridge_({.transport = &mpi_}), guest_(kMemory, kHeap) {
    Bind(bridge_, guest_);
    InitMpi(/*errors_return=*/false);
    const engine::FuncType two{{ValType::kI32, ValType::kI32}, {ValType::kI32}};
    // query: source 3, tag 9, 12 bytes, MPI_ERROR = query_error_.
    guest_.table[kQueryFn] = {two, [this](const std::vector<uint64_t>& a) {
                                calls_.push_back("query");
                                EXPECT_EQ(a[0], kExtra);
                                auto& m = guest_.fake_memory();
                                m.Store<int32_t>(a[1], 3);
                                m.Store<int32_t>(a[1] + 4, 9);
                                m.Store<int32_t>(a[1] + 8, query_error_);
                                m.Store<uint32_t>(a[1] + 12, 12);
                                return static_cast<uint64_t>(query_error_);
                              }};
    guest_.table[kFreeFn] = {{{ValType::kI32}, {ValType::kI32}},
                             [this](const std::vector<uint64_t>& a) {
                               calls_.push_back("free");
                               EXPECT_EQ(a[0], kExtra);
                               return uint64_t{0};
                             }};
  }
  void ReturnErrors() {
    ASSERT_EQ(
        *Call("MPI_Comm_set_errhandler", {abi::kCommWorld, abi::kErrorsReturn}),
        0u);
  }
  uint32_t Start(uint32_t query = kQueryFn) {
    EXPECT_EQ(*Call("MPI_Grequest_start",
                    {query, kFreeFn, kCancelFn, kExtra, kRequest}),
              0u);
    return guest_.fake_memory().Load<uint32_t>(kRequest);
  }

  GrequestTransport mpi_;
  Bridge bridge_;
  ExportingHostContext guest_;
  std::vector<std::string> calls_;
  int32_t query_error_ = 0;
};

TEST_F(GrequestTest, WaitRunsQueryAndFreeAndKeepsMpiError) {
  uint32_t r = Start();
  EXPECT_TRUE(bridge_.user_ops_live());  // no fast path: guest code may run
  ASSERT_EQ(*Call("MPI_Grequest_complete", {r}), 0u);
  auto& m = guest_.fake_memory();
  m.Store<int32_t>(kStatus + 8, 4242);
  ASSERT_EQ(*Call("MPI_Wait", {kRequest, kStatus}), 0u);
  EXPECT_THAT(calls_, ::testing::ElementsAre("query", "free"));
  EXPECT_EQ(m.Load<int32_t>(kStatus), 3);
  EXPECT_EQ(m.Load<int32_t>(kStatus + 4), 9);
  EXPECT_EQ(m.Load<int32_t>(kStatus + 8), 4242);  // single completion
  EXPECT_EQ(m.Load<uint32_t>(kStatus + 12), 12u);
  EXPECT_EQ(m.Load<uint32_t>(kRequest), abi::kRequestNull);
  EXPECT_EQ(guest_.freed.size(), 1u);  // the query's status
  EXPECT_FALSE(bridge_.user_ops_live());
}

TEST_F(GrequestTest, QueryErrorIsWhatWaitReturns) {
  ReturnErrors();
  query_error_ = abi::kErrArg;
  uint32_t r = Start();
  ASSERT_EQ(*Call("MPI_Grequest_complete", {r}), 0u);
  EXPECT_EQ(*Call("MPI_Wait", {kRequest, kStatus}),
            static_cast<uint64_t>(abi::kErrArg));
}

TEST_F(GrequestTest, QueryThatTrapsMakesWaitTrap) {
  guest_.trapping.insert(kQueryFn);
  uint32_t r = Start();
  ASSERT_EQ(*Call("MPI_Grequest_complete", {r}), 0u);
  absl::StatusOr<uint64_t> rc = Call("MPI_Wait", {kRequest, kStatus});
  ASSERT_FALSE(rc.ok());
  EXPECT_THAT(rc.status().message(),
              HasSubstr("MPI_Wait: generalized request query_fn 0x3 trapped"));
  EXPECT_FALSE(bridge_.aborted());
}

TEST_F(GrequestTest, QueryThatIsNotAFunctionIsMpiErrArg) {
  ReturnErrors();
  uint32_t r = Start(/*query=*/99);
  ASSERT_EQ(*Call("MPI_Grequest_complete", {r}), 0u);
  EXPECT_EQ(*Call("MPI_Wait", {kRequest, kStatus}),
            static_cast<uint64_t>(abi::kErrArg));
}

TEST_F(GrequestTest, FreedBeforeCompleteTheHandleStillCompletesIt) {
  uint32_t r = Start();
  ASSERT_EQ(*Call("MPI_Request_free", {kRequest}), 0u);
  EXPECT_EQ(guest_.fake_memory().Load<uint32_t>(kRequest), abi::kRequestNull);
  EXPECT_TRUE(calls_.empty());
  ASSERT_EQ(*Call("MPI_Grequest_complete", {r}), 0u);
  EXPECT_THAT(calls_, ::testing::ElementsAre("free"));
  // Now the handle is gone.
  ReturnErrors();
  EXPECT_EQ(*Call("MPI_Grequest_complete", {r}),
            static_cast<uint64_t>(abi::kErrRequest));
}

}  // namespace
}  // namespace wasmhpc::mpi
