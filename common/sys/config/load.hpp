// Reads /etc/ha.d (or another directory) into a Config: the one loader every daemon and hbctl use.
#pragma once

#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace hb::config {

struct LoadOptions {
  std::string dir = "/etc/ha.d";
  std::string local_node;      // empty: uname -n
  bool read_authkeys = false;  // only hb-linkd and hbctl (as root) need the key
  bool read_haresources = true;
};

struct LoadResult {
  Config config;
  std::vector<Diagnostic> diagnostics;  // errors and warnings, in file order
  bool ok() const;                      // no errors
};

LoadResult load(const LoadOptions& options);

}  // namespace hb::config
