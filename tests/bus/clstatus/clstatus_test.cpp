// cl_status and hbctl as a user runs them, against the real hb-membershipd fed by fake hb-linkd,
// hb-resourced and ipfaild on a private dbus-daemon: each cl_status sub-command's output and exit
// code for a known state and after changes (a peer dead, a ping node lost, ipfaild gone, hb
// stopped), the ping node in `hbctl status --json` following ipfail1, and `hbctl watch` in a
// tmux pane showing a group's new owner without a key press.
#include <fcntl.h>
#include <sys/wait.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../fakes/daemon_fixture.hpp"
#include "../fakes/fake_ipfail1.hpp"
#include "../fakes/fake_membership1.hpp"
#include "../fakes/fake_resource1.hpp"
#include "../membership/fake_link1.hpp"

namespace hb::test {
namespace {

using json = nlohmann::json;

struct Ran {
  std::string out, err;
  int code = -1;
};

class ClStatus : public DaemonOnPrivateBus {
 protected:
  void SetUp() override {
    DaemonOnPrivateBus::SetUp();
    if (IsSkipped()) return;
    std::ofstream(conf_ / "ha.cf", std::ios::app) << "ping 192.0.2.1\n";
  }

  // Runs `argv` to its end while the fakes keep answering; its stdout, stderr and exit code.
  Ran run(std::vector<std::string> argv) {
    const fs::path out = tmp_.path() / "run.out", err = tmp_.path() / "run.err";
    fs::remove(out);
    fs::remove(err);
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    Child child(argv,
                {"DBUS_SYSTEM_BUS_ADDRESS=" + bus_->address(), "HB_CONFIG_DIR=" + conf_.string()},
                err.string(), fd);
    ::close(fd);
    int status = 0;
    EXPECT_TRUE(wait_until(conns_, [&] { return child.try_wait(status); })) << argv[0];
    return {read_file(out), read_file(err), WIFEXITED(status) ? WEXITSTATUS(status) : -1};
  }
  Ran cl_status(std::vector<std::string> args) {
    args.insert(args.begin(), std::getenv("HB_CL_STATUS"));
    return run(args);
  }
  json hbctl_status() {
    Ran r = run({std::getenv("HB_HBCTL"), "status", "--json"});
    return json::parse(r.out, nullptr, false);
  }
  std::string hbctl_status_ping_state() {
    const json status = hbctl_status();
    return node_of(status, "192.0.2.1").value("state", "");
  }
  static json node_of(const json& status, const std::string& name) {
    for (const auto& n : status["nodes"])
      if (n["name"] == name) return n;
    return nullptr;
  }

