// ModuleHandler: uploads hashed as they arrive, compiled once, stored with
// code and record; malformed or interrupted uploads store nothing.
#include "server/handlers/module_handler.h"

#include "cache-store/memory_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/handlers/head_test_fixture.h"

namespace wasmhpc::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class ModuleHandlerTest : public ::testing::Test {
 protected:
  // Nothing at all in the store: no module, no code, no record.
  void ExpectStoreEmpty() {
    EXPECT_THAT(*store_->ListModules(), IsEmpty());
    EXPECT_THAT(*store_->ListAllJobs(), IsEmpty());
  }

  v1::UploadModuleRequest Header(uint64_t size = 0, std::string expected = "") {
    v1::UploadModuleRequest part;
    part.mutable_header()->set_name("app.wasm");
    part.mutable_header()->set_size_bytes(size);
    part.mutable_header()->set_expected_digest(expected);
    (*part.mutable_header()->mutable_labels())["team"] = "cfd";
    return part;
  }
  v1::UploadModuleRequest Chunk(const std::string& bytes) {
    v1::UploadModuleRequest part;
    part.set_chunk(bytes);
    return part;
  }

  std::unique_ptr<CacheStore> store_ = NewMemoryStore();
  FakeClock clock_;
  TestHead head_{store_.get(), &clock_};
};

TEST_F(ModuleHandlerTest, UploadStoresBytesCodeAndRecord) {
  std::string bytes = TinyModule({"MPI_Init", "fd_write", "MPI_Finalize"});
  std::unique_ptr<ModuleHandler::Upload> upload = head_.modules->StartUpload();
  ASSERT_TRUE(upload->Add(Header(bytes.size())).ok());
  ASSERT_TRUE(upload->Add(Chunk(bytes.substr(0, 10))).ok());
  ASSERT_TRUE(upload->Add(Chunk(bytes.substr(10))).ok());
  absl::StatusOr<v1::UploadModuleResponse> done = upload->Finish();
  ASSERT_TRUE(done.ok()) << done.status();

  const v1::Module& module = done->module();
  EXPECT_FALSE(done->already_present());
  EXPECT_EQ(module.digest(), ModuleDigest(bytes));
  EXPECT_EQ(module.size_bytes(), bytes.size());
  EXPECT_EQ(module.name(), "app.wasm");
  EXPECT_EQ(module.labels().at("team"), "cfd");
  EXPECT_EQ(FromProto(module.uploaded()), clock_.Now());
  EXPECT_THAT(module.mpi_imports(), ElementsAre("MPI_Init", "MPI_Finalize"));
  EXPECT_EQ(store_->GetModule(module.digest())->ToString(), bytes);
  EXPECT_EQ(store_->GetCode(module.digest(), "fake-engine")->ToString(),
            "code:" + bytes);

  absl::StatusOr<v1::Module> got = head_.modules->Get(module.digest());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->SerializeAsString(), module.SerializeAsString());
}

