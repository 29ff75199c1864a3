// haresources, parsed as heartbeat's ResourceManager reads it: one group per logical line
// (backslash continues a line, `#` starts a comment), preferred node first, then the resources
// in start order.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"

namespace hb::config {

struct HaResourcesResult {
  std::vector<ResourceGroup> groups;
  std::vector<Diagnostic> diagnostics;
};

// `nodes` are ha.cf's node names: a group's preferred node must be one of them (compared
// case-insensitively, as heartbeat does); the group keeps ha.cf's spelling.
HaResourcesResult parse_haresources(std::string_view text, const std::string& file,
                                    const std::vector<std::string>& nodes);

// One resource token ("9.22.7.46", "Filesystem::dev::/ha::nfs::rw", "httpd"); nullopt and
// `error` set when the token is malformed.
std::optional<Resource> parse_resource(const std::string& token, std::string& error);

// heartbeat's IP shorthand a.b.c.d[/prefix[/iface[:label]][/broadcast]], where a third
// component that starts with a digit is the broadcast address.
std::optional<IpSpec> parse_ip_spec(const std::string& text, std::string& error);

const char* to_string(Resource::Kind kind);

}  // namespace hb::config
