// Reads /etc/ha.d (or another directory) into a Config: the one loader every daemon and hbctl use.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace hb::config {

// The largest ha.cf, authkeys or haresources read (a bigger one is "File too large").
inline constexpr std::size_t max_config_file_size = 16u << 20;

struct LoadOptions {
  std::string dir = "/etc/ha.d";
  std::string local_node;      // empty: uname -n
  bool read_authkeys = false;  // only hb-linkd and hbctl (as root) need the key
  bool read_haresources = true;
  // Read the key's text from this copy instead of dir/authkeys: the private copy systemd hands
  // a service that is not root (LoadCredential=, in $CREDENTIALS_DIRECTORY, seen by that unit
  // only), which the unit's root step compared with the original (hb-linkd --prepare-start).
  // Heartbeat's rule (root's, mode 600) is checked on the original's metadata (stat needs no
  // read access); the copy must be writable by nobody else. Messages name dir/authkeys.
  std::string authkeys_copy = {};
  // Read the key's text from this descriptor instead (>= 0): dir/authkeys as root's hbctl
  // opened it and handed it over with Reload, so a daemon that may not open the file reads the
  // current keys. Its fstat is the original's: heartbeat's rule is checked on it.
  int authkeys_fd = -1;
};

struct LoadResult {
  Config config;
  std::vector<Diagnostic> diagnostics;  // errors and warnings, in file order
  bool ok() const;                      // no errors
};

// Reads options.dir/ha.cf (missing: an error), options.dir/hb.conf (missing: all defaults),
// options.dir/authkeys when asked (its owner and mode checked with fstat of the file read; or
// options.authkeys_copy) and options.dir/haresources (missing: no groups). Never throws; every
// problem is a Diagnostic naming file and line.
LoadResult load(const LoadOptions& options);

// This machine's node name as heartbeat takes it (uname -n).
std::string local_node_name();

}  // namespace hb::config
