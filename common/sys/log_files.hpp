// ha.cf's logfile and debugfile (heartbeat's /var/log/ha-log), written off the caller's thread:
// hb-linkd and hb-membershipd log from their real-time loop, and a disk that stalls (a full or
// slow /var/log) must never delay a heartbeat. Lines are queued (bounded: beyond 10000 waiting
// lines, new ones are dropped and counted, and the count is written once there is room) and one
// writer thread per process appends them. Each file stays open (O_APPEND: a line from each
// daemon lands whole) and is reopened when it was rotated away (renamed or removed: logrotate
// with or without `create`), checked once per batch of lines, off the caller's thread.
#pragma once

#include <string>

namespace hb::log::files {

// Queues `line` (ending in '\n') for `path`. Never blocks on the disk.
void append(const std::string& path, std::string line);

// Waits until every queued line is written (tests; the process exit does it too).
void flush();

}  // namespace hb::log::files
