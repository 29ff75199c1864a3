// What hb-respawn-generator writes for ha.cf's `respawn USER PROG ARGS…` lines (heartbeat
// starts and supervises each such client; here systemd does): one service per line, wanted by
// hb.target, running PROG as USER, restarted on failure unless it exits 100 (heartbeat's rule).
// The line naming heartbeat's ipfail (a program path ending in /ipfail, e.g.
// /usr/lib/heartbeat/ipfail) pulls in ipfaild.service instead. Pure: the generator's main does
// the file system work.
#pragma once

#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace hb::ipfaild {

struct GeneratedFile {
  std::string name;        // relative to the generator directory, e.g. "hb.target.wants/x"
  std::string content;     // a regular file's text, when symlink_to is empty
  std::string symlink_to;  // else: the symlink's target
};

// `ha_cf_path` goes into the units' SourcePath= and comments; `unitdir` is where ipfaild.service
// is installed (the wants symlink points there).
std::vector<GeneratedFile> respawn_units(const config::HaCf& ha_cf, const std::string& ha_cf_path,
                                         const std::string& unitdir);

// Quotes one ExecStart= word for systemd: "…" with \\ and \" escaped, % as %%, $ as $$.
std::string exec_word(const std::string& word);

}  // namespace hb::ipfaild
