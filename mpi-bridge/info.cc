// Info objects: MPI_Info_* and MPI_Abi_get_info. See info.h.
#include "mpi-bridge/info.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "mpi-bridge/guest_data.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;
using Entries = std::vector<std::pair<std::string, std::string>>;

const char* ThreadLevelName(int32_t level) {
  switch (level) {
    case abi::kThreadSingle:
      return "MPI_THREAD_SINGLE";
    case abi::kThreadFunneled:
      return "MPI_THREAD_FUNNELED";
    case abi::kThreadSerialized:
      return "MPI_THREAD_SERIALIZED";
    default:
      return "MPI_THREAD_MULTIPLE";
  }
}

// Every (key, value) of a host info, in the host's order.
Entries ReadHostInfo(MpiTransport& mpi, MPI_Info host) {
  Entries out;
  int n = 0;
  if (mpi.Info_get_nkeys(host, &n) != MPI_SUCCESS) return out;
  for (int i = 0; i < n; ++i) {
    char key[MPI_MAX_INFO_KEY + 1] = {};
    int len = 0, flag = 0;
    if (mpi.Info_get_nthkey(host, i, key) != MPI_SUCCESS ||
        mpi.Info_get_valuelen(host, key, &len, &flag) != MPI_SUCCESS || !flag) {
      continue;
    }
    std::string value(len + 1, '\0');
    if (mpi.Info_get(host, key, len, value.data(), &flag) != MPI_SUCCESS) {
      continue;
    }
    value.resize(len);
    out.emplace_back(key, std::move(value));
  }
  return out;
}

// MPI_INFO_ENV: the host's, with the guest's thread level.
InfoEntry EnvInfo(Call& c) {
  InfoEntry env{.entries = ReadHostInfo(c.mpi(), MPI_INFO_ENV),
                .host = MPI_INFO_ENV,
                .read_only = true};
  for (auto& [key, value] : env.entries) {
    if (key == "thread_level")
      value = ThreadLevelName(c.bridge().thread_level());
  }
  return env;
}

Entries::iterator FindKey(Entries& entries, const std::string& key) {
  return std::find_if(entries.begin(), entries.end(),
                      [&](const auto& kv) { return kv.first == key; });
}

// Reads a key argument: 1..255 characters.
std::optional<std::string> ReadKey(Call& c, Ptr p) {
  std::optional<std::string> key =
      ReadCString(c, p, abi::kMaxInfoKey - 1, "key");
  if (key && (key->empty() || key->size() > abi::kMaxInfoKey - 1)) {
    c.Fail(abi::kErrInfoKey,
           absl::StrFormat("info key of %d characters (1 to %d allowed)",
                           key->size(), abi::kMaxInfoKey - 1));
    return std::nullopt;
  }
  return key;
}

bool HostCanHold(const std::string& key, const std::string& value) {
  return key.size() < MPI_MAX_INFO_KEY && value.size() < MPI_MAX_INFO_VAL;
}

// Updates the host copy after `key` was set or deleted in `e`.
void SyncHost(MpiTransport& mpi, InfoEntry& e, const std::string& key) {
  if (e.host == MPI_INFO_NULL || key.size() >= MPI_MAX_INFO_KEY) return;
  auto it = FindKey(e.entries, key);
  if (it != e.entries.end() && HostCanHold(key, it->second)) {
    mpi.Info_set(e.host, key.c_str(), it->second.c_str());
    return;
  }
  int len = 0, flag = 0;
  mpi.Info_get_valuelen(e.host, key.c_str(), &len, &flag);
  if (flag) mpi.Info_delete(e.host, key.c_str());
}

