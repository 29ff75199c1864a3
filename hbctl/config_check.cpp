// hbctl config check: load /etc/ha.d exactly as the daemons do and print the normalized
// configuration, or every error as "file:line: message"; with --heartbeat, what in the files
// only hb understands.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "core/config/cluster_digest.hpp"
#include "core/config/heartbeat_compat.hpp"
#include "core/config/json.hpp"
#include "core/config/security.hpp"
#include "hb_build_config.hpp"
#include "sys/config/load.hpp"

namespace hb::hbctl {
namespace {

void usage(std::ostream& out) {
  out << "Usage: hbctl config check [--config-dir DIR] [--node NAME] [--heartbeat] [--quiet]\n\n"
         "  --config-dir DIR  read DIR/ha.cf, DIR/hb.conf, DIR/authkeys, DIR/haresources\n"
         "                    (default "
      << HB_HA_D
      << ")\n"
         "  --node NAME       this node's name (default: uname -n)\n"
         "  --heartbeat       instead of the configuration, print every word only hb\n"
         "                    understands, as \"file:line: hb-only: ...\": what a node still\n"
         "                    running heartbeat 3.0.6 would refuse or read otherwise\n"
         "  --quiet, -q       print nothing on success (exit status only)\n\n"
         "Exit status: 0 valid, 65 invalid configuration (with --heartbeat: also when\n"
         "heartbeat 3.0.6 would refuse the files or read them otherwise; notes alone keep 0),\n"
         "64 usage error.\n"
         "authkeys is checked only when run as root.\n";
}

// This node as heartbeat would find it: its ResourceManager runs a resource's script if it is an
// executable file in resource.d (of the configuration directory) or /etc/init.d, and ha.cf's
// respawn programs must be executable files.
config::HeartbeatHost heartbeat_host(const std::string& dir) {
  config::HeartbeatHost host;
  host.hb_conf_file = dir + "/hb.conf";
  host.has_resource_script = [dir](const std::string& name) {
    for (const std::string& d : {dir + "/resource.d", std::string("/etc/init.d")}) {
      const std::string path = d + "/" + name;
      std::error_code ec;
      if (std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0) {
        return true;
      }
    }
    return false;
  };
  host.is_executable = [](const std::string& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
  };
  return host;
}

}  // namespace

int config_check(const std::vector<std::string>& args) {
  config::LoadOptions options;
  options.dir = HB_HA_D;
  bool quiet = false;
  bool heartbeat = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& flag, std::string& out) {
      if (a.rfind(flag + "=", 0) == 0) {
        out = a.substr(flag.size() + 1);
        return true;
      }
      if (a != flag) return false;
      if (i + 1 >= args.size()) {
        std::cerr << "hbctl config check: " << flag << " needs a value\n";
        out.clear();
        return true;
      }
      out = args[++i];
      return true;
    };
    if (a == "--help" || a == "-h") {
      usage(std::cout);
      return exit_ok;
    }
    if (a == "--quiet" || a == "-q") {
      quiet = true;
      continue;
    }
    if (a == "--heartbeat") {
      heartbeat = true;
      continue;
    }
    std::string v;
    if (value("--config-dir", v) || value("--dir", v)) {
      if (v.empty()) return exit_usage;
      options.dir = v;
      continue;
    }
    if (value("--node", v)) {
      if (v.empty()) return exit_usage;
      options.local_node = v;
      continue;
    }
    std::cerr << "hbctl config check: unknown argument \"" << a << "\"\n";
    usage(std::cerr);
    return exit_usage;
  }

  // Only root may read the key file (mode 600); as anyone else say so rather than fail.
  options.read_authkeys = ::geteuid() == 0;
  auto result = config::load(options);
  for (const auto& d : result.diagnostics) std::cerr << d.str() << "\n";
  if (!result.ok()) return exit_bad_config;
  // Valid but forgeable: said on every check (hb-linkd publishes the same in its Warnings).
  for (const auto& w : config::security_warnings(result.config)) {
    config::Diagnostic d{config::Diagnostic::Severity::warning, w.origin,
                         w.text + " [" + w.code + "]"};
    std::cerr << d.str() << "\n";
  }
  if (!options.read_authkeys && !quiet) {
    std::cerr << "hbctl: note: " << options.dir
              << "/authkeys not checked (only root can read it); run as root to check it\n";
  }
  if (heartbeat) {
    // Printed even with --quiet: they are the answer asked for.
    auto findings = config::heartbeat_findings(result.config, heartbeat_host(options.dir));
    for (const auto& f : findings) std::cout << f.str() << "\n";
    return config::heartbeat_misreads(findings) ? exit_bad_config : exit_ok;
  }
  // Replace, not throw, on bytes that are not UTF-8 (a haresources line with 0xff made hbctl
  // abort; found by tests/fuzz/config_parse_fuzz.cpp).
  if (quiet) return exit_ok;
  nlohmann::json j = config::to_json(result.config);
  // The digest hb-linkd sends its peers covers the keys: without them it would not be the one
  // the peers compare.
  if (options.read_authkeys) j["cluster_digest"] = config::cluster_digest(result.config);
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return exit_ok;
}

}  // namespace hb::hbctl
