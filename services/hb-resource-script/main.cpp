// hb-resource-script NAME [ARG...] start|stop|status: runs one heartbeat resource script
// (haresources' NAME::ARG::ARG) under heartbeat's contract (contract.hpp). hb-resourced makes it
// the ExecStart= and ExecStop= of the resource's transient unit. The script is looked up on every
// run, in /etc/ha.d/resource.d then /etc/init.d, so one installed later, or one on the shared
// disk the group mounted just before, is found; it runs with heartbeat's environment
// (core/resource/script_environment.hpp). HB_RESOURCE_SCRIPT_DIRS=DIR:DIR replaces the
// directories, for tests only.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "contract.hpp"
#include "core/resource/script_environment.hpp"
#include "core/resource/script_lookup.hpp"

namespace {

using namespace hb;

int usage() {
  std::fprintf(stderr, "Usage: hb-resource-script NAME [ARG...] start|stop|status\n");
  return 2;  // LSB: invalid or excess arguments
}

std::vector<std::string> directories() {
  if (const char* dirs = std::getenv("HB_RESOURCE_SCRIPT_DIRS"))
    return resource::parse_directories(dirs);
  return resource::default_script_directories();
}

std::string find_script(const std::string& name) {
  // heartbeat's test: a regular file (-f) that may be executed (-x).
  for (const auto& path : resource::script_candidates(name, directories())) {
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0)
      return path;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string name = argv[1];
  const std::string action = argv[argc - 1];
  if (action != "start" && action != "stop" && action != "status") return usage();
  std::string label = name;
  for (int i = 2; i < argc - 1; ++i) label += std::string("::") + argv[i];

  const std::string path = find_script(name);
  if (path.empty()) {
    std::string where;
    for (const auto& d : directories()) where += (where.empty() ? "" : ", ") + d;
    std::fprintf(stderr, "%s: Cannot locate resource script %s (in %s)\n", label.c_str(),
                 name.c_str(), where.c_str());
    // Nothing can run what is not there: a stop has nothing to do (heartbeat took such a stop
    // as done too); start and status fail, with LSB's "not installed" for start.
    if (action == "stop") return 0;
    return action == "start" ? 5 : 1;
  }

  for (const auto& [var, value] : resource::fixed_environment())
    setenv(var.c_str(), value.c_str(), 0);

  hb::resource_script::Script script{{path}, label};
  for (int i = 2; i < argc - 1; ++i) script.argv.emplace_back(argv[i]);
  hb::resource_script::Contract contract(
      script, hb::resource_script::call_script,
      [](std::chrono::milliseconds pause) { std::this_thread::sleep_for(pause); });
  if (action == "start") return contract.start();
  if (action == "stop") return contract.stop();
  return contract.status();
}