  std::vector<Conn*> conns_;
};

TEST_F(ClStatus, AnswersAsHeartbeatFromHbsDaemons) {
  FakeLink1 link(bus_->address(), {"ha2"}, {"eth0"});
  link.set_link("ha2", "eth0", "up", false);
  link.own();
  auto ipfail =
      std::make_unique<FakeIpfail1>(bus_->address(), std::vector<std::string>{"192.0.2.1"});
  ipfail->own();
  FakeResource1 resource(bus_->address(), {{seed_group_key, "ha1", "ha1", "running", {}}});
  resource.own();
  MembershipClient membership(bus_->address());
  conns_ = {&link.conn(), &ipfail->conn(), &resource.conn(), &membership.conn()};
  start("HB_MEMBERSHIPD", "ha1", tmp_.path() / "membershipd.log");
  ASSERT_TRUE(wait_until(conns_, [&] {
    return membership.state("ha2") == "up" && membership.state("192.0.2.1") == "up";
  })) << log();

  // The ping node's state is ipfaild's, in every view.
  EXPECT_EQ(hbctl_status_ping_state(), "up");

  Ran r = cl_status({"hbstatus"});
  EXPECT_EQ(r.out, "Heartbeat is running on this machine.\n");
  EXPECT_EQ(r.code, 0);
  r = cl_status({"listnodes"});
  EXPECT_EQ(r.out, "192.0.2.1\nha2\nha1\n");  // ha.cf's order reversed, as heartbeat's
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(cl_status({"listnodes", "-p"}).out, "192.0.2.1\n");
  r = cl_status({"nodestatus", "ha2"});
  EXPECT_EQ(r.out, "active\n");
  EXPECT_EQ(r.code, 0);
  r = cl_status({"nodestatus", "192.0.2.1"});
  EXPECT_EQ(r.out, "ping\n");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(cl_status({"nodetype", "192.0.2.1"}).out, "ping\n");
  EXPECT_EQ(cl_status({"nodetype", "ha2"}).out, "normal\n");
  EXPECT_EQ(cl_status({"nodeweight", "ha2"}).out, "100\n");
  EXPECT_EQ(cl_status({"nodesite", "ha2"}).out, "\n");
  EXPECT_EQ(cl_status({"listhblinks", "-v", "ha2"}).out, "\teth0\tup\n");
  r = cl_status({"hblinkstatus", "ha2", "eth0"});
  EXPECT_EQ(r.out, "up\n");
  EXPECT_EQ(r.code, 0);
  r = cl_status({"clientstatus", "ha1", "ipfail"});
  EXPECT_EQ(r.out, "online\n");
  EXPECT_EQ(r.code, 0);
  r = cl_status({"rscstatus"});
  EXPECT_EQ(r.out, "local\n");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(cl_status({"rscstatus", "-m"}).out, "This node is holding local resources.\n");
  r = cl_status({"hbparameter", "-p", "keepalive"});
  EXPECT_EQ(r.out, "100ms\n");
  EXPECT_EQ(r.code, 0);
  r = cl_status({"hbstatus", "-v"});
  EXPECT_NE(
      r.out.find(
          "managed by:\t\"haresources\"\n\n192.0.2.1\tping\t(nodetype: ping)\n\t192.0.2.1\tup\n"
          "\nha2\tactive\t(nodetype: normal)\n\teth0\tup\n"
          "\nha1\tactive\t(nodetype: normal)\n\teth0\tup\n"),
      std::string::npos)
      << r.out;

  // The ping node is lost: ipfaild says so, hb-membershipd mirrors it, every view follows.
  ipfail->set_state("192.0.2.1", "dead");
  ASSERT_TRUE(wait_until(conns_, [&] { return membership.state("192.0.2.1") == "dead"; }));
  r = cl_status({"nodestatus", "192.0.2.1"});
  EXPECT_EQ(r.out, "dead\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(hbctl_status_ping_state(), "dead");

  // The peer dies: its links dead, its clients offline; the group moved to it.
  link.set_link("ha2", "eth0", "dead");
  ASSERT_TRUE(wait_until(conns_, [&] { return membership.state("ha2") == "dead"; }));
  r = cl_status({"nodestatus", "ha2"});
  EXPECT_EQ(r.out, "dead\n");
  EXPECT_EQ(r.code, 1);
  r = cl_status({"hblinkstatus", "ha2", "eth0"});
  EXPECT_EQ(r.out, "dead\n");
  EXPECT_EQ(r.code, 1);
  r = cl_status({"clientstatus", "ha2", "ipfail"});
  EXPECT_EQ(r.out, "offline\n");
  EXPECT_EQ(r.code, 1);
  resource.set_group(seed_group_key, "ha2", "starting");
  EXPECT_EQ(cl_status({"rscstatus"}).out, "transition\n");
  resource.set_group(seed_group_key, "ha2", "running");
  EXPECT_EQ(cl_status({"rscstatus"}).out, "none\n");

  // ipfaild stops: nobody watches the ping node any more, and nobody says it is dead.
  conns_ = {&link.conn(), &resource.conn(), &membership.conn()};
  ipfail.reset();
  ASSERT_TRUE(wait_until(conns_, [&] { return membership.state("192.0.2.1") == "unknown"; }));
  r = cl_status({"nodestatus", "192.0.2.1"});
  EXPECT_EQ(r.out, "unknown\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(cl_status({"clientstatus", "ha1", "ipfail"}).out, "offline\n");
  const json status = hbctl_status();
  EXPECT_EQ(node_of(status, "192.0.2.1")["state"], "unknown") << status.dump();
  EXPECT_EQ(node_of(status, "192.0.2.1")["monitored"], false) << status.dump();

  // hb-membershipd stops while the other daemons run.
  daemon_.stop();
  ASSERT_TRUE(wait_until(conns_, [&] { return !membership.name_owned(); }));
  r = cl_status({"hbstatus"});
  EXPECT_EQ(r.out, "Heartbeat is apparently running on this machine, but refuses my connection\n");
  EXPECT_EQ(r.code, 0);
  r = cl_status({"listnodes"});
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("ERROR: Cannot signon with heartbeat\n"), std::string::npos) << r.err;
}

TEST_F(ClStatus, APingGroupIsUpWhileAnyMemberAnswers) {
  std::ofstream(conf_ / "ha.cf", std::ios::app) << "ping_group routers 192.0.2.2 192.0.2.3\n";
  FakeLink1 link(bus_->address(), {"ha2"}, {"eth0"});
  link.own();
  FakeIpfail1 ipfail(bus_->address(), {"192.0.2.1", "192.0.2.2", "192.0.2.3"});
  ipfail.own();
  MembershipClient membership(bus_->address());
  conns_ = {&link.conn(), &ipfail.conn(), &membership.conn()};
  start("HB_MEMBERSHIPD", "ha1", tmp_.path() / "membershipd.log");
  ASSERT_TRUE(wait_until(conns_, [&] { return membership.state("routers") == "up"; })) << log();
  EXPECT_EQ(cl_status({"listnodes", "-p"}).out, "routers\n192.0.2.1\n");
  EXPECT_EQ(cl_status({"nodestatus", "routers"}).out, "ping\n");

  ipfail.set_state("192.0.2.2", "dead");
  ipfail.set_state("192.0.2.1", "dead");
  ASSERT_TRUE(wait_until(conns_, [&] { return membership.state("192.0.2.1") == "dead"; }));
  EXPECT_EQ(membership.state("routers"), "up");  // 192.0.2.3 still answers
  ipfail.set_state("192.0.2.3", "dead");
  ASSERT_TRUE(wait_until(conns_, [&] { return membership.state("routers") == "dead"; }));
  Ran r = cl_status({"nodestatus", "routers"});
  EXPECT_EQ(r.out, "dead\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(cl_status({"listhblinks", "-v", "routers"}).out, "\trouters\tdead\n");
}

// tmux runs `hbctl watch` in a pane of its own server (its own socket), killed at the end.
class Tmux {
 public:
  explicit Tmux(const fs::path& socket) : socket_(socket.string()) {}
  ~Tmux() { shell("kill-server"); }
  int shell(const std::string& args) const {
    return std::system(("tmux -S '" + socket_ + "' " + args + " >/dev/null 2>&1").c_str());
  }
  std::string capture() const {
    std::string out;
    FILE* p =
        ::popen(("tmux -S '" + socket_ + "' capture-pane -p -t watch 2>/dev/null").c_str(), "r");
    if (p == nullptr) return out;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
    return out;
  }

 private:
  std::string socket_;
};

// The group's line in the pane reads "KEY OWNER STATE ..." (tmux drops trailing blanks).
bool shows_group(const std::string& pane, const std::string& owner, const std::string& state) {
  std::istringstream lines(pane);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string key, who, what;
    words >> key >> who >> what;
    if (key == seed_group_key && who == owner && what == state) return true;
  }
  return false;
}

TEST_F(ClStatus, WatchRedrawsOnAChangeWithoutAKeyPress) {
  if (std::system("command -v tmux >/dev/null 2>&1") != 0) GTEST_SKIP() << "tmux not installed";
  FakeMembership1 membership(bus_->address(), {"ha1", "ha2"});
  membership.own();
  FakeResource1 resource(bus_->address(), {{seed_group_key, "ha1", "ha1", "running", {}}});
  resource.own();
  conns_ = {&membership.conn(), &resource.conn(), client_.get()};

  Tmux tmux(tmp_.path() / "tmux.sock");
  ASSERT_EQ(tmux.shell("new-session -d -s watch -x 160 -y 40 'env DBUS_SYSTEM_BUS_ADDRESS=" +
                       bus_->address() + " " + std::getenv("HB_HBCTL") + " watch'"),
            0);
  ASSERT_TRUE(wait_until(conns_, [&] { return shows_group(tmux.capture(), "ha1", "running"); }))
      << tmux.capture();

  // The failover: hb-resourced says the group is on ha2 now; nobody touches the keyboard.
  resource.set_group(seed_group_key, "ha2", "running");
  EXPECT_TRUE(wait_until(conns_, [&] { return shows_group(tmux.capture(), "ha2", "running"); }))
      << tmux.capture();
  membership.set_state("ha2", "dead");
  EXPECT_TRUE(wait_until(conns_, [&] {
    const std::string pane = tmux.capture();
    return pane.find("1/2 nodes up") != std::string::npos;
  })) << tmux.capture();

  // q quits: the pane's command ends, and with it the session.
  tmux.shell("send-keys -t watch q");
  EXPECT_TRUE(wait_until(conns_, [&] { return tmux.shell("has-session -t watch") != 0; }));
}

}  // namespace
}  // namespace hb::test
