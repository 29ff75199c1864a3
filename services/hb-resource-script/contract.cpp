// heartbeat's contract with a resource script: status before start, stop after a failed start,
// stop confirmed and retried (see contract.hpp).
#include "contract.hpp"

#include <cstdio>

namespace hb::resource_script {
namespace {

using resource::ScriptStatus;

// A failing call's exit code as the runner's own: the script's, when it is one a process can
// exit with and not 0.
int failure_code(int code) {
  return code > 0 && code < 256 ? code : 1;
}

// The first line of a status answer, for the journal.
std::string first_line(const std::string& text) {
  auto end = text.find('\n');
  std::string line = text.substr(0, end == std::string::npos ? text.size() : end);
  if (line.size() > 200) line = line.substr(0, 200) + "...";
  return line;
}

}  // namespace

Contract::Contract(Script script, Caller caller, Pause pause, StopRetries retries)
    : script_(std::move(script)),
      caller_(std::move(caller)),
      pause_(std::move(pause)),
      retries_(retries) {}

void Contract::say(const std::string& text) const {
  std::fprintf(stderr, "%s: %s\n", script_.label.c_str(), text.c_str());
  std::fflush(stderr);
}

CallResult Contract::run(const std::string& action, bool capture) {
  std::vector<std::string> argv = script_.argv;
  argv.push_back(action);
  return caller_(argv, capture);
}

ScriptStatus Contract::ask_status() {
  CallResult r = run("status", true);
  ScriptStatus s = resource::script_status(r.output, r.exit_code);
  say("status: " + std::string(resource::to_string(s)) + " (exit code " +
      std::to_string(r.exit_code) +
      (r.output.empty() ? "" : ", said \"" + first_line(r.output) + "\"") + ")");
  return s;
}

int Contract::status() {
  return resource::lsb_status_code(ask_status());
}

int Contract::start() {
  if (ask_status() == ScriptStatus::running) {
    say("already running: start skipped");
    return 0;
  }
  CallResult r = run("start", false);
  if (r.exit_code == 0) return 0;
  say("start failed (exit code " + std::to_string(r.exit_code) +
      "): stopping what it may have started");
  stop();
  return failure_code(r.exit_code);
}

int Contract::stop() {
  int last_code = 0;
  ScriptStatus last_status = ScriptStatus::stopped;
  for (int attempt = 0; attempt <= retries_.retries; ++attempt) {
    if (attempt > 0) {
      pause_(retries_.interval);
      say("retrying the stop (" + std::to_string(attempt) + " of " +
          std::to_string(retries_.retries) + ")");
    }
    last_code = run("stop", false).exit_code;
    if (last_code != 0) say("stop failed (exit code " + std::to_string(last_code) + ")");
    last_status = ask_status();
    if (last_code == 0 && last_status != ScriptStatus::running) return 0;
  }
  if (last_status == ScriptStatus::running) {
    say("still running after " + std::to_string(retries_.retries + 1) +
        " stops: the stop failed, and the product may still use its data");
    return last_code != 0 ? failure_code(last_code) : 1;
  }
  say("stop kept failing, but status says it is not running: taken as stopped (a script must "
      "succeed in stopping what is stopped)");
  return 0;
}

}  // namespace hb::resource_script
