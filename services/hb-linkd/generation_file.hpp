// This node's generation (heartbeat's `hg`): a counter bumped and made durable at every start,
// so peers can tell a restart (higher generation) from a replay of an old run (lower one).
// Kept like heartbeat's hb_generation: one fixed-width decimal number in <state dir>/hb_generation.
#pragma once

#include <cstdint>
#include <string>

namespace hb::linkd {

struct GenerationResult {
  std::uint64_t generation = 0;
  bool persisted = false;  // false: the file could not be written (see `problem`)
  std::string problem;     // one sentence for the log when something was wrong
};

// Reads <dir>/hb_generation (missing = 0), adds one, writes it back through a temporary file
// that is fsync'd and renamed, then fsyncs the directory: a crash never leaves a lower or empty
// value behind. When `dir` cannot be written, falls back to the wall clock (heartbeat's
// `hbgenmethod time`), which still grows from run to run; `now_unix` is that clock.
GenerationResult next_generation(const std::string& dir, std::int64_t now_unix);

// The directory for hb_generation: $STATE_DIRECTORY (what systemd's StateDirectory=hb sets; the
// first entry if it lists several), else the build's HB_STATEDIR.
std::string state_directory();

}  // namespace hb::linkd
