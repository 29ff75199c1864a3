// Credentials systemd hands a service (LoadCredential=): private copies of files the service's
// user may not read itself, visible to that unit only ($CREDENTIALS_DIRECTORY).
#pragma once

#include <string>

namespace hb::sys {

// The path of credential `name`, or "" when this process has none of that name (not started by
// a unit that loads it: then the daemon reads the original itself, as root).
std::string credential_path(const std::string& name);

}  // namespace hb::sys