int32_t InsertInfo(Call& c, InfoEntry entry, Ptr out) {
  entry.read_only = false;
  if (c.mpi().Info_create(&entry.host) != MPI_SUCCESS) {
    entry.host = MPI_INFO_NULL;
  }
  for (const auto& [key, value] : entry.entries) {
    if (entry.host != MPI_INFO_NULL && HostCanHold(key, value)) {
      c.mpi().Info_set(entry.host, key.c_str(), value.c_str());
    }
  }
  Handle* slot = c.Ref<Handle>(out, "info");
  if (!slot) return c.error();
  std::optional<Handle> h = c.bridge().infos().Insert(entry);
  if (!h) {
    if (entry.host != MPI_INFO_NULL) c.mpi().Info_free(&entry.host);
    return c.Fail(abi::kErrNoMem, "too many info objects");
  }
  *slot = *h;
  return abi::kSuccess;
}

int32_t InfoCreate(Call& c, Ptr info) { return InsertInfo(c, {}, info); }

int32_t InfoDup(Call& c, Handle info, Ptr newinfo) {
  InfoEntry* e = FindInfo(c, info);
  return e ? InsertInfo(c, {.entries = e->entries}, newinfo) : c.error();
}

int32_t InfoFree(Call& c, Ptr info) {
  Handle* slot = c.Ref<Handle>(info, "info");
  if (!slot || !FindInfo(c, *slot)) return c.error();
  if (*slot < abi::kPredefinedLimit) {
    return c.Fail(abi::kErrInfo,
                  absl::StrFormat("cannot free predefined info 0x%x", *slot));
  }
  InfoEntry* e = c.bridge().infos().Find(*slot);
  if (e->host != MPI_INFO_NULL) c.mpi().Info_free(&e->host);
  c.bridge().infos().Erase(*slot);
  *slot = abi::kInfoNull;
  return abi::kSuccess;
}

int32_t InfoSet(Call& c, Handle info, Ptr key_ptr, Ptr value_ptr) {
  InfoEntry* e = FindInfo(c, info);
  std::optional<std::string> key = e ? ReadKey(c, key_ptr) : std::nullopt;
  std::optional<std::string> value =
      key ? ReadCString(c, value_ptr, abi::kMaxInfoVal - 1, "value")
          : std::nullopt;
  if (!value) return c.error();
  if (value->empty() || value->size() > abi::kMaxInfoVal - 1) {
    return c.Fail(abi::kErrInfoValue,
                  absl::StrFormat("info value of %d characters (1 to %d "
                                  "allowed)",
                                  value->size(), abi::kMaxInfoVal - 1));
  }
  if (e->read_only) return c.Fail(abi::kErrInfo, "MPI_INFO_ENV is read-only");
  auto it = FindKey(e->entries, *key);
  if (it != e->entries.end()) {
    it->second = std::move(*value);
  } else {
    e->entries.emplace_back(*key, std::move(*value));
  }
  SyncHost(c.mpi(), *e, *key);
  return abi::kSuccess;
}

int32_t InfoDelete(Call& c, Handle info, Ptr key_ptr) {
  InfoEntry* e = FindInfo(c, info);
  std::optional<std::string> key = e ? ReadKey(c, key_ptr) : std::nullopt;
  if (!key) return c.error();
  if (e->read_only) return c.Fail(abi::kErrInfo, "MPI_INFO_ENV is read-only");
  auto it = FindKey(e->entries, *key);
  if (it == e->entries.end()) {
    return c.Fail(abi::kErrInfoNokey,
                  absl::StrFormat("no info key \"%s\"", *key));
  }
  e->entries.erase(it);
  SyncHost(c.mpi(), *e, *key);
  return abi::kSuccess;
}

// MPI_Info_get: up to valuelen characters and a NUL into value.
int32_t InfoGet(Call& c, Handle info, Ptr key_ptr, int32_t valuelen, Ptr value,
                Ptr flag) {
  InfoEntry* e = FindInfo(c, info);
  std::optional<std::string> key = e ? ReadKey(c, key_ptr) : std::nullopt;
  if (!key || !c.Count(valuelen, "valuelen")) return c.error();
  auto it = FindKey(e->entries, *key);
  bool found = it != e->entries.end();
  if (found) {
    if (int32_t rc =
            WriteCString(c, value, valuelen + 1, it->second, 0, "value")) {
      return rc;
    }
  }
  return c.Write<int32_t>(flag, found, "flag") ? abi::kSuccess : c.error();
}

