// Standard base64 with '=' padding, as heartbeat writes binary fields in the classic format.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hb::proto {

std::string base64_encode(std::string_view bytes);
// Strict: length a multiple of 4, alphabet only, padding only at the end, and canonical (the
// re-encoding is identical), so a digest over the re-serialized message matches the sender's.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace hb::proto
