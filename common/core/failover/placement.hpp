// Where a group belongs, computed alike on every node from the same inputs: ha.cf's `node`
// order, starting at the group's preferred node and wrapping, and which groups a command is
// about. Pure functions.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/failover/message.hpp"
#include "core/failover/options.hpp"

namespace hb::failover {

// Case-insensitive, as heartbeat matches node names (uname -n may differ in case from ha.cf).
bool same_node(std::string_view a, std::string_view b);

// ha.cf's spelling of `node` ("" when it is none of `nodes`).
std::string spelled(const std::vector<std::string>& nodes, std::string_view node);

// The nodes in the order they are tried for a group: the preferred node, then the ones after it
// in ha.cf order, wrapping. A preferred node missing from `nodes` gives plain ha.cf order.
std::vector<std::string> succession(const std::vector<std::string>& nodes,
                                    std::string_view preferred);

// Position of `node` in succession(nodes, preferred); nodes.size() when absent. Lower is
// stronger: it decides who keeps a group that two nodes hold after a partition heals.
std::size_t rank(const std::vector<std::string>& nodes, std::string_view preferred,
                 std::string_view node);

// Where a group goes when it cannot run on `me` any more (a resource failed for good): the first
// live node after `me` in the group's succession, wrapping; "" when no other node is live.
std::string restart_target(const std::vector<std::string>& nodes, std::string_view preferred,
                           std::string_view me,
                           const std::function<bool(const std::string&)>& is_live);

// Whether a command or request of `scope`, issued by `relative_to`, is about group `g`.
bool in_scope(const Group& g, Scope scope, const std::string& relative_to);

}  // namespace hb::failover
