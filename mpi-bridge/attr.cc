// Attribute caching. See attr.h.
#include "mpi-bridge/attr.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_format.h"
#include "mpi-bridge/guest_data.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;
using engine::ValType;

constexpr ValType kI32 = ValType::kI32;
const engine::FuncType kCopyType{{kI32, kI32, kI32, kI32, kI32, kI32}, {kI32}};
const engine::FuncType kDeleteType{{kI32, kI32, kI32, kI32}, {kI32}};
constexpr uint32_t kNullFn = 0, kDupFn = 1;

// A live keyval of `kind`, else nullptr and MPI_ERR_KEYVAL.
KeyvalEntry* FindKeyval(Call& c, Kind kind, int32_t keyval) {
  KeyvalEntry* key = c.bridge().keyvals().Find(keyval);
  if (key && !key->freed && key->object_kind == kind) return key;
  c.Fail(abi::kErrKeyval,
         absl::StrFormat("invalid %s keyval %d", KindName(kind), keyval));
  return nullptr;
}

std::vector<Attribute>::iterator FindAttribute(std::vector<Attribute>& list,
                                               int32_t keyval) {
  return std::find_if(list.begin(), list.end(),
                      [&](const Attribute& a) { return a.keyval == keyval; });
}

// A guest callback that could not run or trapped: a trap stays a trap.
int32_t CallbackFailed(Call& c, const char* what, uint32_t fn,
                       const absl::Status& s) {
  std::string message = absl::StrFormat("%s callback at table index %d: %s",
                                        what, fn, s.message());
  if (absl::IsAborted(s)) return c.Trap(std::move(message));
  return c.Fail(absl::IsInvalidArgument(s) ? abi::kErrArg : abi::kErrNoMem,
                std::move(message));
}

int32_t CallbackResult(Call& c, const char* what, uint32_t fn, uint64_t rc) {
  int32_t code = static_cast<int32_t>(rc);
  if (code == abi::kSuccess) return code;
  return c.Fail(code, absl::StrFormat("%s callback at table index %d "
                                      "returned %d",
                                      what, fn, code));
}

// Runs the delete callback of keyval `k` on `value`.
int32_t RunDelete(Call& c, Handle object, int32_t keyval, const KeyvalEntry& k,
                  Ptr value) {
  if (k.delete_fn == kNullFn || k.delete_fn == kDupFn) return abi::kSuccess;
  absl::StatusOr<uint64_t> rc = c.host().CallIndirect(
      k.delete_fn, kDeleteType,
      {object, static_cast<uint32_t>(keyval), value, k.extra_state});
  if (!rc.ok()) return CallbackFailed(c, "delete", k.delete_fn, rc.status());
  return CallbackResult(c, "delete", k.delete_fn, *rc);
}

// Runs the copy callback of keyval `k` on `value`, with value_out and flag
// at guest address `scratch`; sets *keep and *copy.
int32_t RunCopy(Call& c, Handle from, int32_t keyval, const KeyvalEntry& k,
                Ptr value, Ptr scratch, bool* keep, Ptr* copy) {
  if (k.copy_fn == kDupFn) {
    *keep = true;
    *copy = value;
    return abi::kSuccess;
  }
  uint32_t* out = c.Ref<uint32_t>(scratch, "copy callback output", 2);
  if (!out) return c.error();
  out[0] = out[1] = 0;
  absl::StatusOr<uint64_t> rc =
      c.host().CallIndirect(k.copy_fn, kCopyType,
                            {from, static_cast<uint32_t>(keyval), k.extra_state,
                             value, scratch, scratch + 4});
  if (!rc.ok()) return CallbackFailed(c, "copy", k.copy_fn, rc.status());
  if (int32_t err = CallbackResult(c, "copy", k.copy_fn, *rc)) return err;
  out = c.Ref<uint32_t>(scratch, "copy callback output", 2);
  if (!out) return c.error();
  *copy = out[0];
  *keep = out[1] != 0;
  return abi::kSuccess;
}

// Guest memory for copy callbacks' outputs, from the first user callback.
int32_t CopyScratch(Call& c, Ptr* scratch) {
  if (*scratch != 0) return abi::kSuccess;
  absl::StatusOr<Ptr> p = GuestMalloc(c.host(), 8);
  if (!p.ok()) return CallbackFailed(c, "copy", 0, p.status());
  *scratch = *p;
  return abi::kSuccess;
}

