// hbctl config check: load /etc/ha.d exactly as the daemons do and print the normalized
// configuration, or every error as "file:line: message".
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "core/config/cluster_digest.hpp"
#include "core/config/json.hpp"
#include "core/config/security.hpp"
#include "hb_build_config.hpp"
#include "sys/config/load.hpp"

namespace hb::hbctl {
namespace {

void usage(std::ostream& out) {
  out << "Usage: hbctl config check [--config-dir DIR] [--node NAME] [--quiet]\n\n"
         "  --config-dir DIR  read DIR/ha.cf, DIR/hb.conf, DIR/authkeys, DIR/haresources\n"
         "                    (default "
      << HB_HA_D
      << ")\n"
         "  --node NAME       this node's name (default: uname -n)\n"
         "  --quiet, -q       print nothing on success (exit status only)\n\n"
         "Exit status: 0 valid, 65 invalid configuration, 64 usage error.\n"
         "authkeys is checked only when run as root.\n";
}

}  // namespace

int config_check(const std::vector<std::string>& args) {
  config::LoadOptions options;
  options.dir = HB_HA_D;
  bool quiet = false;
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
