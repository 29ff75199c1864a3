// hb-membershipd's cost at rest and under link churn, for 2 and 32 nodes: the real binary on a
// private dbus-daemon, fed by the tests' fake hb-linkd (tests/bus/membership/fake_link1.hpp).
//
//   idle_bench [SECONDS]   (default 10 s idle window per configuration)
//
// Prints, per node count and with ha.cf `realtime` on (SCHED_RR + mlockall, as deployed) and off:
// CPU % over the idle window, VmRSS / VmHWM, and CPU µs per LinkChanged while every peer's link
// flaps.
#include <cstdio>
#include <ctime>
#include <memory>

#include "fake_link1.hpp"

using namespace hb::test;

namespace {

struct Usage {
  double cpu_sec = 0;
  long rss_kb = 0, hwm_kb = 0;
};

Usage usage(pid_t pid) {
  Usage u;
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  // Fields after the ")" of comm: state is field 3; utime 14, stime 15.
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::string f;
  unsigned long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> f; ++i) {
    if (i == 14) utime = std::stoul(f);
    if (i == 15) stime = std::stoul(f);
  }
  u.cpu_sec = double(utime + stime) / double(sysconf(_SC_CLK_TCK));
  // schedstat's first field is the time on CPU in ns: finer than clock ticks.
  std::istringstream ss(read_file("/proc/" + std::to_string(pid) + "/schedstat"));
  unsigned long long ns = 0;
  if (ss >> ns) u.cpu_sec = double(ns) / 1e9;
  std::istringstream st(read_file("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(st, line);) {
    if (line.rfind("VmRSS:", 0) == 0) u.rss_kb = std::stol(line.substr(6));
    if (line.rfind("VmHWM:", 0) == 0) u.hwm_kb = std::stol(line.substr(6));
  }
  return u;
}

int run(const char* exe, int nodes, bool realtime, int seconds) {
  TempDir tmp;
  const fs::path conf = tmp.path() / "ha.d";
  fs::create_directories(conf);
  std::vector<std::string> peers;
  {
    std::ofstream cf(conf / "ha.cf");
    cf << "keepalive 100ms\ndeadtime 500ms\nwarntime 300ms\ninitdead 1\nbcast eth0 eth1\n"
       << "realtime " << (realtime ? "on" : "off") << "\n";
    for (int i = 1; i <= nodes; ++i) {
      cf << "node ha" << i << "\n";
      if (i > 1) peers.push_back("ha" + std::to_string(i));
    }
  }
  std::ofstream(conf / "authkeys") << "auth 1\n1 crc\n";
  fs::permissions(conf / "authkeys", fs::perms::owner_read | fs::perms::owner_write);
  PrivateBus bus(tmp.path());
  FakeLink1 link1(bus.address(), peers, {"eth0", "eth1"});
  for (const auto& p : peers) {
    link1.set_link(p, "eth0", "up", false);
    link1.set_link(p, "eth1", "up", false);
  }
  link1.own();
  MembershipClient client(bus.address());
  const std::string log = (tmp.path() / "membershipd.log").string();
  Child daemon({exe, "--config-dir", conf.string(), "--node", "ha1"},
               {"DBUS_SYSTEM_BUS_ADDRESS=" + bus.address()}, log);
  std::vector<Conn*> conns{&link1.conn(), &client.conn()};
  if (!wait_until(conns, [&] { return client.name_owned(); }) ||
      client.state(peers.back()) != "up") {
    std::fprintf(stderr, "hb-membershipd did not come up:\n%s\n", read_file(log).c_str());
    return 1;
  }
  // Idle: nothing happens on the bus; whatever it spends is its own overhead.
  const Usage a = usage(daemon.pid());
  wait_until(
      conns, [] { return false; }, std::chrono::seconds(seconds));
  const Usage b = usage(daemon.pid());

  // Churn: each peer's eth0 goes dead and up again (the node stays up), 50 rounds.
  const int rounds = 50;
  const Usage c = usage(daemon.pid());
  for (int r = 0; r < rounds; ++r) {
    for (const auto& p : peers) {
      link1.set_link(p, "eth0", "dead");
      link1.set_link(p, "eth0", "up");
    }
    link1.conn().process();
    sd_bus_flush(link1.conn().get());
  }
  // Then one node transition as a marker: everything before it has been handled.
  link1.set_link(peers.front(), "eth0", "dead");
  link1.set_link(peers.front(), "eth1", "dead");
  if (!wait_until(conns, [&] { return client.saw({peers.front(), "up", "dead", 1, {}}); })) {
    std::fprintf(stderr, "no NodeChanged after the churn\n");
    return 1;
  }
  const Usage d = usage(daemon.pid());
  const double events = double(rounds) * double(peers.size()) * 2 + 2;

  std::printf(
      "%2d nodes, realtime %-3s: idle CPU %.4f %% over %d s, VmRSS %ld kB (VmHWM %ld kB); "
      "churn %.0f LinkChanged: %.1f us CPU each\n",
      nodes, realtime ? "on" : "off", 100.0 * (b.cpu_sec - a.cpu_sec) / seconds, seconds, b.rss_kb,
      d.hwm_kb, events, 1e6 * (d.cpu_sec - c.cpu_sec) / events);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const char* exe = std::getenv("HB_MEMBERSHIPD");
  if (exe == nullptr || ::access("/usr/bin/dbus-daemon", X_OK) != 0) {
    std::fprintf(stderr, "SKIP: needs HB_MEMBERSHIPD and dbus-daemon\n");
    return 77;
  }
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 10;
  int rc = 0;
  for (int nodes : {2, 32})
    for (bool rt : {true, false}) rc |= run(exe, nodes, rt, seconds);
  return rc;
}
