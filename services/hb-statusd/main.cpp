// hb-statusd: the read-only HTTP status service. It reads the other daemons' objects and owns
// nothing on the bus but its name (for BusName= and LogControl1). This skeleton only runs.
#include "sys/daemon.hpp"
#include "sys/dbus/names.hpp"

int main(int argc, char** argv) {
  hb::sys::DaemonSpec spec{"hb-statusd", "hb status: read-only HTTP view of the cluster",
                           hb::dbus::names::status1::bus, /*root_path=*/""};
  return hb::sys::run_daemon(spec, argc, argv, [](hb::sys::DaemonContext&) {
    return hb::sys::DaemonParts{nullptr, "HTTP status not yet served"};
  });
}
