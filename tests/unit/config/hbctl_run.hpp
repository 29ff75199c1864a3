// `hbctl` run as a process by the config tests, as an admin runs it: its exit code and output.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "temp_dir.hpp"

namespace hb::config::testing {

struct HbctlRun {
  int exit_code;
  std::string out;
  std::string err;
};

// $HBCTL with ARGS (a shell word list), stdout and stderr captured apart.
inline HbctlRun hbctl(const std::string& args) {
  TempDir io;
  const std::string cmd = std::string(std::getenv("HBCTL")) + " " + args + " >" + io.path() +
                          "/out 2>" + io.path() + "/err";
  int status = std::system(cmd.c_str());
  return HbctlRun{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(io.path() + "/out"),
                  read_text(io.path() + "/err")};
}

}  // namespace hb::config::testing
