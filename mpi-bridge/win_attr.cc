// Windows' attributes and keyvals (predefined MPI_WIN_BASE & co.), names,
// groups, info and error handlers. See win.h and attr.h.
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mpi-bridge/attr.h"
#include "mpi-bridge/errhandler.h"
#include "mpi-bridge/group.h"
#include "mpi-bridge/guest_data.h"
#include "mpi-bridge/info.h"
#include "mpi-bridge/win.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;

bool IsPredefinedWinKey(int32_t keyval) {
  return keyval >= abi::kWinBase && keyval <= abi::kWinModel;
}

AttributeList WinAttributes(Bridge& b, Handle win) {
  return [&b, win]() -> std::vector<Attribute>* {
    std::shared_ptr<WinEntry>* w = b.wins().Find(win);
    return w ? &(*w)->attributes : nullptr;
  };
}

// MPI_WIN_BASE is the base itself; the others point to guest ints
// (MPI_Aint is 4 bytes on wasm32) the bridge keeps per window.
int32_t GetPredefined(Call& c, Handle win, int32_t keyval, Ptr value_out,
                      Ptr flag) {
  WinEntry* w = c.Win(win);
  if (keyval == abi::kWinBase) {
    return c.Write<Ptr>(value_out, w->base, "attribute_val") &&
                   c.Write<int32_t>(flag, 1, "flag")
               ? abi::kSuccess
               : c.error();
  }
  if (w->predefined_values == 0) {
    absl::StatusOr<Ptr> p = GuestMalloc(c.host(), 16);
    if (absl::IsNotFound(p.status())) {
      return c.Write<int32_t>(flag, 0, "flag") ? abi::kSuccess : c.error();
    }
    if (absl::IsAborted(p.status())) {
      return c.Trap(std::string(p.status().message()));
    }
    if (!p.ok())
      return c.Fail(abi::kErrNoMem, std::string(p.status().message()));
    w = c.Win(win);  // the guest ran; re-find the entry
    if (!w) return c.error();
    w->predefined_values = *p;
  }
  int32_t values[4] = {static_cast<int32_t>(w->size), w->disp_unit, w->flavor,
                       w->model};
  const int32_t index[] = {1, 0, 2, 3};  // DISP_UNIT 602, SIZE 603, ...
  int32_t i = index[keyval - abi::kWinDispUnit];
  Ptr slot = w->predefined_values + 4 * i;
  return c.Write<int32_t>(slot, values[i], "attribute value") &&
                 c.Write<Ptr>(value_out, slot, "attribute_val") &&
                 c.Write<int32_t>(flag, 1, "flag")
             ? abi::kSuccess
             : c.error();
}

int32_t ReadOnly(Call& c, int32_t keyval) {
  return c.Fail(abi::kErrKeyval, absl::StrFormat("predefined window attribute "
                                                 "key %d is read-only",
                                                 keyval));
}

int32_t WinSetAttr(Call& c, Handle win, int32_t keyval, Ptr value) {
  if (!c.Win(win)) return c.error();
  if (IsPredefinedWinKey(keyval)) return ReadOnly(c, keyval);
  return SetAttribute(c, Kind::kWin, win, WinAttributes(c.bridge(), win),
                      keyval, value);
}

int32_t WinGetAttr(Call& c, Handle win, int32_t keyval, Ptr value, Ptr flag) {
  if (!c.Win(win)) return c.error();
  if (IsPredefinedWinKey(keyval)) {
    return GetPredefined(c, win, keyval, value, flag);
  }
  return GetAttribute(c, Kind::kWin, WinAttributes(c.bridge(), win), keyval,
                      value, flag);
}

int32_t WinDeleteAttr(Call& c, Handle win, int32_t keyval) {
  if (!c.Win(win)) return c.error();
  if (IsPredefinedWinKey(keyval)) return ReadOnly(c, keyval);
  return DeleteAttribute(c, Kind::kWin, win, WinAttributes(c.bridge(), win),
                         keyval);
}

int32_t WinCreateKeyval(Call& c, uint32_t copy_fn, uint32_t delete_fn,
                        Ptr keyval, Ptr extra_state) {
  return CreateKeyval(c, Kind::kWin, copy_fn, delete_fn, keyval, extra_state);
}

int32_t WinFreeKeyval(Call& c, Ptr keyval) {
  return FreeKeyval(c, Kind::kWin, keyval);
}

// ---- Names, groups, info ----

int32_t WinGetName(Call& c, Handle win, Ptr name, Ptr resultlen) {
  WinEntry* w = c.Win(win);
  if (!w) return c.error();
  return WriteCString(c, name, abi::kMaxObjectName, w->name.value_or(""),
                      resultlen, "win_name");
}

// Longer names are cut to MPI_MAX_OBJECT_NAME - 1 characters.
int32_t WinSetName(Call& c, Handle win, Ptr name) {
  if (!c.Win(win)) return c.error();
  std::optional<std::string> text =
      ReadCString(c, name, abi::kMaxObjectName - 1, "win_name");
  if (!text) return c.error();
  text->resize(std::min<size_t>(text->size(), abi::kMaxObjectName - 1));
  c.Win(win)->name = std::move(*text);
  return abi::kSuccess;
}

