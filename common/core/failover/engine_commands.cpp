// The failover engine's admin commands: standby, takeover and the per-group move, and when they
// are refused (legacy auto_failback, groups in flux, an unknown or inactive target).
#include <algorithm>
#include <string>

#include "core/failover/engine.hpp"
#include "core/failover/placement.hpp"

namespace hb::failover {

bool Engine::command_allowed(Actions& out, const std::string& what, const std::string& name) {
  if (opt_.auto_failback == AutoFailback::legacy)
    return refuse(out, what + " only implemented when auto_failback is on or off",
                  {{"HB_REASON", "legacy"}});
  if (!may_hold())
    return refuse(out, name + " refused: local resources in flux", {{"HB_REASON", "in flux"}});
  return true;
}

Actions Engine::standby(Scope scope, TimePoint now) {
  return step(now, [&](Actions& out) {
    if (!command_allowed(out, "Standby mode", "standby")) return false;
    for (auto& [t, keys] : Policy::standby_plan(situation(), scope, out))
      offer(out, t, std::move(keys), scope, false);
    return true;
  });
}

Actions Engine::takeover(Scope scope, TimePoint now) {
  return step(now, [&](Actions& out) {
    if (!command_allowed(out, "Takeover", "takeover")) return false;
    for (const auto& g : opt_.groups) {
      if (in_scope(g, scope, opt_.me)) local_.clear_failure(g.key);
    }
    send(out, takeover_message("", scope, true));
    return true;
  });
}

Actions Engine::move(const std::string& key, const std::string& node, TimePoint now) {
  return step(now, [&](Actions& out) {
    std::string target = spelled(opt_.nodes, node);
    if (!group(key) || target.empty())
      return refuse(out, "move: unknown group or node",
                    {{"HB_GROUP", key}, {"HB_NODE", node}, {"HB_REASON", "unknown"}});
    if (!may_hold() || handovers_.busy(key))
      return refuse(out, "move of " + key + " refused: in flux",
                    {{"HB_GROUP", key}, {"HB_REASON", "in flux"}});
    if (target != opt_.me && !peers_.at(target).active())
      return refuse(out, "move of " + key + " refused: " + target + " is not active",
                    {{"HB_GROUP", key}, {"HB_NODE", target}, {"HB_REASON", "target down"}});
    if (target == opt_.me) local_.clear_failure(key);
    if (local_.at(key).state == GroupState::running) {
      if (target != opt_.me) offer(out, target, {key}, Scope::all, true);
    } else {
      send(out, move_message(key, target));
    }
    return true;
  });
}

}  // namespace hb::failover
