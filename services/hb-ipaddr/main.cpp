// hb-ipaddr start|stop|status|announce SPEC: the IP resource of haresources (heartbeat's
// IPaddr/IPaddr2 shorthand a.b.c.d[/prefix[/iface[:label]][/bcast]]). start adds the address and
// sends gratuitous ARPs as IPaddr2 does (5, 200 ms apart: the first at once, the rest from a child
// so the start is not delayed); stop removes it; status exits 0 when present, 3 when not (LSB);
// announce sends the gratuitous ARPs again for an address that is present (the unit's reload,
// after a healed split brain), and exits 3 when it is not.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <thread>

#include "core/config/haresources.hpp"
#include "garp.hpp"
#include "netlink_addr.hpp"

namespace {

constexpr int arp_count = 5;
constexpr auto arp_interval = std::chrono::milliseconds(200);

int usage() {
  std::fprintf(stderr,
               "Usage: hb-ipaddr start|stop|status|announce "
               "a.b.c.d[/prefix[/iface[:label]][/bcast]]\n");
  return 2;  // LSB: invalid or excess arguments
}

std::string text(const hb::ipaddr::Placement& p) {
  char a[32];
  unsigned char b[4];
  std::memcpy(b, &p.address, 4);
  std::snprintf(a, sizeof a, "%u.%u.%u.%u/%d", b[0], b[1], b[2], b[3], p.prefix_length);
  return std::string(a) + " on " + (p.label.empty() ? p.interface : p.label);
}

void announce(const hb::ipaddr::Placement& p) {
  std::optional<hb::ipaddr::GarpSocket> sock;
  try {
    sock.emplace();
    sock->send(p.ifindex, p.mac, p.address);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hb-ipaddr: %s\n", e.what());  // the address is up; ARPs are a bonus
    return;
  }
  std::fflush(nullptr);
  pid_t child = fork();
  if (child < 0) return;  // no repeats; the socket closes here, slowly but correctly
  if (child > 0) {
    // The child holds the socket now: our exit drops a reference, not the socket, so the start
    // job does not wait for the kernel's slow packet-socket release (garp.hpp).
    sock->release();
    return;
  }
  // The child must not hold the caller's stdout/stderr open (a pipe reader would wait for it).
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
  }
  for (int i = 1; i < arp_count; ++i) {
    std::this_thread::sleep_for(arp_interval);
    try {
      sock->send(p.ifindex, p.mac, p.address);
    } catch (const std::exception&) {
      break;
    }
  }
  _exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return usage();
  std::string verb = argv[1];
  std::string error;
  auto spec = hb::config::parse_ip_spec(argv[2], error);
  if (!spec) {
    std::fprintf(stderr, "hb-ipaddr: %s\n", error.c_str());
    return 2;
  }
  try {
    if (verb == "start") {
      auto p = hb::ipaddr::resolve(*spec);
      hb::ipaddr::add(p);
      std::printf("hb-ipaddr: %s\n", text(p).c_str());
      announce(p);
      return 0;
    }
    if (verb == "stop") {
      hb::ipaddr::remove(*spec);
      return 0;
    }
    if (verb == "announce") {
      if (hb::ipaddr::holder(*spec).empty()) {
        std::fprintf(stderr, "hb-ipaddr: %s is not on this node: nothing to announce\n",
                     spec->address.c_str());
        return 3;
      }
      auto p = hb::ipaddr::resolve(*spec);
      std::printf("hb-ipaddr: announcing %s again\n", text(p).c_str());
      announce(p);
      return 0;
    }
    if (verb == "status") {
      std::string on = hb::ipaddr::holder(*spec);
      std::printf("%s %s\n", spec->address.c_str(),
                  on.empty() ? "is not running" : ("is running on " + on).c_str());
      return on.empty() ? 3 : 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hb-ipaddr: %s %s: %s\n", verb.c_str(), argv[2], e.what());
    return 1;
  }
  return usage();
}
