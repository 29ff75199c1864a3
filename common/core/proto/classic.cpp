#include "core/proto/classic.hpp"

#include "core/proto/base64.hpp"

namespace hb::proto {
namespace {

constexpr char kNewlineSymbol = 0x13;  // GLUE's SPECIAL_SYM for '\n' inside a classic value

bool printable_ascii(char c) {
  return c > 0x20 && c < 0x7f;
}

// Bytes a classic value line may carry: anything but other control characters (tab and the
// newline symbol excepted) and DEL. Bytes >= 0x80 pass: values may be UTF-8 text.
bool allowed_value_byte(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x80) return true;
  if (u == '\t' || c == kNewlineSymbol) return true;
  return u >= 0x20 && u != 0x7f;
}

Result<std::string> encode_value(const Field& f) {
  switch (f.type) {
    case FieldType::string: {
      std::string out;
      out.reserve(f.value.size());
      for (char c : f.value) {
        if (c == '\n') {
          out += kNewlineSymbol;
        } else if (c == kNewlineSymbol || !allowed_value_byte(c)) {
          return Error{Problem::unencodable,
                       "field " + f.name + " holds a byte classic cannot carry"};
        } else {
          out += c;
        }
      }
      return out;
    }
    case FieldType::binary:
      return base64_encode(f.value);
    default:
      for (char c : f.value) {
        if (!allowed_value_byte(c)) {
          return Error{Problem::unencodable, "opaque field " + f.name + " holds a control byte"};
        }
      }
      return f.value;
  }
}

Result<std::string> serialize(const Message& message, bool with_markers) {
  std::string out;
  if (with_markers) out += kClassicStart;
  for (const auto& f : message.fields()) {
    if (!with_markers && f.name == field::auth) continue;
    if (!valid_field_name(f.name)) {
      return Error{Problem::unencodable, "invalid field name"};
    }
    auto value = encode_value(f);
    if (!value) return value.error();
    if (f.type != FieldType::string) {
      out += '(';
      out += static_cast<char>('0' + static_cast<int>(f.type));
      out += ')';
    }
    out += f.name;
    out += '=';
    out += *value;
    out += '\n';
  }
  if (with_markers) out += kClassicEnd;
  return out;
}

Result<Field> parse_line(std::string_view line, const Limits& limits) {
  Field f;
  if (!line.empty() && line[0] == '(') {
    if (line.size() < 3 || line[1] < '0' || line[1] > '0' + kMaxFieldType || line[2] != ')') {
      return Error{Problem::bad_field, "bad type prefix"};
    }
    f.type = static_cast<FieldType>(line[1] - '0');
    line.remove_prefix(3);
  }
  auto eq = line.find('=');
  if (eq == std::string_view::npos) return Error{Problem::bad_field, "line without '='"};
  std::string_view name = line.substr(0, eq);
  if (name.size() > limits.max_name || !valid_field_name(name)) {
    return Error{Problem::bad_field, "bad field name"};
  }
  std::string_view raw = line.substr(eq + 1);
  for (char c : raw) {
    if (!allowed_value_byte(c)) {
      return Error{Problem::bad_field, "control byte in field " + std::string(name)};
    }
  }
  f.name = std::string(name);
  switch (f.type) {
    case FieldType::string:
      f.value.reserve(raw.size());
      for (char c : raw) f.value += c == kNewlineSymbol ? '\n' : c;
      break;
    case FieldType::binary: {
      auto bytes = base64_decode(raw);
      if (!bytes) return Error{Problem::bad_field, "bad base64 in field " + f.name};
      f.value = std::move(*bytes);
      break;
    }
    default:
      f.value = std::string(raw);
  }
  return f;
}

}  // namespace

bool valid_field_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name[0] == '(') return false;
  for (char c : name) {
    if (!printable_ascii(c) || c == '=') return false;
  }
  return true;
}

Result<Message> decode_classic(std::string_view bytes, const Limits& limits) {
  if (bytes.size() > limits.max_packet) {
    return Error{Problem::oversized, std::to_string(bytes.size()) + " bytes"};
  }
  if (!bytes.empty() && bytes.back() == '\0') bytes.remove_suffix(1);
  if (bytes.empty()) return Error{Problem::empty, "empty packet"};
  if (!bytes.starts_with(kClassicStart)) {
    if (kClassicStart.starts_with(bytes)) return Error{Problem::truncated, "cut in >>>"};
    return Error{Problem::garbage, "no >>> at start"};
  }
  Message message;
  std::size_t pos = kClassicStart.size();
  while (true) {
    if (pos >= bytes.size()) return Error{Problem::truncated, "no <<< at end"};
    auto nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos) return Error{Problem::truncated, "last line unterminated"};
    std::string_view line = bytes.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line == "<<<") break;
    if (message.size() >= limits.max_fields) return Error{Problem::oversized, "too many fields"};
    auto f = parse_line(line, limits);
    if (!f) return f.error();
    message.add(std::move(f->name), std::move(f->value), f->type);
  }
  if (pos != bytes.size()) return Error{Problem::trailing_data, "bytes after <<<"};
  if (message.empty()) return Error{Problem::bad_field, "message without fields"};
  return message;
}

Result<std::string> encode_classic(const Message& message) {
  return serialize(message, true);
}

Result<std::string> classic_auth_text(const Message& message) {
  return serialize(message, false);
}

}  // namespace hb::proto