TEST_F(ModuleHandlerTest, MalformedUploadIsRefusedWithTheValidatorsMessage) {
  std::unique_ptr<ModuleHandler::Upload> upload = head_.modules->StartUpload();
  ASSERT_TRUE(upload->Add(Header()).ok());
  ASSERT_TRUE(upload->Add(Chunk("#!/bin/sh\necho not wasm\n")).ok());
  absl::StatusOr<v1::UploadModuleResponse> done = upload->Finish();
  EXPECT_EQ(done.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(done.status().message(),
              HasSubstr("invalid module: expected magic"));
  ExpectStoreEmpty();
}

TEST_F(ModuleHandlerTest, DisconnectMidUploadStoresNothing) {
  std::string bytes = TinyModule({"MPI_Init"});
  {
    std::unique_ptr<ModuleHandler::Upload> upload =
        head_.modules->StartUpload();
    ASSERT_TRUE(upload->Add(Header(bytes.size())).ok());
    ASSERT_TRUE(upload->Add(Chunk(bytes.substr(0, 12))).ok());
    // The client goes away: the adaptor drops the upload without Finish.
  }
  ExpectStoreEmpty();
  EXPECT_EQ(head_.compiler.compiles(), 0);
}

TEST_F(ModuleHandlerTest, TruncatedUploadIsRefusedBySizeCheck) {
  std::string bytes = TinyModule({"MPI_Init"});
  std::unique_ptr<ModuleHandler::Upload> upload = head_.modules->StartUpload();
  ASSERT_TRUE(upload->Add(Header(bytes.size())).ok());
  ASSERT_TRUE(upload->Add(Chunk(bytes.substr(0, 12))).ok());
  absl::StatusOr<v1::UploadModuleResponse> done = upload->Finish();
  EXPECT_EQ(done.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(done.status().message(), HasSubstr("header announced"));
  ExpectStoreEmpty();
}

TEST_F(ModuleHandlerTest, BadStreamsAreRefused) {
  std::string bytes = TinyModule({});
  {  // Header after bytes.
    auto upload = head_.modules->StartUpload();
    ASSERT_TRUE(upload->Add(Chunk(bytes)).ok());
    EXPECT_EQ(upload->Add(Header()).code(), absl::StatusCode::kInvalidArgument);
  }
  {  // No bytes at all.
    auto upload = head_.modules->StartUpload();
    ASSERT_TRUE(upload->Add(Header()).ok());
    EXPECT_THAT(upload->Finish().status().message(), HasSubstr("empty upload"));
  }
  {  // Bytes that do not hash to the expected digest.
    auto upload = head_.modules->StartUpload();
    ASSERT_TRUE(upload->Add(Header(0, "sha256:" + std::string(64, '0'))).ok());
    ASSERT_TRUE(upload->Add(Chunk(bytes)).ok());
    EXPECT_THAT(upload->Finish().status().message(),
                HasSubstr("not the expected sha256:000"));
  }
  {  // More than the header announced.
    auto upload = head_.modules->StartUpload();
    ASSERT_TRUE(upload->Add(Header(4)).ok());
    EXPECT_EQ(upload->Add(Chunk(bytes)).code(),
              absl::StatusCode::kInvalidArgument);
  }
  {  // Over the head's limit (1 MiB in the fixture), announced or not.
    auto upload = head_.modules->StartUpload();
    EXPECT_EQ(upload->Add(Header(2 << 20)).code(),
              absl::StatusCode::kResourceExhausted);
    auto unannounced = head_.modules->StartUpload();
    EXPECT_EQ(unannounced->Add(Chunk(std::string(2 << 20, 'x'))).code(),
              absl::StatusCode::kResourceExhausted);
  }
  ExpectStoreEmpty();
}

TEST_F(ModuleHandlerTest, SecondUploadIsAlreadyPresentAndNotCompiledAgain) {
  std::string bytes = TinyModule({"MPI_Send"});
  std::string digest = head_.Upload(bytes, "first");
  auto upload = head_.modules->StartUpload();
  ASSERT_TRUE(upload->Add(Header()).ok());
  ASSERT_TRUE(upload->Add(Chunk(bytes)).ok());
  absl::StatusOr<v1::UploadModuleResponse> again = upload->Finish();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_present());
  EXPECT_EQ(again->module().name(), "first");  // The first record stays.
  EXPECT_EQ(head_.compiler.compiles(), 1);
}

TEST_F(ModuleHandlerTest, ListPagesInDigestOrder) {
  std::vector<std::string> digests;
  for (const char* name : {"MPI_Send", "MPI_Recv", "MPI_Barrier"}) {
    digests.push_back(head_.Upload(TinyModule({name})));
  }
  std::sort(digests.begin(), digests.end());
  v1::ListModulesRequest request;
  request.set_page_size(2);
  absl::StatusOr<v1::ListModulesResponse> page = head_.modules->List(request);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->modules_size(), 2);
  EXPECT_EQ(page->modules(0).digest(), digests[0]);
  EXPECT_EQ(page->next_page_token(), digests[1]);
  request.set_page_token(page->next_page_token());
  page = head_.modules->List(request);
  ASSERT_EQ(page->modules_size(), 1);
  EXPECT_EQ(page->modules(0).digest(), digests[2]);
  EXPECT_EQ(page->next_page_token(), "");
}

