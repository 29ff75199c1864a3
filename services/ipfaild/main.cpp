// ipfaild: pings ha.cf's ping nodes and moves resources away when the peer reaches more of them
// (heartbeat's ipfail). See ipfaild.hpp.
#include <cstdlib>

#include "ipfaild.hpp"
#include "sys/daemon.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"
#include "sys/notify.hpp"

namespace {
// heartbeat's rule for respawned clients: exit 100 means "do not restart me"
// (ipfaild.service: RestartPreventExitStatus=100).
constexpr int exit_nothing_to_do = 100;
}  // namespace

int main(int argc, char** argv) {
  hb::sys::DaemonSpec spec{"ipfaild", "hb ipfail: fails over when this node loses its ping nodes",
                           hb::dbus::names::ipfail1::bus, hb::dbus::names::ipfail1::root};
  return hb::sys::run_daemon(spec, argc, argv, [](hb::sys::DaemonContext& ctx) {
    if (std::string why = hb::ipfaild::reason_to_exit(ctx.config); !why.empty()) {
      // Nothing was published yet (the bus name comes after setup), so leaving here is clean.
      hb::log::notice(hb::log::msgid::ipfail_idle,
                      "ipfaild has nothing to do: " + why + "; exiting with 100");
      hb::notify::status("Nothing to do: " + why);
      std::exit(exit_nothing_to_do);
    }
    auto d = std::make_shared<hb::ipfaild::Ipfaild>(ctx.io, ctx.bus, ctx.config, ctx.set_status,
                                                    ctx.load_again);
    return hb::sys::DaemonParts{d, d->status()};
  });
}
