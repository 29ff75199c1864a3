// hb-respawn-generator: a systemd generator (systemd.generator(7)) turning ha.cf's `respawn`
// lines into units in the generator directory (see respawn_units.hpp). No ha.cf: nothing.
//
//   hb-respawn-generator NORMAL_DIR [EARLY_DIR LATE_DIR]
//
// HB_CONFIG_DIR overrides /etc/ha.d (tests). Problems go to stderr (the journal/kmsg at boot);
// an unreadable or broken ha.cf never fails the boot: the exit code is 0 unless writing fails.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/config/ha_cf.hpp"
#include "hb_build_config.hpp"
#include "respawn_units.hpp"

int main(int argc, char** argv) {
  if (argc != 2 && argc != 4) {
    std::cerr << "usage: hb-respawn-generator NORMAL_DIR [EARLY_DIR LATE_DIR]\n";
    return 1;
  }
  const std::string out = argv[1];
  const char* dir_env = std::getenv("HB_CONFIG_DIR");
  const std::string ha_cf_path = std::string(dir_env && *dir_env ? dir_env : HB_HA_D) + "/ha.cf";
  std::ifstream in(ha_cf_path);
  if (!in) return 0;
  std::stringstream text;
  text << in.rdbuf();
  // No local node: the generator only needs the respawn lines, whatever else ha.cf says.
  auto parsed = hb::config::parse_ha_cf(text.str(), ha_cf_path, "");
  for (const auto& d : parsed.diagnostics)
    if (d.severity == hb::config::Diagnostic::Severity::error)
      std::cerr << "hb-respawn-generator: " << d.str() << "\n";

  int rc = 0;
  for (const auto& f : hb::ipfaild::respawn_units(parsed.ha_cf, ha_cf_path, HB_UNITDIR)) {
    const std::string path = out + "/" + f.name;
    const auto slash = f.name.find('/');
    if (slash != std::string::npos) ::mkdir((out + "/" + f.name.substr(0, slash)).c_str(), 0755);
    bool ok;
    if (!f.symlink_to.empty()) {
      ::unlink(path.c_str());
      ok = ::symlink(f.symlink_to.c_str(), path.c_str()) == 0;
    } else {
      std::ofstream o(path, std::ios::trunc);
      o << f.content;
      o.close();
      ok = bool(o);
    }
    if (!ok) {
      std::cerr << "hb-respawn-generator: cannot write " << path << ": " << std::strerror(errno)
                << "\n";
      rc = 1;
    }
  }
  return rc;
}