// ---- Communicators ----

bool IsPredefinedCommKey(int32_t keyval) {
  return keyval >= abi::kTagUb && keyval <= abi::kLastusedcode;
}

AttributeList CommAttributes(Bridge& b, Handle comm) {
  return [&b, comm]() -> std::vector<Attribute>* {
    CommEntry* cm = b.comms().Find(comm);
    return cm ? &cm->attributes : nullptr;
  };
}

// The host's value of a predefined key, in guest terms.
std::optional<int32_t> PredefinedValue(Call& c, int32_t keyval) {
  if (keyval == abi::kLastusedcode) {
    return c.bridge().user_errors().last_code();
  }
  const std::pair<int32_t, int> keys[] = {
      {abi::kTagUb, MPI_TAG_UB},
      {abi::kIo, MPI_IO},
      {abi::kHost, MPI_HOST},
      {abi::kWtimeIsGlobal, MPI_WTIME_IS_GLOBAL},
      {abi::kUniverseSize, MPI_UNIVERSE_SIZE},
      {abi::kAppnum, MPI_APPNUM}};
  for (auto [guest, host] : keys) {
    if (guest != keyval) continue;
    int* value = nullptr;
    int flag = 0;
    c.mpi().Comm_get_attr(c.bridge().options().world, host, &value, &flag);
    if (!flag || value == nullptr) return std::nullopt;
    bool is_rank = keyval == abi::kIo || keyval == abi::kHost;
    return is_rank ? GuestRank(*value) : *value;
  }
  return std::nullopt;
}

// The guest int that MPI_Comm_get_attr points to for `keyval`; 0 when the
// module has no malloc to give the bridge memory with.
int32_t PredefinedSlot(Call& c, int32_t keyval, Ptr* slot) {
  Ptr& base = c.bridge().keyvals().predefined_values;
  if (base == 0) {
    constexpr uint32_t kSlots = abi::kLastusedcode - abi::kTagUb + 1;
    absl::StatusOr<Ptr> p = GuestMalloc(c.host(), 4 * kSlots);
    if (absl::IsNotFound(p.status())) return abi::kSuccess;
    if (!p.ok()) return CallbackFailed(c, "malloc", 0, p.status());
    base = *p;
  }
  *slot = base + 4 * (keyval - abi::kTagUb);
  return abi::kSuccess;
}

int32_t GetPredefined(Call& c, Handle comm, int32_t keyval, Ptr value_out,
                      Ptr flag) {
  CommEntry* cm = c.bridge().comms().Find(comm);
  bool cached = comm == abi::kCommWorld || cm->predefined_attributes;
  std::optional<int32_t> value =
      cached ? PredefinedValue(c, keyval) : std::nullopt;
  Ptr slot = 0;
  if (value) {
    if (int32_t rc = PredefinedSlot(c, keyval, &slot)) return rc;
  }
  if (slot != 0 && (!c.Write<int32_t>(slot, *value, "attribute value") ||
                    !c.Write<Ptr>(value_out, slot, "attribute_val"))) {
    return c.error();
  }
  return c.Write<int32_t>(flag, slot != 0, "flag") ? abi::kSuccess : c.error();
}

int32_t ReadOnly(Call& c, int32_t keyval) {
  return c.Fail(
      abi::kErrKeyval,
      absl::StrFormat("predefined attribute key %d is read-only", keyval));
}

int32_t CommSetAttr(Call& c, Handle comm, int32_t keyval, Ptr value) {
  if (!c.Comm(comm)) return c.error();
  if (IsPredefinedCommKey(keyval)) return ReadOnly(c, keyval);
  return SetAttribute(c, Kind::kComm, comm, CommAttributes(c.bridge(), comm),
                      keyval, value);
}

int32_t CommGetAttr(Call& c, Handle comm, int32_t keyval, Ptr value, Ptr flag) {
  if (!c.Comm(comm)) return c.error();
  if (IsPredefinedCommKey(keyval)) {
    return GetPredefined(c, comm, keyval, value, flag);
  }
  return GetAttribute(c, Kind::kComm, CommAttributes(c.bridge(), comm), keyval,
                      value, flag);
}

