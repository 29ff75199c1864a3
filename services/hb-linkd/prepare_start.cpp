#include "prepare_start.hpp"

#include <cstdlib>

#include "generation_file.hpp"
#include "sys/config/load.hpp"
#include "sys/credentials.hpp"
#include "sys/log.hpp"
#include "sys/read_file.hpp"

namespace hb::linkd {

int prepare_start(const std::string& config_dir, const std::string& old_state_dir) {
  const std::string original = config_dir + "/authkeys";
  const std::string copy = sys::credential_path("authkeys");
  if (!copy.empty()) {
    const auto a = sys::read_file(original, config::max_config_file_size);
    // systemd's own file, never a link
    const auto b = sys::read_file(copy, config::max_config_file_size, sys::Symlinks::refuse);
    if (!a.ok() || !b.ok() || a.text != b.text) {
      log::error(log::msgid::linkd_start_refused,
                 "the copy of " + original +
                     " that systemd made for hb-linkd differs from it (changed during the "
                     "start?): not starting; the next attempt copies it again");
      return 1;
    }
  }

  const char* state = std::getenv("STATE_DIRECTORY");
  if (state != nullptr && *state != '\0') {
    const std::string to = state_directory();
    if (to != old_state_dir) {
      const Migration m = migrate_state(old_state_dir, to);
      if (!m.problem.empty()) {
        // Starting without them would take the generation from the clock and forget the peers'
        // runs: refuse, and say what to fix.
        log::error(log::msgid::linkd_start_refused, "cannot move hb-linkd's state from " +
                                                        old_state_dir + " to " + to + ": " +
                                                        m.problem + "; not starting");
        return 1;
      }
      for (const auto& name : m.moved)
        log::notice(log::msgid::state_moved, "moved " + old_state_dir + "/" + name + " to " + to +
                                                 " (hb-linkd runs as its own user now)");
    }
  }
  return 0;
}

}  // namespace hb::linkd