TEST_F(ModuleHandlerTest, DeleteRemovesBytesCodeAndRecord) {
  std::string digest = head_.Upload(TinyModule({"MPI_Init"}));
  ASSERT_TRUE(head_.modules->Delete(digest).ok());
  EXPECT_EQ(head_.modules->Get(digest).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(store_->GetCode(digest, "fake-engine").ok());
  ExpectStoreEmpty();
  EXPECT_EQ(head_.modules->Delete(digest).code(), absl::StatusCode::kNotFound);
}

// A module that no pool could run is refused at upload, naming every MPI
// function wasmhpc lacks at once (issue 18), and nothing is stored.
TEST_F(ModuleHandlerTest, ModuleImportingUnprovidedMpiFunctionsIsRefused) {
  std::string bytes =
      TinyModule({"MPI_Init", "MPI_Comm_spawn", "MPI_Frobnicate",
                  "MPI_Comm_spawn", "MPI_Comm_get_parent"});
  std::unique_ptr<ModuleHandler::Upload> upload = head_.modules->StartUpload();
  ASSERT_TRUE(upload->Add(Header()).ok());
  ASSERT_TRUE(upload->Add(Chunk(bytes)).ok());
  absl::Status refused = upload->Finish().status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(),
              HasSubstr("the module imports MPI functions wasmhpc does not "
                        "provide yet: MPI_Comm_spawn, MPI_Frobnicate, "
                        "MPI_Comm_get_parent ("));
  ExpectStoreEmpty();
}

