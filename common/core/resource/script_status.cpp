// What a heartbeat resource script's `status` answer means (see script_status.hpp).
#include "core/resource/script_status.hpp"

namespace hb::resource {
namespace {

bool either(char c, char upper, char lower) {
  return c == upper || c == lower;
}

// "[Rr]unning" at `at`.
bool running_at(std::string_view text, std::size_t at) {
  return at + 7 <= text.size() && either(text[at], 'R', 'r') && text.substr(at + 1, 6) == "unning";
}

bool contains_running(std::string_view text, std::size_t from) {
  for (std::size_t i = from; i < text.size(); ++i)
    if (running_at(text, i)) return true;
  return false;
}

// `*[Nn][Oo][Tt]\ *[Rr]unning*`: the first "not " leaves the most text after it, so it alone
// decides whether a "[Rr]unning" follows.
bool says_not_running(std::string_view text) {
  for (std::size_t i = 0; i + 4 <= text.size(); ++i)
    if (either(text[i], 'N', 'n') && either(text[i + 1], 'O', 'o') &&
        either(text[i + 2], 'T', 't') && text[i + 3] == ' ')
      return contains_running(text, i + 4);
  return false;
}

}  // namespace

std::optional<ScriptStatus> status_from_text(std::string_view output) {
  if (says_not_running(output)) return ScriptStatus::stopped;
  if (contains_running(output, 0) || output.find("OK") != std::string_view::npos)
    return ScriptStatus::running;
  return std::nullopt;
}

ScriptStatus status_from_exit_code(int exit_code) {
  if (exit_code == 0) return ScriptStatus::running;
  // 7 is OCF's "not running": heartbeat's resource.d wrappers run resource-agents' OCF agents
  // and exit with the agent's code, printing "Resource is stopped", which no pattern matches.
  if (exit_code == 3 || exit_code == 7) return ScriptStatus::stopped;
  return ScriptStatus::failed;
}

ScriptStatus script_status(std::string_view output, int exit_code) {
  if (auto said = status_from_text(output)) return *said;
  return status_from_exit_code(exit_code);
}

int lsb_status_code(ScriptStatus status) {
  switch (status) {
    case ScriptStatus::running:
      return 0;
    case ScriptStatus::stopped:
      return 3;
    case ScriptStatus::failed:
      return 1;
  }
  return 1;
}

std::string_view to_string(ScriptStatus status) {
  switch (status) {
    case ScriptStatus::running:
      return "running";
    case ScriptStatus::stopped:
      return "stopped";
    case ScriptStatus::failed:
      return "failed";
  }
  return "failed";
}

}  // namespace hb::resource
