// How node names compare: the one rule every part of hb uses.
//
// heartbeat matches node names case-insensitively: uname -n may differ in case from the `node`
// line of ha.cf, and heartbeat lowers a name before it looks it up (lookup_node: g_strdown, in
// the C locale heartbeat runs in). Node names are host names, so only ASCII letters fold; every
// other byte, UTF-8 or not, compares as it is. No locale takes part: std::tolower and strcasecmp
// would fold differently under a Latin-1 or Turkish LC_CTYPE, and two daemons must never
// disagree about who a node is. The functions are constexpr, which also proves they call
// nothing locale-dependent.
#pragma once

#include <string_view>

namespace hb::config {

// 'A'..'Z' to 'a'..'z'; every other byte unchanged.
constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Equal after ASCII case folding. Also the rule for ha.cf's case-insensitive keywords (time
// units, booleans, "legacy").
constexpr bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// Whether `a` and `b` name the same node.
constexpr bool same_node_name(std::string_view a, std::string_view b) {
  return ascii_iequals(a, b);
}

}  // namespace hb::config