int32_t InfoGetValuelen(Call& c, Handle info, Ptr key_ptr, Ptr valuelen,
                        Ptr flag) {
  InfoEntry* e = FindInfo(c, info);
  std::optional<std::string> key = e ? ReadKey(c, key_ptr) : std::nullopt;
  if (!key) return c.error();
  auto it = FindKey(e->entries, *key);
  bool found = it != e->entries.end();
  if (found && !c.Write<int32_t>(valuelen, it->second.size(), "valuelen")) {
    return c.error();
  }
  return c.Write<int32_t>(flag, found, "flag") ? abi::kSuccess : c.error();
}

int32_t InfoGetNkeys(Call& c, Handle info, Ptr nkeys) {
  InfoEntry* e = FindInfo(c, info);
  return e && c.Write<int32_t>(nkeys, e->entries.size(), "nkeys")
             ? abi::kSuccess
             : c.error();
}

int32_t InfoGetNthkey(Call& c, Handle info, int32_t n, Ptr key) {
  InfoEntry* e = FindInfo(c, info);
  if (!e) return c.error();
  if (n < 0 || static_cast<size_t>(n) >= e->entries.size()) {
    return c.Fail(abi::kErrArg,
                  absl::StrFormat("key index %d out of range [0, %d)", n,
                                  e->entries.size()));
  }
  return WriteCString(c, key, abi::kMaxInfoKey, e->entries[n].first, 0, "key");
}

// MPI_Abi_get_info: the guest ABI's integer sizes (wasm32).
int32_t AbiGetInfo(Call& c, Ptr info) {
  InfoEntry abi_info{.entries = {{"mpi_aint_size", "4"},
                                 {"mpi_count_size", "8"},
                                 {"mpi_offset_size", "8"}}};
  return InsertInfo(c, std::move(abi_info), info);
}

}  // namespace

InfoEntry* FindInfo(Call& c, Handle h) {
  HandleTable<InfoEntry>& infos = c.bridge().infos();
  if (h == abi::kInfoEnv && !infos.Find(h)) infos.Define(h, EnvInfo(c));
  if (InfoEntry* e = infos.Find(h)) return e;
  std::optional<Kind> kind = KindOfHandle(h);
  c.Fail(abi::kErrInfo,
         kind && *kind != Kind::kInfo
             ? absl::StrFormat("invalid info 0x%x (it is a %s handle)", h,
                               KindName(*kind))
             : absl::StrFormat("invalid info 0x%x (null, freed or never "
                               "created)",
                               h));
  return nullptr;
}

int32_t InsertInfoFromHost(Call& c, MPI_Info host, Ptr out) {
  return InsertInfo(c, {.entries = ReadHostInfo(c.mpi(), host)}, out);
}

bool HostInfoOf(Call& c, Handle h, MPI_Info* out) {
  if (h == abi::kInfoNull) {
    *out = MPI_INFO_NULL;
    return true;
  }
  InfoEntry* e = FindInfo(c, h);
  if (e) *out = e->host;
  return e != nullptr;
}

void AddInfo(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Info_create", InfoCreate, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Info_dup", InfoDup, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Info_free", InfoFree, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Info_set", InfoSet, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Info_delete", InfoDelete, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Info_get", InfoGet, When::kAnyTime));
  out.push_back(
      Bind(b, "MPI_Info_get_valuelen", InfoGetValuelen, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Info_get_nkeys", InfoGetNkeys, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Info_get_nthkey", InfoGetNthkey, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Abi_get_info", AbiGetInfo, When::kAnyTime));
}

}  // namespace wasmhpc::mpi