int32_t CommDeleteAttr(Call& c, Handle comm, int32_t keyval) {
  if (!c.Comm(comm)) return c.error();
  if (IsPredefinedCommKey(keyval)) return ReadOnly(c, keyval);
  return DeleteAttribute(c, Kind::kComm, comm, CommAttributes(c.bridge(), comm),
                         keyval);
}

int32_t CommCreateKeyval(Call& c, uint32_t copy_fn, uint32_t delete_fn,
                         Ptr keyval, Ptr extra_state) {
  return CreateKeyval(c, Kind::kComm, copy_fn, delete_fn, keyval, extra_state);
}

int32_t CommFreeKeyval(Call& c, Ptr keyval) {
  return FreeKeyval(c, Kind::kComm, keyval);
}

}  // namespace

int32_t SetAttribute(Call& c, Kind kind, Handle object,
                     const AttributeList& attrs, int32_t keyval, Ptr value) {
  KeyvalEntry* k = FindKeyval(c, kind, keyval);
  if (!k) return c.error();
  KeyvalEntry key = *k;
  std::vector<Attribute>* list = attrs();
  auto it = FindAttribute(*list, keyval);
  if (it != list->end()) {
    // As if MPI_X_delete_attr ran first: the old value's delete callback.
    if (int32_t rc = RunDelete(c, object, keyval, key, it->value)) return rc;
    list = attrs();
    if (!list) return c.Fail(abi::kErrArg, "the object was freed meanwhile");
    it = FindAttribute(*list, keyval);
    if (it != list->end()) {
      it->value = value;
      return abi::kSuccess;
    }
  }
  list->push_back({.keyval = keyval, .value = value});
  c.bridge().keyvals().Hold(keyval);
  return abi::kSuccess;
}

int32_t GetAttribute(Call& c, Kind kind, const AttributeList& attrs,
                     int32_t keyval, Ptr value_out, Ptr flag) {
  if (!FindKeyval(c, kind, keyval)) return c.error();
  std::vector<Attribute>* list = attrs();
  auto it = FindAttribute(*list, keyval);
  bool found = it != list->end();
  if (found && !c.Write<Ptr>(value_out, it->value, "attribute_val")) {
    return c.error();
  }
  return c.Write<int32_t>(flag, found, "flag") ? abi::kSuccess : c.error();
}

int32_t DeleteAttribute(Call& c, Kind kind, Handle object,
                        const AttributeList& attrs, int32_t keyval) {
  KeyvalEntry* k = FindKeyval(c, kind, keyval);
  if (!k) return c.error();
  KeyvalEntry key = *k;
  std::vector<Attribute>* list = attrs();
  auto it = FindAttribute(*list, keyval);
  if (it == list->end()) {
    return c.Fail(abi::kErrKeyval,
                  absl::StrFormat("no attribute for keyval %d", keyval));
  }
  if (int32_t rc = RunDelete(c, object, keyval, key, it->value)) return rc;
  if ((list = attrs()) != nullptr &&
      (it = FindAttribute(*list, keyval)) != list->end()) {
    list->erase(it);
    c.bridge().keyvals().Release(keyval);
  }
  return abi::kSuccess;
}

int32_t CopyAttributes(Call& c, Kind, Handle from,
                       const AttributeList& from_attrs,
                       const AttributeList& to_attrs) {
  const std::vector<Attribute> source = *from_attrs();
  Ptr scratch = 0;
  int32_t rc = abi::kSuccess;
  for (const Attribute& a : source) {
    const KeyvalEntry* k = c.bridge().keyvals().Find(a.keyval);
    if (!k || k->copy_fn == kNullFn) continue;
    const KeyvalEntry key = *k;
    bool keep = false;
    Ptr copy = 0;
    if (key.copy_fn != kDupFn && (rc = CopyScratch(c, &scratch)) != 0) break;
    rc = RunCopy(c, from, a.keyval, key, a.value, scratch, &keep, &copy);
    if (rc != abi::kSuccess) break;
    std::vector<Attribute>* to = to_attrs();
    if (!keep || !to) continue;
    to->push_back({.keyval = a.keyval, .value = copy});
    c.bridge().keyvals().Hold(a.keyval);
  }
  if (scratch != 0 && !c.trapped()) {
    GuestFree(c.host(), scratch).IgnoreError();
  }
  return rc;
}

