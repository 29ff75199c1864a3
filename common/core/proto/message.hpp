// A heartbeat message: an ORDERED list of typed name=value fields. Order is part of the message:
// the classic digest is computed over the fields in order, so it is kept exactly as received or
// built. Names may repeat (heartbeat allows it); lookups return the first match, as heartbeat's do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hb::proto {

// heartbeat's field types (the digit in "(1)name=" / "<len>:(1)name=").
enum class FieldType : std::uint8_t {
  string = 0,
  binary = 1,        // value holds the raw bytes; classic carries them as base64
  structure = 2,     // opaque: kept verbatim, re-emitted verbatim
  list = 3,          // opaque
  compressed = 4,    // opaque
  uncompressed = 5,  // opaque
};
inline constexpr int kMaxFieldType = 5;

struct Field {
  std::string name;
  std::string value;
  FieldType type = FieldType::string;

  bool operator==(const Field&) const = default;
};

class Message {
 public:
  Message() = default;
  Message(std::initializer_list<Field> fields) : fields_(fields) {}

  // Appends (a repeated name makes a second field, like ha_msg_add).
  Message& add(std::string name, std::string value, FieldType type = FieldType::string);
  // Replaces the first field of that name in place, or appends it (heartbeat's ha_msg_mod).
  Message& set(std::string_view name, std::string value, FieldType type = FieldType::string);
  // Removes every field of that name; returns how many.
  std::size_t remove(std::string_view name);

  const Field* find(std::string_view name) const;
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }
  // The value or "" when absent.
  std::string_view value_or_empty(std::string_view name) const;

  const std::vector<Field>& fields() const { return fields_; }
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }

  // "t", the message type ("" when absent).
  std::string_view type() const { return value_or_empty("t"); }

  bool operator==(const Message&) const = default;

 private:
  std::vector<Field> fields_;
};

// heartbeat's short wire names.
namespace field {
inline constexpr std::string_view type = "t";
inline constexpr std::string_view status = "st";
inline constexpr std::string_view source = "src";
inline constexpr std::string_view source_uuid = "srcuuid";
inline constexpr std::string_view seq = "seq";
inline constexpr std::string_view generation = "hg";
inline constexpr std::string_view timestamp = "ts";
inline constexpr std::string_view load = "ld";
inline constexpr std::string_view ttl = "ttl";
inline constexpr std::string_view deadtime = "dt";
inline constexpr std::string_view protocol = "protocol";
inline constexpr std::string_view dest = "dest";
inline constexpr std::string_view dest_uuid = "destuuid";
inline constexpr std::string_view auth = "auth";
inline constexpr std::string_view first_seq = "firstseq";
inline constexpr std::string_view last_seq = "lastseq";
inline constexpr std::string_view info = "info";
// hb only, on status packets: the sender's cluster-wide configuration digest
// (core/config/cluster_digest.hpp). heartbeat looks fields up by name, so it never sees it.
inline constexpr std::string_view config_digest = "hb_config";
}  // namespace field

namespace msgtype {
inline constexpr std::string_view status = "status";
inline constexpr std::string_view rexmit = "NS_rexmit";
inline constexpr std::string_view nak_rexmit = "NS_nak_rexmit";
inline constexpr std::string_view ack = "NS_ackmsg";
// Types with this prefix carry no seq/ld and stay outside the reliable protocol.
inline constexpr std::string_view unsequenced_prefix = "NS_";
}  // namespace msgtype

bool is_unsequenced_type(std::string_view type);

}  // namespace hb::proto
