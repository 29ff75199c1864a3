// heartbeat's contract with a resource script, as hb's runner carries it out (facts from
// heartbeat 3.0.6's ResourceManager: acquireresourcegroup, giveupresourcegroup,
// we_own_resource; the status rule itself is core/resource/script_status.hpp):
//   start   asks `status` first and skips the start of what already runs; a start that fails
//           is followed by a stop, so nothing half-started is left behind (heartbeat stopped
//           the whole group then; hb-resourced stops the rest of the group itself).
//   stop    runs `stop` and confirms with `status`; a stop that fails, or after which the
//           product still runs, is tried again every second, ten more times (heartbeat's
//           HA_STOPRETRYMAX=10, one second apart). Still running after that: a failed stop
//           (heartbeat rebooted the node; hb escalates, docs/resources.md). A stop that keeps
//           failing while `status` says the product is not running is taken as stopped, with a
//           warning, as heartbeat did for init scripts that fail to stop what is stopped.
//   status  0 running, 3 stopped, 1 failed.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/resource/script_status.hpp"
#include "script_call.hpp"

namespace hb::resource_script {

struct Script {
  std::vector<std::string> argv;  // the script's path and its arguments, without the action
  std::string label;              // how messages name it (the haresources word)
};

struct StopRetries {
  int retries = 10;                          // attempts after the first
  std::chrono::milliseconds interval{1000};  // between two attempts
};

class Contract {
 public:
  using Caller = std::function<CallResult(const std::vector<std::string>& argv, bool capture)>;
  using Pause = std::function<void(std::chrono::milliseconds)>;

  Contract(Script script, Caller caller, Pause pause, StopRetries retries = {});

  // Each returns the runner's exit code.
  int start();
  int stop();
  int status();

 private:
  resource::ScriptStatus ask_status();
  CallResult run(const std::string& action, bool capture);
  void say(const std::string& text) const;

  Script script_;
  Caller caller_;
  Pause pause_;
  StopRetries retries_;
};

}  // namespace hb::resource_script
