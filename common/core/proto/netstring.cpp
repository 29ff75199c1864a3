#include "core/proto/netstring.hpp"

#include "core/proto/classic.hpp"

namespace hb::proto {
namespace {

// One "<len>:<data>," at bytes[pos]; on success pos is just past the ','.
Result<std::string_view> peel(std::string_view bytes, std::size_t& pos, const Limits& limits) {
  std::size_t digits = 0;
  std::size_t len = 0;
  while (pos + digits < bytes.size() && bytes[pos + digits] >= '0' && bytes[pos + digits] <= '9') {
    if (digits >= 9) return Error{Problem::bad_length, "netstring length too long"};
    len = len * 10 + static_cast<std::size_t>(bytes[pos + digits] - '0');
    ++digits;
  }
  if (pos + digits >= bytes.size()) return Error{Problem::truncated, "cut in a netstring length"};
  if (digits == 0) return Error{Problem::bad_length, "netstring without a length"};
  if (bytes[pos + digits] != ':') return Error{Problem::bad_length, "netstring length without ':'"};
  if (len > limits.max_packet) return Error{Problem::bad_length, "netstring length beyond limit"};
  std::size_t start = pos + digits + 1;
  if (start + len >= bytes.size()) return Error{Problem::truncated, "netstring runs past the end"};
  if (bytes[start + len] != ',') {
    return Error{Problem::bad_length, "netstring length does not match its data"};
  }
  pos = start + len + 1;
  return bytes.substr(start, len);
}

Result<Field> parse_field(std::string_view data, const Limits& limits) {
  if (data.size() < 4 || data[0] != '(' || data[1] < '0' || data[1] > '0' + kMaxFieldType ||
      data[2] != ')') {
    return Error{Problem::bad_field, "field without a (type) prefix"};
  }
  Field f;
  f.type = static_cast<FieldType>(data[1] - '0');
  data.remove_prefix(3);
  auto eq = data.find('=');
  if (eq == std::string_view::npos) return Error{Problem::bad_field, "field without '='"};
  std::string_view name = data.substr(0, eq);
  if (name.size() > limits.max_name || !valid_field_name(name)) {
    return Error{Problem::bad_field, "bad field name"};
  }
  std::string_view value = data.substr(eq + 1);
  if (f.type == FieldType::string && value.find('\0') != std::string_view::npos) {
    return Error{Problem::bad_field, "NUL in string field " + std::string(name)};
  }
  f.name = std::string(name);
  f.value = std::string(value);
  return f;
}

}  // namespace

Result<NetstringPacket> decode_netstring(std::string_view bytes, const Limits& limits) {
  if (bytes.size() > limits.max_packet) {
    return Error{Problem::oversized, std::to_string(bytes.size()) + " bytes"};
  }
  if (bytes.empty()) return Error{Problem::empty, "empty packet"};
  if (!bytes.starts_with(kNetstringStart)) {
    if (kNetstringStart.starts_with(bytes)) return Error{Problem::truncated, "cut in ###"};
    return Error{Problem::garbage, "no ### at start"};
  }
  NetstringPacket packet;
  std::size_t pos = kNetstringStart.size();
  while (true) {
    if (pos >= bytes.size()) return Error{Problem::truncated, "no %%% at end"};
    if (bytes.substr(pos).starts_with(kNetstringEnd)) break;
    if (kNetstringEnd.starts_with(bytes.substr(pos)))
      return Error{Problem::truncated, "cut in %%%"};
    if (packet.message.size() >= limits.max_fields) {
      return Error{Problem::oversized, "too many fields"};
    }
    auto data = peel(bytes, pos, limits);
    if (!data) return data.error();
    auto f = parse_field(*data, limits);
    if (!f) return f.error();
    packet.message.add(std::move(f->name), std::move(f->value), f->type);
  }
  pos += kNetstringEnd.size();
  packet.payload_size = pos;
  if (packet.message.empty()) return Error{Problem::bad_field, "message without fields"};
  // A trailing NUL is tolerated (some senders terminate datagrams like classic ones).
  if (pos < bytes.size() && !(pos + 1 == bytes.size() && bytes[pos] == '\0')) {
    auto auth = peel(bytes, pos, limits);
    if (!auth) return auth.error();
    packet.auth = std::string(*auth);
    if (pos < bytes.size() && !(pos + 1 == bytes.size() && bytes[pos] == '\0')) {
      return Error{Problem::trailing_data, "bytes after the auth netstring"};
    }
  }
  return packet;
}

Result<std::string> encode_netstring_payload(const Message& message) {
  std::string out(kNetstringStart);
  for (const auto& f : message.fields()) {
    if (!valid_field_name(f.name)) return Error{Problem::unencodable, "invalid field name"};
    if (f.type == FieldType::string && f.value.find('\0') != std::string::npos) {
      return Error{Problem::unencodable, "NUL in string field " + f.name};
    }
    std::size_t len = 3 + f.name.size() + 1 + f.value.size();
    out += std::to_string(len);
    out += ":(";
    out += static_cast<char>('0' + static_cast<int>(f.type));
    out += ')';
    out += f.name;
    out += '=';
    out += f.value;
    out += ',';
  }
  out += kNetstringEnd;
  return out;
}

std::string netstring_auth_trailer(std::string_view auth_value) {
  std::string out = std::to_string(auth_value.size());
  out += ':';
  out += auth_value;
  out += ',';
  return out;
}

}  // namespace hb::proto
