// hbctl: the one command-line tool for hb (heartbeat's cl_status, hb_standby, hb_takeover rolled
// into one). This file only dispatches; every subcommand lives in its own file.
#include <cstring>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "hb_build_config.hpp"

namespace {

using hb::hbctl::exit_usage;

struct Command {
  std::vector<std::string> words;  // e.g. {"config", "check"}
  const char* summary;
  std::function<int(const std::vector<std::string>&)> run;
};

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {{"config", "check"},
       "check /etc/ha.d and print it as JSON (--heartbeat: hb-only words)",
       hb::hbctl::config_check},
      // heartbeat-era spelling kept for ExecStartPre= lines (docs/style.md B8).
      {{"check-config"}, "same as \"config check\"", hb::hbctl::config_check},
      {{"reload"}, "check the changed files, then apply what reloads live", hb::hbctl::reload},
      {{"link-test"}, "test a serial heartbeat cable in both directions", hb::hbctl::link_test},
      {{"status"}, "nodes, links and resource groups (--json)", hb::hbctl::status},
      {{"nodes"}, "same as \"status\"", hb::hbctl::status},
      {{"watch"}, "status, redrawn live on every change (q quits)", hb::hbctl::watch},
      {{"standby"}, "give groups to the peer [all|local|foreign|failback]", hb::hbctl::standby},
      {{"takeover"}, "take groups from the peer [all|local|foreign|failback]", hb::hbctl::takeover},
      {{"move"}, "hand one group over to a node: GROUP NODE", hb::hbctl::move},
      {{"fence-confirm"}, "say that a node is down, as if fenced: NODE", hb::hbctl::fence_confirm},
      {{"forget-generation"},
       "hear NODE again after its generation started over: NODE",
       hb::hbctl::forget_generation},
      {{"log"}, "hb's journal entries as ha-log lines (--follow, --write-files)", hb::hbctl::log},
  };
  return table;
}

void print_help(std::ostream& out) {
  out << "Usage: hbctl [--help] [--version] COMMAND [ARGS...]\n\n"
         "Commands:\n";
  for (const auto& c : commands()) {
    std::string name;
    for (const auto& w : c.words) name += (name.empty() ? "" : " ") + w;
    out << "  " << name << std::string(name.size() < 16 ? 16 - name.size() : 1, ' ') << c.summary
        << "\n";
  }
  out << "\nRun \"hbctl COMMAND --help\" for a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_help(std::cerr);
    return exit_usage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_help(std::cout);
    return 0;
  }
  if (args[0] == "--version") {
    std::cout << "hbctl " << HB_VERSION << "\n";
    return 0;
  }
  for (const auto& c : commands()) {
    if (args.size() < c.words.size()) continue;
    if (!std::equal(c.words.begin(), c.words.end(), args.begin())) continue;
    return c.run(std::vector<std::string>(args.begin() + c.words.size(), args.end()));
  }
  std::cerr << "hbctl: unknown command \"" << args[0] << "\"";
  if (args[0] == "config") std::cerr << " (did you mean \"config check\"?)";
  std::cerr << "\n";
  print_help(std::cerr);
  return exit_usage;
}
