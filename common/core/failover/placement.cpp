// Where a group belongs, from ha.cf's node order, and which groups a command is about.
#include "core/failover/placement.hpp"

#include "core/config/node_name.hpp"

namespace hb::failover {

bool same_node(std::string_view a, std::string_view b) {
  return config::same_node_name(a, b);
}

std::string spelled(const std::vector<std::string>& nodes, std::string_view node) {
  for (const auto& n : nodes) {
    if (same_node(n, node)) return n;
  }
  return {};
}

std::vector<std::string> succession(const std::vector<std::string>& nodes,
                                    std::string_view preferred) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (same_node(nodes[i], preferred)) start = i;
  }
  std::vector<std::string> out;
  out.reserve(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) out.push_back(nodes[(start + i) % nodes.size()]);
  return out;
}

std::size_t rank(const std::vector<std::string>& nodes, std::string_view preferred,
                 std::string_view node) {
  auto order = succession(nodes, preferred);
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (same_node(order[i], node)) return i;
  }
  return nodes.size();
}

bool in_scope(const Group& g, Scope scope, const std::string& relative_to) {
  switch (scope) {
    case Scope::all:
      return true;
    case Scope::local:
      return g.preferred == relative_to;
    case Scope::foreign:
    case Scope::failback:
      return g.preferred != relative_to;
  }
  return false;
}

std::string restart_target(const std::vector<std::string>& nodes, std::string_view preferred,
                           std::string_view me,
                           const std::function<bool(const std::string&)>& is_live) {
  const std::vector<std::string> order = succession(nodes, preferred);
  const std::size_t n = order.size();
  std::size_t mine = 0;
  while (mine < n && !same_node(order[mine], me)) ++mine;
  for (std::size_t step = 1; step <= n; ++step) {
    const std::string& candidate = order[(mine + step) % n];
    if (!same_node(candidate, me) && is_live(candidate)) return candidate;
  }
  return {};
}

}  // namespace hb::failover
