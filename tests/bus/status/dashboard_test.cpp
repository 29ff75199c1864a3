// hb-statusd's dashboard in a real browser (Debian's chromium, headless): the page served at /
// shows the group's owner, and when the fake hb-resourced moves the group the same page, never
// reloaded, shows the new owner, fed by the event stream. Screenshots before and after go to
// $HB_SCREENSHOT_DIR (the test's temporary directory when unset).
#include <httplib.h>

#include <cstdlib>

#include "../fakes/daemon_fixture.hpp"
#include "../fakes/fake_membership1.hpp"
#include "../fakes/fake_resource1.hpp"
#include "../membership/fake_link1.hpp"
#include "free_port.hpp"
#include "headless_chromium.hpp"

namespace hb::test {
namespace {

using nlohmann::json;

class Dashboard : public DaemonOnPrivateBus {
 protected:
  void SetUp() override {
    if (::access(chromium_path, X_OK) != 0)
      GTEST_SKIP() << "chromium is not installed (scripts/ensure-deps.sh test installs it)";
    DaemonOnPrivateBus::SetUp();
    if (IsSkipped()) return;
    port_ = free_port();
    std::ofstream(conf_ / "haresources") << "ha1 " << seed_group_key << " apache2\n";
    std::ofstream(conf_ / "hb.conf") << "[status]\nlisten = 127.0.0.1:" << port_ << "\n";
  }
  int port_ = 0;
};

TEST_F(Dashboard, ShowsAFailoverWithoutAReload) {
  FakeMembership1 membership(bus_->address(), {"ha1", "ha2"});
  membership.own();
  FakeLink1 link(bus_->address(), {"ha2"}, {"eth0"});
  link.set_link("ha2", "eth0", "up");
  link.own();
  FakeResource1 resource(
      bus_->address(),
      {{seed_group_key, "ha1", "ha1", "running", {{seed_group_key, seed_ip_unit, "active"}}}});
  resource.own();
  std::vector<Conn*> conns{&membership.conn(), &link.conn(), &resource.conn(), client_.get()};
  start("HB_STATUSD", "ha1", tmp_.path() / "statusd.log");
  ASSERT_TRUE(wait_until(conns, [&] {
    httplib::Client c("127.0.0.1", port_);
    auto r = c.Get("/api/v1/cluster");
    return r && r->status == 200 && json::parse(r->body)["groups"][0]["owner"] == "ha1";
  })) << log();

  const char* dir = std::getenv("HB_SCREENSHOT_DIR");
  const fs::path screens = dir && *dir ? fs::path(dir) : tmp_.path();
  fs::create_directories(screens);
  fs::create_directories(tmp_.path() / "profile");
  HeadlessChromium chromium(tmp_.path() / "profile", tmp_.path() / "chromium.log");
  const std::string page = chromium.open("http://127.0.0.1:" + std::to_string(port_) + "/");
  auto owner = [&] {
    return chromium.evaluate(page,
                             "(() => { const c = document.querySelector("
                             "'#groups tr[data-group=\"" +
                                 seed_group_key +
                                 "\"] td.owner'); return c ? c.textContent : ''; "
                                 "})()");
  };
  auto live = [&] {
    return chromium.evaluate(page, "document.getElementById('connection').textContent") == "live";
  };
  ASSERT_TRUE(wait_until(conns, [&] { return owner() == "ha1" && live(); }))
      << "the page shows " << owner() << "\n"
      << read_file(tmp_.path() / "chromium.log") << log();
  // A mark on this very page: a reload would lose it.
  chromium.evaluate(page, "window.hbSamePage = 'yes'");
  chromium.screenshot(page, screens / "dashboard-before.png");

  // The failover, as hb-resourced announces it.
  resource.set_group(seed_group_key, "ha2", "starting");
  resource.set_group(seed_group_key, "ha2", "running");
  ASSERT_TRUE(wait_until(
      conns,
      [&] {
        return owner() == "ha2" &&
               chromium.evaluate(
                   page, "document.querySelector('#groups td.state-running') !== null") == true;
      }))
      << "the page shows " << owner() << "\n"
      << log();
  EXPECT_EQ(chromium.evaluate(page, "window.hbSamePage"), "yes") << "the page was reloaded";
  // The takeover as hb-resourced counts it, and this node's own protocol.
  resource.set_takeovers(seed_group_key, 1, 84'000);
  ASSERT_TRUE(wait_until(conns, [&] {
    return chromium.evaluate(page, "document.querySelector('#groups td.takeovers').textContent") ==
           "1 (last 0.084 s)";
  })) << log();
  EXPECT_EQ(chromium.evaluate(page,
                              "document.querySelector('#nodes tr[data-node=\"ha1\"] "
                              "td.protocol').textContent"),
            "hb");
  // The event log lists the move.
  const json events = chromium.evaluate(page, "document.getElementById('events').textContent");
  EXPECT_NE(events.get<std::string>().find("→ ha2 running"), std::string::npos) << events;
  chromium.screenshot(page, screens / "dashboard-after.png");
  EXPECT_GT(fs::file_size(screens / "dashboard-after.png"), 1000u);
}

}  // namespace
}  // namespace hb::test
