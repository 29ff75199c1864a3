// heartbeat's netstring format (GLUE cl_netstring.c), what heartbeat 2.x/3.x sends on UDP:
//   "###\n"  then per field  "<len>:(<type>)<name>=<value>,"  then "%%%\n"
//   then the auth netstring "<len>:<authindex> <digest>,"  whose digest covers every byte from
//   "###\n" through "%%%\n" (the payload).
// <len> is decimal and counts "(<type>)<name>=<value>". Values are raw bytes (binary fields are
// not base64 here), so newlines need no escaping.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/proto/limits.hpp"
#include "core/proto/message.hpp"
#include "core/proto/result.hpp"

namespace hb::proto {

inline constexpr std::string_view kNetstringStart = "###\n";
inline constexpr std::string_view kNetstringEnd = "%%%\n";

struct NetstringPacket {
  Message message;
  std::size_t payload_size = 0;     // bytes[0, payload_size) is what the digest covers
  std::optional<std::string> auth;  // the trailer's "<index> <digest>", if present
};

// Never throws. A missing auth trailer is not an error here (see packet.hpp's open()).
Result<NetstringPacket> decode_netstring(std::string_view bytes, const Limits& limits = {});

// "###\n...%%%\n" without the trailer.
Result<std::string> encode_netstring_payload(const Message& message);

// "<len>:<auth>," to append to the payload.
std::string netstring_auth_trailer(std::string_view auth_value);

}  // namespace hb::proto
