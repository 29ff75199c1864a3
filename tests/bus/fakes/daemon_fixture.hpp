// A real hb daemon on a private dbus-daemon, with the /etc/ha.d the test writes: the setup the
// bus tests that run hb-resourced (or hb-membershipd) against fakes share. Two nodes, ha1 and
// ha2, at the rig's fast timings; the test adds haresources (and authkeys) as it needs.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "../membership/harness.hpp"

namespace hb::test {

inline constexpr const char* two_node_ha_cf =
    "keepalive 100ms\n"
    "deadtime 1\n"
    "warntime 500ms\n"
    "initdead 2\n"
    "bcast eth0\n"
    "node ha1 ha2\n"
    "auto_failback on\n";
inline const std::string seed_group_key = "192.0.2.10";
inline const std::string seed_ip_unit = "hb-ipaddr@192.0.2.10.service";

class DaemonOnPrivateBus : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/usr/bin/dbus-daemon", X_OK) != 0) GTEST_SKIP() << "dbus-daemon not installed";
    conf_ = tmp_.path() / "ha.d";
    fs::create_directories(conf_);
    std::ofstream(conf_ / "ha.cf") << two_node_ha_cf;
    bus_ = std::make_unique<PrivateBus>(tmp_.path());
    client_ = std::make_unique<Conn>(bus_->address());
  }
  void TearDown() override { daemon_.stop(); }

  // Runs the binary that environment variable `env` names as node `node`, logging to `log`;
  // `extra_env` adds to its environment (e.g. CREDENTIALS_DIRECTORY=...).
  void start(const char* env, const std::string& node, const fs::path& log,
             std::vector<std::string> extra_env = {}) {
    const char* exe = std::getenv(env);
    ASSERT_NE(exe, nullptr) << env << " must name the daemon's binary";
    log_ = log;
    extra_env.push_back("DBUS_SYSTEM_BUS_ADDRESS=" + bus_->address());
    daemon_ =
        Child({exe, "--config-dir", conf_.string(), "--node", node}, extra_env, log_.string());
  }

  std::string log() const { return read_file(log_); }

  std::string get_string(const std::string& dest, const std::string& path, const std::string& iface,
                         const char* prop) {
    char* v = nullptr;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    std::string out;
    if (sd_bus_get_property_string(client_->get(), dest.c_str(), path.c_str(), iface.c_str(), prop,
                                   &e, &v) >= 0)
      out = v;
    sd_bus_error_free(&e);
    std::free(v);
    return out;
  }

  TempDir tmp_;
  fs::path conf_, log_;
  std::unique_ptr<PrivateBus> bus_;
  std::unique_ptr<Conn> client_;
  Child daemon_;
};

}  // namespace hb::test
