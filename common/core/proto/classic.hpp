// heartbeat's classic ("nvpair") format: ">>>\n", one "name=value\n" per field, "<<<\n".
// Always used on serial; a UDP datagram carries it followed by one NUL.
//  * String values cannot hold a newline: heartbeat (GLUE) writes '\n' as byte 0x13 and turns
//    0x13 back into '\n' when reading; so do we. A string holding 0x13 itself is unencodable.
//  * Typed fields read "(<type>)name=value"; binary values are base64 on this format.
//  * The digest of a classic message covers classic_auth_text(): the fields without the
//    markers and without any `auth` field.
#pragma once

#include <string>
#include <string_view>

#include "core/proto/limits.hpp"
#include "core/proto/message.hpp"
#include "core/proto/result.hpp"

namespace hb::proto {

inline constexpr std::string_view kClassicStart = ">>>\n";
inline constexpr std::string_view kClassicEnd = "<<<\n";

// Accepts the frame with or without the datagram's trailing NUL; "\r\n" line ends and empty
// lines are tolerated (serial lines). Never throws.
Result<Message> decode_classic(std::string_view bytes, const Limits& limits = {});

// ">>>\n...<<<\n" (no NUL: add one for UDP).
Result<std::string> encode_classic(const Message& message);

// The text heartbeat hashes: "name=value\n" per field in order, `auth` fields skipped.
Result<std::string> classic_auth_text(const Message& message);

// A field name both formats can carry: 1..255 printable ASCII bytes, no '=' and no '(' first.
bool valid_field_name(std::string_view name);

}  // namespace hb::proto
