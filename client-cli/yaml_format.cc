#include "client-cli/yaml_format.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client-cli/output_format.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace wasmhpc::cli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

// Characters a plain scalar may hold here (a conservative subset of YAML's).
bool IsPlainChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::StrContains("_-./:+@= ", c);
}

// Words YAML 1.1 (PyYAML, libyaml users) or 1.2 reads as booleans or null.
bool IsSpecialWord(absl::string_view text) {
  static const std::set<std::string> kWords = {
      "y", "n", "yes", "no", "true", "false", "on", "off", "null"};
  return kWords.contains(absl::AsciiStrToLower(std::string(text)));
}

bool CanBePlain(absl::string_view text) {
  if (text.empty() || IsSpecialWord(text)) return false;
  // Not a number, a sign, '.inf', '~', an indicator or a blank first.
  const unsigned char first = static_cast<unsigned char>(text[0]);
  if (!absl::ascii_isalpha(first) && first != '_' && first != '/') return false;
  if (text.back() == ' ' || text.back() == ':') return false;
  if (absl::StrContains(text, ": ")) return false;
  return std::all_of(text.begin(), text.end(), IsPlainChar);
}

std::string DoubleQuoted(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Number(double value) {
  if (std::trunc(value) == value && std::fabs(value) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  return absl::StrFormat("%.17g", value);
}

// A scalar, "[]" or "{}" (empty collections); "" for a non-empty one.
std::string InlineValue(const Value& value) {
  switch (value.kind_case()) {
    case Value::kStringValue:
      return YamlString(value.string_value());
    case Value::kNumberValue:
      return Number(value.number_value());
    case Value::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case Value::kListValue:
      return value.list_value().values().empty() ? "[]" : "";
    case Value::kStructValue:
      return value.struct_value().fields().empty() ? "{}" : "";
    default:
      return "null";
  }
}

// Writes YAML for JSON values; `type` (may be null) is the message a struct
// came from, which orders its keys as declared.
class YamlWriter {
 public:
  std::string Take() { return std::move(out_); }

  // A mapping at `indent`; its first line's indentation is written already
  // when `inline_first` (a list item's "- ").
  void Mapping(const Struct& object, const Descriptor* type, int indent,
               bool inline_first) {
    bool first = true;
    for (const auto& [key, field] : OrderedKeys(object, type)) {
      if (!(first && inline_first)) out_.append(indent, ' ');
      first = false;
      absl::StrAppend(&out_, YamlString(key), ":");
      Child(object.fields().at(key), field, indent);
    }
  }

 private:
  // The keys of `object`: the message's fields in declaration order, then
  // the others (map keys) sorted; each with its field (or the map's).
  static std::vector<std::pair<std::string, const FieldDescriptor*>>
  OrderedKeys(const Struct& object, const Descriptor* type) {
    std::vector<std::pair<std::string, const FieldDescriptor*>> keys;
    std::set<std::string> seen;
    for (int i = 0; type != nullptr && i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (object.fields().contains(field->json_name())) {
        keys.emplace_back(field->json_name(), field);
        seen.insert(field->json_name());
      }
    }
    std::vector<std::string> rest;
    for (const auto& [key, value] : object.fields()) {
      if (!seen.contains(key)) rest.push_back(key);
    }
    std::sort(rest.begin(), rest.end());
    for (std::string& key : rest) keys.emplace_back(std::move(key), nullptr);
    return keys;
  }

  // The message type of a field's values (a map's values), or null.
  static const Descriptor* ValueType(const FieldDescriptor* field) {
    if (field == nullptr) return nullptr;
    if (field->is_map()) field = field->message_type()->map_value();
    return field->message_type();
  }

  // After "key:" or "- ": the value inline, or on the following lines.
  void Child(const Value& value, const FieldDescriptor* field, int indent) {
    std::string inline_value = InlineValue(value);
    if (!inline_value.empty()) {
      absl::StrAppend(&out_, " ", inline_value, "\n");
      return;
    }
    out_ += "\n";
    if (value.has_list_value()) {
      List(value.list_value(), ValueType(field), indent);
    } else if (field != nullptr && field->is_map()) {
      // Entries of a map field: each value is of the map's value type.
      for (const auto& [key, ignored] : OrderedKeys(value.struct_value(), {})) {
        out_.append(indent + 2, ' ');
        absl::StrAppend(&out_, YamlString(key), ":");
        Item(value.struct_value().fields().at(key), ValueType(field),
             indent + 2);
      }
    } else {
      Mapping(value.struct_value(), ValueType(field), indent + 2, false);
    }
  }

  // A value whose field is known only by its message type.
  void Item(const Value& value, const Descriptor* type, int indent) {
    std::string inline_value = InlineValue(value);
    if (!inline_value.empty()) {
      absl::StrAppend(&out_, " ", inline_value, "\n");
    } else if (value.has_list_value()) {
      out_ += "\n";
      List(value.list_value(), type, indent);
    } else {
      out_ += "\n";
      Mapping(value.struct_value(), type, indent + 2, false);
    }
  }

  // A block sequence, its "- " at `indent` (as kubectl prints them).
  void List(const ListValue& list, const Descriptor* type, int indent) {
    for (const Value& item : list.values()) {
      out_.append(indent, ' ');
      out_ += "-";
      std::string inline_value = InlineValue(item);
      if (!inline_value.empty()) {
        absl::StrAppend(&out_, " ", inline_value, "\n");
      } else if (item.has_struct_value()) {
        out_ += " ";
        Mapping(item.struct_value(), type, indent + 2, true);
      } else {
        out_ += "\n";
        List(item.list_value(), type, indent + 2);
      }
    }
  }

  std::string out_;
};

}  // namespace

std::string YamlString(absl::string_view text) {
  return CanBePlain(text) ? std::string(text) : DoubleQuoted(text);
}

absl::StatusOr<std::string> ToYaml(const google::protobuf::Message& message) {
  absl::StatusOr<std::string> json = ToJson(message, /*pretty=*/false);
  if (!json.ok()) return json.status();
  Struct object;
  auto status = google::protobuf::util::JsonStringToMessage(*json, &object);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print ",
                                            message.GetTypeName(),
                                            " as YAML: ", status.ToString()));
  }
  if (object.fields().empty()) return std::string("{}\n");
  YamlWriter writer;
  writer.Mapping(object, message.GetDescriptor(), 0, false);
  return writer.Take();
}

}  // namespace wasmhpc::cli
