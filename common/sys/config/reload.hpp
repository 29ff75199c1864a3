// A daemon's side of `hbctl reload`: the configuration in force, the files read again, and the
// check each daemon makes before it applies anything (the files' errors, what the reload plan
// refuses), answered as the D-Bus errors hbctl reports.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "sys/config/load.hpp"
#include "sys/dbus/message.hpp"

namespace hb::sys {

class ConfigReload {
 public:
  // `daemon`: "hb-resourced", as config::users_of() names it. `load_again`: reads the files as
  // at start (DaemonContext::load_again); empty: the daemon cannot reload (NotSupported).
  ConfigReload(std::string daemon, config::Config running,
               std::function<config::LoadResult()> load_again);

  struct Plan {
    config::Config next;
    // The changed settings this daemon uses (each applied live when the plan is committed).
    std::vector<std::string> applied;
    // The changed settings this daemon takes as pending (config::is_pending): accepted, in
    // force only when the daemon can apply them (hb-resourced: when it holds no group).
    std::vector<std::string> pending;
    bool changed = false;  // anything differs, used here or not
    // The answer to CheckReload/Reload: each applied setting, then each pending one with
    // config::pending_answer after it.
    std::vector<std::string> answer() const;
  };

  // Reads the files again. Throws dbus::Error InvalidConfiguration (each error as
  // file:line: message) or ReloadRefused (every refused setting, with why), logged as a warning;
  // the configuration in force stays as it was then.
  Plan check() const;

  const config::Config& running() const { return running_; }
  // The plan's files become the configuration in force (the daemon has applied its part), but
  // for the pending settings, which keep their values in force (config::keep_pending_as_running);
  // logs what was applied and what is pending.
  void commit(Plan plan);

 private:
  std::string daemon_;
  config::Config running_;
  std::function<config::LoadResult()> load_again_;
};

// A daemon's answer to CheckReload (apply false) or Reload (apply true): root only, NotSupported
// without a handler, else the handler's lines (the settings applied, or that would be).
using ReloadHandler = std::function<std::vector<std::string>(bool apply)>;
dbus::Message reload_reply(dbus::Message& call, bool apply, const ReloadHandler& handler);

}  // namespace hb::sys
