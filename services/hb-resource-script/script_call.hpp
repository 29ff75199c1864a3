// Runs one call of a resource script (`script args... action`) as a child process and waits for
// it: standard input from /dev/null, standard error (and standard output, unless it is captured)
// shared with the runner, so under systemd both go to the resource unit's journal.
#pragma once

#include <string>
#include <vector>

namespace hb::resource_script {

struct CallResult {
  // The exit code, or 128 + the signal that ended it (as a shell reports it); 127 when the
  // script could not be executed at all.
  int exit_code = 0;
  std::string output;  // standard output, when captured (at most capture_limit bytes kept)
};

// What is kept of a captured output: heartbeat matched the whole output, but a status answer
// that says something says it early; the rest is read and dropped, so the script never blocks.
inline constexpr std::size_t capture_limit = 64 * 1024;

// Runs `argv` (argv[0] is the script's path) in the runner's environment.
CallResult call_script(const std::vector<std::string>& argv, bool capture_output);

}  // namespace hb::resource_script
