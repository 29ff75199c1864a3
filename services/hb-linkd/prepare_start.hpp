// hb-linkd --prepare-start: the unit's root step (ExecStartPre=+), run before hb-linkd starts as
// its own user, which can read neither /etc/ha.d/authkeys nor root's old state directory.
//  * authkeys: the copy systemd made for the daemon (LoadCredential=authkeys:…) holds the same
//    bytes as /etc/ha.d/authkeys, so what the daemon reads is what heartbeat's rule is checked
//    on. The rule itself (root's, mode 600) and every line are checked by the daemon (the
//    original's mode and owner need no read access), which exits 78 on a bad file: a failing
//    ExecStartPre= would be restarted in a loop, RestartPreventExitStatus= is for the main process.
//  * state: hb_generation and hb_peer_generations move from where hb-linkd kept them as root
//    (HB_STATEDIR, /var/lib/hb) into its own $STATE_DIRECTORY, never lost (migrate_state).
//  * watchdog: the character device of ha.cf's `watchdog` line, when it is a watchdog, gets
//    group hb-linkd with read and write access (it is root's, mode 600, as the kernel makes it).
// Returns the exit code: 0, or 1 (told in the journal).
#pragma once

#include <string>

namespace hb::linkd {

int prepare_start(const std::string& config_dir, const std::string& old_state_dir);

}  // namespace hb::linkd
