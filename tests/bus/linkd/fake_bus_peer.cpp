// A stand-in for another service on a test's private bus, as its own process so that a test can
// stop it (SIGSTOP: hung) or kill it (gone): `fake_bus_peer ADDRESS NAME [RUNTIME_WATCHDOG_USEC]`
// owns NAME and answers org.freedesktop.DBus.Peer.Ping (sd-bus does that for every connection),
// which is all hb-linkd's watchdog asks of hb-resourced. As org.freedesktop.systemd1 it also
// serves the Manager's RuntimeWatchdogUSec (PID 1's own watchdog). Prints "ready" once the name
// is its own; runs until killed.
#include <systemd/sd-bus.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

std::uint64_t runtime_watchdog_usec = 0;

int get_runtime_watchdog(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply,
                         void*, sd_bus_error*) {
  return sd_bus_message_append(reply, "t", runtime_watchdog_usec);
}

const sd_bus_vtable systemd_manager[] = {
    SD_BUS_VTABLE_START(0), SD_BUS_PROPERTY("RuntimeWatchdogUSec", "t", get_runtime_watchdog, 0, 0),
    SD_BUS_VTABLE_END};

int fail(const char* what, int r) {
  std::fprintf(stderr, "fake_bus_peer: %s: %s\n", what, std::strerror(-r));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: fake_bus_peer ADDRESS NAME [RUNTIME_WATCHDOG_USEC]\n");
    return 64;
  }
  const std::string name = argv[2];
  if (argc == 4) runtime_watchdog_usec = std::strtoull(argv[3], nullptr, 10);
  sd_bus* bus = nullptr;
  int r = sd_bus_new(&bus);
  if (r < 0) return fail("sd_bus_new", r);
  if ((r = sd_bus_set_address(bus, argv[1])) < 0) return fail("address", r);
  if ((r = sd_bus_set_bus_client(bus, 1)) < 0) return fail("bus client", r);
  if ((r = sd_bus_start(bus)) < 0) return fail("connect", r);
  if (name == "org.freedesktop.systemd1") {
    r = sd_bus_add_object_vtable(bus, nullptr, "/org/freedesktop/systemd1",
                                 "org.freedesktop.systemd1.Manager", systemd_manager, nullptr);
    if (r < 0) return fail("vtable", r);
  }
  if ((r = sd_bus_request_name(bus, name.c_str(), 0)) < 0) return fail("request name", r);
  std::printf("ready\n");
  std::fflush(stdout);
  for (;;) {
    r = sd_bus_process(bus, nullptr);
    if (r < 0) return fail("process", r);
    if (r > 0) continue;
    r = sd_bus_wait(bus, UINT64_MAX);
    if (r < 0 && r != -EINTR) return fail("wait", r);
  }
}
