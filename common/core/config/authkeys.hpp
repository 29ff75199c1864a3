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

// `mode` is the file's st_mode (only the permission bits matter): heartbeat refuses the file when
// it is readable by group or others (0640, 0644), and accepts 0600, 0400 and 0700.
AuthKeysResult parse_authkeys(std::string_view text, const std::string& file, unsigned mode);

// The permission rule alone; nullopt when the mode is acceptable, else the message.
std::optional<std::string> check_authkeys_mode(const std::string& file, unsigned mode);

const char* to_string(AuthKey::Method method);

}  // namespace hb::config
