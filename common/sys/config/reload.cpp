// A daemon's side of `hbctl reload` (see reload.hpp).
#include "sys/config/reload.hpp"

#include <algorithm>

#include "core/config/reload_plan.hpp"
#include "sys/dbus/caller.hpp"
#include "sys/dbus/error.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"

namespace hb::sys {

ConfigReload::ConfigReload(std::string daemon, config::Config running,
                           std::function<config::LoadResult()> load_again)
    : daemon_(std::move(daemon)),
      running_(std::move(running)),
      load_again_(std::move(load_again)) {}

ConfigReload::Plan ConfigReload::check() const {
  if (!load_again_) dbus::throw_not_supported("Reload");
  config::LoadResult loaded = load_again_();
  if (!loaded.ok()) {
    std::string errors;
    for (const auto& d : loaded.diagnostics)
      if (d.severity == config::Diagnostic::Severity::error)
        errors += (errors.empty() ? "" : "\n") + d.str();
    log::warning(log::msgid::reload_refused,
                 "reload refused, the configuration stays as it was:\n" + errors);
    throw dbus::Error(dbus::names::error_invalid_configuration, errors);
  }
  // The keys are hb-linkd's alone: a daemon that does not read them compares none.
  if (!running_.authkeys) loaded.config.authkeys.reset();
  const auto changes = config::config_changes(running_, loaded.config);
  // The same rules in every daemon: what one of a setting's users cannot follow live is
  // refused by all of them (reload_plan.hpp).
  if (auto refused = config::refusals(changes); !refused.empty()) {
    const std::string why = config::to_string(refused);
    log::warning(log::msgid::reload_refused,
                 "reload refused, the configuration stays as it was: " + why);
    throw dbus::Error(dbus::names::error_reload_refused, why);
  }
  Plan plan{std::move(loaded.config), {}, {}, !changes.empty()};
  for (const auto& c : changes) {
    const auto users = config::users_of(c.setting);
    if (std::find(users.begin(), users.end(), daemon_) == users.end()) continue;
    (config::is_pending(daemon_, c) ? plan.pending : plan.applied).push_back(c.setting);
  }
  return plan;
}

std::vector<std::string> ConfigReload::Plan::answer() const {
  std::vector<std::string> out = applied;
  for (const auto& p : pending) out.push_back(p + std::string(config::pending_answer));
  return out;
}

void ConfigReload::commit(Plan plan) {
  std::string applied, pending;
  for (const auto& a : plan.applied) applied += (applied.empty() ? "" : ", ") + a;
  for (const auto& p : plan.pending) pending += (pending.empty() ? "" : ", ") + p;
  if (!applied.empty())
    log::notice(log::msgid::reload_applied, "reloaded: " + applied + " applied");
  if (!pending.empty())
    log::notice(log::msgid::reload_applied,
                "reloaded: " + pending +
                    " pending, in force once this node holds no group (at once on a node that "
                    "holds none; on the holder after the next hand-over, which `hbctl standby` "
                    "makes)");
  running_ = config::keep_pending_as_running(std::move(plan.next), running_, daemon_);
}

dbus::Message reload_reply(dbus::Message& call, bool apply, const ReloadHandler& handler) {
  dbus::require_root(call);
  if (!handler) dbus::throw_not_supported("Reload");
  auto reply = call.new_reply();
  reply.append(handler(apply));
  return reply;
}

}  // namespace hb::sys