int32_t WinGetGroup(Call& c, Handle win, Ptr group) {
  WinEntry* w = c.Win(win);
  Handle* out = w ? c.Ref<Handle>(group, "group") : nullptr;
  if (!out) return c.error();
  MPI_Group host;
  if (int32_t rc = c.Host(c.mpi().Win_get_group(w->host, &host))) return rc;
  return InsertGroup(c, host, out);
}

int32_t WinSetInfo(Call& c, Handle win, Handle info) {
  WinEntry* w = c.Win(win);
  MPI_Info host;
  if (!w || !HostInfoOf(c, info, &host)) return c.error();
  return c.Host(c.mpi().Win_set_info(w->host, host));
}

int32_t WinGetInfo(Call& c, Handle win, Ptr info_used) {
  WinEntry* w = c.Win(win);
  if (!w || !c.Ref<Handle>(info_used, "info_used")) return c.error();
  MPI_Info host;
  if (int32_t rc = c.Host(c.mpi().Win_get_info(w->host, &host))) return rc;
  int32_t rc = InsertInfoFromHost(c, host, info_used);
  c.mpi().Info_free(&host);
  return rc;
}

// ---- Error handlers ----

bool IsPredefinedHandler(Handle h) {
  return h == abi::kErrorsAreFatal || h == abi::kErrorsReturn ||
         h == abi::kErrorsAbort;
}

int32_t WinCreateErrhandler(Call& c, uint32_t fn, Ptr errhandler) {
  Handle* out = c.Ref<Handle>(errhandler, "errhandler");
  if (!out) return c.error();
  if (fn == 0) return c.Fail(abi::kErrArg, "error handler function is NULL");
  std::optional<Handle> h = c.bridge().errhandlers().Insert(
      {.function = fn, .object_kind = Kind::kWin});
  if (!h) return c.Fail(abi::kErrNoMem, "too many error handlers");
  *out = *h;
  return abi::kSuccess;
}

int32_t WinSetErrhandler(Call& c, Handle win, Handle errhandler) {
  WinEntry* w = c.Win(win);
  if (!w) return c.error();
  if (!IsPredefinedHandler(errhandler)) {
    ErrhandlerEntry* e = c.bridge().errhandlers().Find(errhandler);
    if (!e || e->object_kind != Kind::kWin) {
      return c.Fail(
          abi::kErrArg,
          e ? absl::StrFormat("error handler 0x%x is not a "
                              "window's",
                              errhandler)
            : absl::StrFormat("invalid error handler 0x%x", errhandler));
    }
  }
  Handle old = w->errhandler;
  w->errhandler = errhandler;
  DropErrhandlerIfUnused(c.bridge(), old);
  return abi::kSuccess;
}

int32_t WinGetErrhandler(Call& c, Handle win, Ptr errhandler) {
  WinEntry* w = c.Win(win);
  if (!w || !c.Write<Handle>(errhandler, w->errhandler, "errhandler")) {
    return c.error();
  }
  if (ErrhandlerEntry* e = c.bridge().errhandlers().Find(w->errhandler)) {
    ++e->guest_refs;
  }
  return abi::kSuccess;
}

int32_t WinCallErrhandler(Call& c, Handle win, int32_t code) {
  WinEntry* w = c.Win(win);
  if (!w) return c.error();
  Handle h = w->errhandler;
  if (h == abi::kErrorsReturn) return abi::kSuccess;
  if (IsPredefinedHandler(h)) {
    return c.Fail(code,
                  absl::StrFormat("error code %d raised by the guest", code));
  }
  absl::Status called = CallCommErrhandler(c, win, h, code);
  return called.ok()
             ? abi::kSuccess
             : c.Trap(absl::StrCat("error handler failed: ", called.message()));
}

}  // namespace

int32_t ReleaseWinAttributes(Call& c, Handle win) {
  if (int32_t rc = DeleteAllAttributes(c, Kind::kWin, win,
                                       WinAttributes(c.bridge(), win))) {
    return rc;
  }
  WinEntry* w = c.Win(win);
  if (w && w->predefined_values != 0) {
    GuestFree(c.host(), w->predefined_values).IgnoreError();
    if ((w = c.Win(win)) != nullptr) w->predefined_values = 0;
  }
  return abi::kSuccess;
}

void AddWinAttributes(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Win_create_keyval", WinCreateKeyval));
  out.push_back(Bind(b, "MPI_Win_free_keyval", WinFreeKeyval));
  out.push_back(Bind(b, "MPI_Win_set_attr", WinSetAttr));
  out.push_back(Bind(b, "MPI_Win_get_attr", WinGetAttr));
  out.push_back(Bind(b, "MPI_Win_delete_attr", WinDeleteAttr));
  out.push_back(Bind(b, "MPI_Win_get_name", WinGetName));
  out.push_back(Bind(b, "MPI_Win_set_name", WinSetName));
  out.push_back(Bind(b, "MPI_Win_get_group", WinGetGroup));
  out.push_back(Bind(b, "MPI_Win_set_info", WinSetInfo));
  out.push_back(Bind(b, "MPI_Win_get_info", WinGetInfo));
  out.push_back(Bind(b, "MPI_Win_create_errhandler", WinCreateErrhandler));
  out.push_back(Bind(b, "MPI_Win_set_errhandler", WinSetErrhandler));
  out.push_back(Bind(b, "MPI_Win_get_errhandler", WinGetErrhandler));
  out.push_back(Bind(b, "MPI_Win_call_errhandler", WinCallErrhandler));
}

}  // namespace wasmhpc::mpi
