// This node's generation (heartbeat's `hg`): a counter bumped and made durable at every start,
// so peers can tell a restart (higher generation) from a replay of an old run (lower one).
// Kept like heartbeat's hb_generation: one fixed-width decimal number in <state dir>/hb_generation.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hb::linkd {

struct GenerationResult {
  std::uint64_t generation = 0;
  bool persisted = false;  // false: the file could not be written (see `problem`)
  std::string problem;     // one sentence for the log when something was wrong
  std::string note;        // one sentence for the log when the file was missing
};

// ha.cf's hbgenmethod.
enum class GenerationMethod { file, time };
GenerationMethod generation_method(const std::string& hbgenmethod);

// Reads <dir>/hb_generation, adds one, writes it back through a temporary file that is fsync'd
// and renamed, then fsyncs the directory: a crash never leaves a lower or empty value behind.
// With `time`, or when the file is missing or unreadable (a lost or replaced disk), the result
// is at least the wall clock `now_unix` (seconds), so it never starts over at 1 and never goes
// below a run peers remember. When `dir` cannot be written, the wall clock still orders runs.
GenerationResult next_generation(const std::string& dir, std::int64_t now_unix,
                                 GenerationMethod method = GenerationMethod::file);

// The highest generation heard from each peer, kept in <dir>/hb_peer_generations ("node
// generation" per line, decimal) so that after a restart of hb-linkd an older run's packets
// (a recorded t=shutdone) are still refused. Missing file = nothing known. Unparseable lines
// are skipped and reported in `problem`.
struct PeerGenerations {
  std::map<std::string, std::uint64_t> generations;
  std::string problem;
};
PeerGenerations load_peer_generations(const std::string& dir);
// Written like hb_generation: temporary file, fsync, rename, fsync of the directory. Returns
// "" or the problem.
std::string save_peer_generations(const std::string& dir,
                                  const std::map<std::string, std::uint64_t>& generations);

// Moves hb_generation and hb_peer_generations from `from` into `to` (hb-linkd's state moved to a
// directory of its own when it stopped running as root), so that no generation is ever lost:
// each is written into `to` first (atomically, owned by `to`'s owner), and only then removed
// from `from`. When both hold one, the higher generation wins (and per peer in the peers file):
// a downgrade and upgrade again never go backwards. Missing files in `from`: nothing to do.
struct Migration {
  std::vector<std::string> moved;  // file names
  std::string problem;             // "" or one sentence
};
Migration migrate_state(const std::string& from, const std::string& to);

// The directory for hb_generation: $STATE_DIRECTORY (what systemd's StateDirectory=hb sets; the
// first entry if it lists several), else the build's HB_STATEDIR.
std::string state_directory();

}  // namespace hb::linkd