TEST_F(ModuleHandlerTest, MalformedDigestIsInvalidArgument) {
  EXPECT_EQ(head_.modules->Get("sha256:xyz").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(head_.modules->Delete("md5:00").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ModuleHandlerTest, ModuleWithoutRecordIsDescribedFromItsBytes) {
  // A head that died between storing the bytes and the record.
  std::string bytes = TinyModule({"MPI_Barrier"});
  std::string digest = ModuleDigest(bytes);
  ASSERT_TRUE(store_->PutModule(digest, bytes).ok());
  absl::StatusOr<v1::Module> module = head_.modules->Get(digest);
  ASSERT_TRUE(module.ok());
  EXPECT_EQ(module->size_bytes(), bytes.size());
  EXPECT_THAT(module->mpi_imports(), ElementsAre("MPI_Barrier"));
}

// Regression (issue 15): `?name=%FF` was stored and broke every gRPC
// listing of modules, across restarts.
TEST_F(ModuleHandlerTest, NamesAndLabelsMustBeListableText) {
  for (auto bad : std::vector<std::pair<std::string, std::string>>{
           {"\xff", ""},
           {"a\nb", ""},
           {std::string(300, 'n'), ""},
           {"ok", "\xfe"}}) {
    v1::UploadModuleRequest header = Header();
    header.mutable_header()->set_name(bad.first);
    if (!bad.second.empty()) {
      (*header.mutable_header()->mutable_labels())["k"] = bad.second;
    }
    auto upload = head_.modules->StartUpload();
    EXPECT_EQ(upload->Add(header).code(), absl::StatusCode::kInvalidArgument)
        << bad.first;
  }
  ExpectStoreEmpty();
}

// Regression (issue 15): UploadCode replaced any module's stored code, with
// any token; crafted bytes became native code on every pool host.
TEST_F(ModuleHandlerTest, PoolCodeMustBeSignedBoundedAndNeverReplacesCode) {
  std::string a = head_.Upload(TinyModule({"MPI_Init"}), "a.wasm");
  std::string b = head_.Upload(TinyModule({"MPI_Finalize"}), "b.wasm");
  PoolHandler& pools = *head_.pools;
  const std::string engine = "other-engine";
  std::string code = "code of b";
  // Unsigned, or signed with another key, or for another module: refused.
  CodeKey other = CodeKey::FromBytes(std::string(32, 'x'));
  EXPECT_EQ(pools.PutCode(a, engine, code, "").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(pools.PutCode(a, engine, code, other.Sign(a, engine, code)).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(pools.PutCode(a, engine, code, head_.code_key.Sign(b, engine, code))
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(store_->GetCode(a, engine).ok());
  // Too large for the module's size.
  uint64_t limit = *pools.CodeLimit(a);
  std::string huge(limit + 1, 'j');
  EXPECT_EQ(pools.PutCode(a, engine, huge, head_.code_key.Sign(a, engine, huge))
                .code(),
            absl::StatusCode::kResourceExhausted);
  // Signed: stored once, then never replaced.
  ASSERT_TRUE(
      pools.PutCode(a, engine, code, head_.code_key.Sign(a, engine, code))
          .ok());
  std::string poison = "poison";
  EXPECT_EQ(
      pools.PutCode(a, engine, poison, head_.code_key.Sign(a, engine, poison))
          .code(),
      absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetCode(a, engine)->ToString(), code);
  // The head compiled code at upload: that is never replaced either.
  std::string mine = store_->GetCode(a, "fake-engine")->ToString();
  EXPECT_EQ(pools
                .PutCode(a, "fake-engine", poison,
                         head_.code_key.Sign(a, "fake-engine", poison))
                .code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetCode(a, "fake-engine")->ToString(), mine);
  // What pools fetch carries a signature over exactly that code.
  absl::StatusOr<FetchedModule> fetched = pools.FetchModule(a, "fake-engine");
  ASSERT_TRUE(fetched.ok() && fetched->code);
  EXPECT_TRUE(head_.code_key.Verify(a, "fake-engine", fetched->code->view(),
                                    fetched->code_signature));
}

// Modules belong to their first uploader: it (or an admin) may delete
// them, and each user's stored modules are bounded (issue 15).
TEST_F(ModuleHandlerTest, ModulesHaveOwnersAndAQuota) {
  TestHead limited(store_.get(), &clock_, {}, 1000, /*max_modules=*/2);
  const Caller alice{"alice", RoleBits("user")}, bob{"bob", RoleBits("user")};
  const Caller admin{"ops", RoleBits("admin")};
  std::string first = limited.Upload(TinyModule({"MPI_Init"}), "a", alice);
  EXPECT_EQ(limited.modules->Get(first)->owner(), "alice");
  limited.Upload(TinyModule({"MPI_Finalize"}), "b", alice);
  auto third = limited.modules->StartUpload(alice);
  ASSERT_TRUE(third->Add(Header()).ok());
  ASSERT_TRUE(third->Add(Chunk(TinyModule({"MPI_Barrier"}))).ok());
  absl::Status refused = third->Finish().status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(), HasSubstr("--max-modules-per-user"));
  // A module already stored costs nothing; others and admins are not
  // counted against alice.
  EXPECT_FALSE(limited.Upload(TinyModule({"MPI_Init"}), "a", alice).empty());
  EXPECT_FALSE(limited.Upload(TinyModule({"MPI_Barrier"}), "c", bob).empty());
  EXPECT_EQ(limited.modules->Delete(first, bob).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(limited.modules->Delete(first, alice).ok());
  EXPECT_FALSE(limited.Upload(TinyModule({"MPI_Send"}), "d", alice).empty());
  EXPECT_FALSE(limited.Upload(TinyModule({"MPI_Recv"}), "e", admin).empty());
}

}  // namespace
}  // namespace wasmhpc::server