int32_t DeleteAllAttributes(Call& c, Kind, Handle object,
                            const AttributeList& attrs) {
  for (std::vector<Attribute>* list = attrs(); list && !list->empty();
       list = attrs()) {
    const Attribute last = list->back();
    if (const KeyvalEntry* k = c.bridge().keyvals().Find(last.keyval)) {
      const KeyvalEntry key = *k;
      if (int32_t rc = RunDelete(c, object, last.keyval, key, last.value)) {
        return rc;
      }
    }
    if ((list = attrs()) == nullptr) break;
    auto it = FindAttribute(*list, last.keyval);
    if (it != list->end()) {
      list->erase(it);
      c.bridge().keyvals().Release(last.keyval);
    }
  }
  return abi::kSuccess;
}

int32_t CreateKeyval(Call& c, Kind kind, uint32_t copy_fn, uint32_t delete_fn,
                     Ptr keyval_out, Ptr extra_state) {
  int32_t* out = c.Ref<int32_t>(keyval_out, "keyval");
  if (!out) return c.error();
  *out = c.bridge().keyvals().Create({.object_kind = kind,
                                      .copy_fn = copy_fn,
                                      .delete_fn = delete_fn,
                                      .extra_state = extra_state});
  return abi::kSuccess;
}

int32_t FreeKeyval(Call& c, Kind kind, Ptr keyval) {
  int32_t* slot = c.Ref<int32_t>(keyval, "keyval");
  KeyvalEntry* k = slot ? FindKeyval(c, kind, *slot) : nullptr;
  if (!k) return c.error();
  c.bridge().keyvals().Free(*slot);
  *slot = abi::kKeyvalInvalid;
  return abi::kSuccess;
}

int32_t AttributeKeys::Create(KeyvalEntry key) {
  int32_t keyval = next_++;
  keys_[keyval] = key;
  return keyval;
}

KeyvalEntry* AttributeKeys::Find(int32_t keyval) {
  auto it = keys_.find(keyval);
  return it == keys_.end() ? nullptr : &it->second;
}

void AttributeKeys::Hold(int32_t keyval) { ++keys_[keyval].uses; }

void AttributeKeys::Release(int32_t keyval) {
  auto it = keys_.find(keyval);
  if (it != keys_.end() && --it->second.uses <= 0 && it->second.freed) {
    keys_.erase(it);
  }
}

void AttributeKeys::Free(int32_t keyval) {
  auto it = keys_.find(keyval);
  if (it == keys_.end()) return;
  it->second.freed = true;
  if (it->second.uses <= 0) keys_.erase(it);
}

int32_t CopyCommAttributes(Call& c, Handle from, Handle to) {
  return CopyAttributes(c, Kind::kComm, from, CommAttributes(c.bridge(), from),
                        CommAttributes(c.bridge(), to));
}

int32_t DeleteCommAttributes(Call& c, Handle comm) {
  return DeleteAllAttributes(c, Kind::kComm, comm,
                             CommAttributes(c.bridge(), comm));
}

void AddCommAttributes(Bridge& b, std::vector<engine::HostFunc>& out) {
  // The MPI-1 names (deprecated, still in MPI-3.1) share the functions.
  for (const char* name : {"MPI_Comm_create_keyval", "MPI_Keyval_create"}) {
    out.push_back(Bind(b, name, CommCreateKeyval));
  }
  for (const char* name : {"MPI_Comm_free_keyval", "MPI_Keyval_free"}) {
    out.push_back(Bind(b, name, CommFreeKeyval));
  }
  for (const char* name : {"MPI_Comm_set_attr", "MPI_Attr_put"}) {
    out.push_back(Bind(b, name, CommSetAttr));
  }
  for (const char* name : {"MPI_Comm_get_attr", "MPI_Attr_get"}) {
    out.push_back(Bind(b, name, CommGetAttr));
  }
  for (const char* name : {"MPI_Comm_delete_attr", "MPI_Attr_delete"}) {
    out.push_back(Bind(b, name, CommDeleteAttr));
  }
}

}  // namespace wasmhpc::mpi
