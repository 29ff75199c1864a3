// authkeys, parsed as heartbeat parses it, with heartbeat's permission rule.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"

namespace hb::config {

struct AuthKeysResult {
  AuthKeys authkeys;
  std::vector<Diagnostic> diagnostics;
};

// `mode` is the file's st_mode (only the permission bits matter): mode 600 or stricter (0600,
// 0400, 0700); heartbeat refuses group/other read (0640, 0644), hb any group/other bit (0620,
// 0602 too: a writable key file is a chosen key). No message ever contains a key.
AuthKeysResult parse_authkeys(std::string_view text, const std::string& file, unsigned mode);

// The permission rule alone; nullopt when the mode is acceptable, else the message.
std::optional<std::string> check_authkeys_mode(const std::string& file, unsigned mode);
// The owner rule: root's file (or, for a copy checked by its owner, the reader's own); nullopt
// when acceptable, else the message. The loader applies it to the file it opened (fstat).
std::optional<std::string> check_authkeys_owner(const std::string& file, unsigned owner,
                                                unsigned reader);

const char* to_string(AuthKey::Method method);

}  // namespace hb::config
