// common/sys as a daemon uses it: logging where there is no journal (plain stderr lines, and no
// logfile/debugfile of its own), the drop-log rate limiter, and the Asio bus driver carrying an
// asynchronous call between two connections on one io_context; and ha.cf's logfile/debugfile as
// `hbctl log --write-files` appends to them (heartbeat's rule, logrotate); any D-Bus value as JSON.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sys/dbus/asio_driver.hpp"
#include "sys/dbus/error.hpp"
#include "sys/dbus/json_reader.hpp"
#include "sys/dbus/vtable.hpp"
#include "sys/log.hpp"
#include "sys/log_files.hpp"
#include "sys/rate_limit.hpp"

namespace {

using namespace std::chrono_literals;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `f` with stderr redirected to a file; returns what it wrote.
template <class F>
std::string capture_stderr(F f) {
  char path[] = "/tmp/hb-stderr-XXXXXX";
  int fd = mkstemp(path);
  std::fflush(stderr);
  int saved = dup(STDERR_FILENO);
  dup2(fd, STDERR_FILENO);
  f();
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  std::string out = slurp(path);
  unlink(path);
  return out;
}

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("JOURNAL_STREAM");
    hb::log::init("hb-test");
    hb::log::set_target(hb::log::Target::automatic);
    hb::log::set_level(hb::log::Level::info);
    char d[] = "/tmp/hb-log-XXXXXX";
    dir_ = mkdtemp(d);
  }
  void TearDown() override {
    hb::log::configure(hb::config::HaCf{});
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
};

TEST_F(LogTest, WithoutJournalStderrGetsPlainLinesWithFieldsFilledIn) {
  std::string out = capture_stderr([] {
    hb::log::warning("", "late heartbeat from {HB_NODE}", {{"HB_NODE", "ha2.haw2.ibm.com"}});
    hb::log::debug("", "not shown at level info");
  });
  EXPECT_EQ(out, "hb-test: late heartbeat from ha2.haw2.ibm.com\n");
}

// ha.cf's logfile is hbctl log's (hb-log.service) now: a daemon, which may not be root, only
// logs to the journal and never opens it.
TEST_F(LogTest, DaemonsDoNotWriteLogfileOrDebugfile) {
  hb::config::HaCf ha_cf;
  ha_cf.logfile = dir_ + "/ha-log";
  ha_cf.debugfile = dir_ + "/ha-debug";
  ha_cf.debug = 1;
  hb::log::configure(ha_cf);
  capture_stderr([] { hb::log::info("", "Link ha2:eth0 up."); });
  EXPECT_NE(access(ha_cf.logfile.c_str(), F_OK), 0);
  EXPECT_NE(access(ha_cf.debugfile.c_str(), F_OK), 0);
}

constexpr const char* info_line = "hb-linkd[12]: 2026/11/25_14:00:00 info: Link ha2:eth0 up.\n";
constexpr const char* debug_line = "hb-linkd[12]: 2026/11/25_14:00:01 debug: keepalive sent\n";
constexpr const char* error_line = "hb-resourced[13]: 2026/11/25_14:00:02 ERROR: no apache2\n";

// heartbeat's rule: the logfile gets the lines up to info, the debugfile every line; both are
// appended to, 0640 whatever the umask lets through.
TEST_F(LogTest, LogFilesAppendByHeartbeatsRule) {
  const std::string logfile = dir_ + "/ha-log", debugfile = dir_ + "/ha-debug";
  std::ofstream(logfile) << "an older line\n";
  const mode_t old_umask = umask(022);
  {
    hb::log::LogFiles files(logfile, debugfile);
    EXPECT_FALSE(files.empty());
    files.add(6, info_line);
    files.add(7, debug_line);
    EXPECT_EQ(files.write_batch(), "");
    files.add(3, error_line);
    EXPECT_EQ(files.write_batch(), "");
  }
  umask(old_umask);
  EXPECT_EQ(slurp(logfile), std::string("an older line\n") + info_line + error_line);
  EXPECT_EQ(slurp(debugfile), std::string(info_line) + debug_line + error_line);
  struct stat st {};
  ASSERT_EQ(stat(debugfile.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST_F(LogTest, LogFilesWithoutPathsWriteNothing) {
  hb::log::LogFiles none("", "");
  EXPECT_TRUE(none.empty());
  hb::log::LogFiles debug_only("", dir_ + "/ha-debug");
  debug_only.add(6, info_line);
  EXPECT_EQ(debug_only.write_batch(), "");
  EXPECT_EQ(slurp(dir_ + "/ha-debug"), info_line);
  EXPECT_NE(access((dir_ + "/ha-log").c_str(), F_OK), 0);
}

// logrotate renames ha-log (then `create`s a new one, or not) or copies and removes it: the next
// batch goes to a file of that name, the old one keeps what it had.
TEST_F(LogTest, LogfileIsReopenedAfterRotationByRename) {
  const std::string logfile = dir_ + "/ha-log";
  hb::log::LogFiles files(logfile, "");
  files.add(6, "before rotation\n");
  ASSERT_EQ(files.write_batch(), "");
  ASSERT_EQ(std::rename(logfile.c_str(), (dir_ + "/ha-log.1").c_str()), 0);
  files.add(6, "after rotation\n");
  ASSERT_EQ(files.write_batch(), "");
  ASSERT_EQ(std::rename(logfile.c_str(), (dir_ + "/ha-log.2").c_str()), 0);
  std::ofstream(logfile) << "";  // logrotate's `create`
  files.add(6, "after create\n");
  ASSERT_EQ(files.write_batch(), "");
  EXPECT_EQ(slurp(dir_ + "/ha-log.1"), "before rotation\n");
  EXPECT_EQ(slurp(dir_ + "/ha-log.2"), "after rotation\n");
  EXPECT_EQ(slurp(logfile), "after create\n");
}

TEST_F(LogTest, LogfileIsReopenedAfterRotationByRemove) {
  const std::string logfile = dir_ + "/ha-log";
  hb::log::LogFiles files(logfile, "");
  files.add(6, "before removal\n");
  ASSERT_EQ(files.write_batch(), "");
  ASSERT_EQ(std::remove(logfile.c_str()), 0);
  files.add(6, "after removal\n");
  ASSERT_EQ(files.write_batch(), "");
  EXPECT_EQ(slurp(logfile), "after removal\n");
}

// A symlink planted where ha-log should be is not followed (and said), and a directory that is
// missing is said; neither stops the other file.
TEST_F(LogTest, LogFilesRefuseSymlinksAndSayWhatFailed) {
  const std::string logfile = dir_ + "/ha-log", target = dir_ + "/target";
  ASSERT_EQ(symlink(target.c_str(), logfile.c_str()), 0);
  hb::log::LogFiles files(logfile, dir_ + "/missing/ha-debug");
  files.add(6, info_line);
  const std::string errors = files.write_batch();
  EXPECT_NE(errors.find(logfile + ": "), std::string::npos) << errors;
  EXPECT_NE(errors.find(dir_ + "/missing/ha-debug: No such file or directory"), std::string::npos)
      << errors;
  EXPECT_NE(access(target.c_str(), F_OK), 0);
}

TEST(LogNames, FacilitiesAndLevelsAsSyslogNamesThem) {
  EXPECT_EQ(hb::log::facility_number("local0"), 16);
  EXPECT_EQ(hb::log::facility_number("local7"), 23);
  EXPECT_EQ(hb::log::facility_number("daemon"), 3);
  EXPECT_EQ(hb::log::facility_number("none"), std::nullopt);
  EXPECT_EQ(hb::log::parse_level("warning"), hb::log::Level::warning);
  EXPECT_STREQ(hb::log::level_name(hb::log::Level::err), "err");
  EXPECT_EQ(hb::log::parse_level("loud"), std::nullopt);
}

TEST(RateLimitedCounter, OneReportPerWindowWithTheTotal) {
  hb::log::RateLimitedCounter c(10s);
  auto t0 = std::chrono::steady_clock::time_point{} + 100s;
  EXPECT_EQ(c.add(t0), 1u);  // the first one is reported at once
  EXPECT_EQ(c.add(t0 + 1s), std::nullopt);
  EXPECT_EQ(c.add(t0 + 2s, 5), std::nullopt);
  EXPECT_EQ(c.flush(t0 + 9s), std::nullopt);
  EXPECT_EQ(c.flush(t0 + 10s), 6u);  // "dropped 6 ... in 10s"
  EXPECT_EQ(c.flush(t0 + 30s), std::nullopt);
  EXPECT_EQ(c.add(t0 + 31s), 1u);
}

struct Echo {
  hb::dbus::Message echo(hb::dbus::Message& call) {
    auto s = call.read<std::string>();
    if (s == "boom") throw std::runtime_error("exploded");
    auto reply = call.new_reply();
    reply.append(s + "!");
    return reply;
  }
};

const sd_bus_vtable echo_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("Echo", SD_BUS_ARGS("s", text), SD_BUS_RESULT("s", echoed),
                            hb::dbus::method<&Echo::echo>, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END};

// Both ends on one io_context, as two daemons would be on one bus: only call_async can work
// here, and only if the driver wakes up for the output, the reply and the timeout.
class DriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    sd_bus *s = nullptr, *c = nullptr;
    sd_id128_t id;
    sd_id128_randomize(&id);
    sd_bus_new(&s);
    sd_bus_set_fd(s, fds[0], fds[0]);
    sd_bus_set_server(s, 1, id);
    ASSERT_GE(sd_bus_start(s), 0);
    sd_bus_new(&c);
    sd_bus_set_fd(c, fds[1], fds[1]);
    ASSERT_GE(sd_bus_start(c), 0);
    server_.emplace(hb::dbus::Bus::adopt(s));
    client_.emplace(hb::dbus::Bus::adopt(c));
    slot_ = server_->add_object_vtable("/test", "io.github.hbcluster.Test", echo_vtable, &echo_);
    server_driver_.emplace(io_, *server_, [](int) {});
    client_driver_.emplace(io_, *client_, [](int) {});
  }

  void TearDown() override {
    // Closed first, so that destruction does not wait to flush to a peer nobody serves.
    sd_bus_close(client_->get());
    sd_bus_close(server_->get());
  }

  // Runs the loop until `done` or 10 s (a guard, not a wait).
  void run_until(const bool& done) {
    boost::asio::steady_timer guard(io_, 10s);
    guard.async_wait([this](boost::system::error_code ec) {
      if (!ec) io_.stop();
    });
    while (!done && !io_.stopped()) io_.run_one();
  }

  boost::asio::io_context io_;
  Echo echo_;
  std::optional<hb::dbus::Bus> server_, client_;
  hb::dbus::Slot slot_;
  std::optional<hb::dbus::AsioBusDriver> server_driver_, client_driver_;
};

TEST_F(DriverTest, AsyncCallGetsItsReply) {
  auto call = client_->new_method_call("", "/test", "io.github.hbcluster.Test", "Echo");
  call.append("hello");
  std::string got;
  bool done = false;
  auto slot = client_->call_async(call, [&](hb::dbus::Message& reply) {
    if (!reply.error()) got = reply.read<std::string>();
    done = true;
  });
  run_until(done);
  EXPECT_EQ(got, "hello!");
}

TEST_F(DriverTest, HandlerExceptionBecomesADBusError) {
  auto call = client_->new_method_call("", "/test", "io.github.hbcluster.Test", "Echo");
  call.append("boom");
  std::string error, message;
  bool done = false;
  auto slot = client_->call_async(call, [&](hb::dbus::Message& reply) {
    if (reply.error()) {
      error = reply.error()->name;
      message = reply.error()->message;
    }
    done = true;
  });
  run_until(done);
  EXPECT_EQ(error, SD_BUS_ERROR_FAILED);
  EXPECT_EQ(message, "exploded");
}

TEST_F(DriverTest, UnansweredCallTimesOutThroughTheTimer) {
  // One answered call first, so the connection is past its authentication.
  auto first = client_->new_method_call("", "/test", "io.github.hbcluster.Test", "Echo");
  first.append("hello");
  bool answered = false;
  auto first_slot = client_->call_async(first, [&](hb::dbus::Message&) { answered = true; });
  run_until(answered);
  ASSERT_TRUE(answered);
  // Then the server stops processing: only the driver's timer can end this call.
  server_driver_.reset();
  auto call = client_->new_method_call("", "/test", "io.github.hbcluster.Test", "Echo");
  call.append("hello");
  std::string error;
  bool done = false;
  auto slot = client_->call_async(
      call,
      [&](hb::dbus::Message& reply) {
        if (reply.error()) error = reply.error()->name;
        done = true;
      },
      200'000);
  run_until(done);
  EXPECT_EQ(error, SD_BUS_ERROR_NO_REPLY);
}

}  // namespace

// Any D-Bus value as JSON (sys/dbus/json_reader.hpp): what hb-statusd makes of the daemons'
// GetManagedObjects replies, built here as a sealed message on a connection nobody answers.
namespace {

struct MessageOnIdleBus {
  MessageOnIdleBus() {
    // sd-bus makes messages only on a started connection; its peer need never answer.
    hb::dbus::check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : -errno,
                    "socketpair");
    hb::dbus::check(sd_bus_new(&bus), "sd_bus_new");
    hb::dbus::check(sd_bus_set_fd(bus, fds[0], fds[0]), "set fd");
    hb::dbus::check(sd_bus_start(bus), "start");
    hb::dbus::check(sd_bus_message_new_signal(bus, &m, "/x", "x.y", "Z"), "new signal");
  }
  ~MessageOnIdleBus() {
    sd_bus_message_unref(m);
    sd_bus_close_unref(bus);
    ::close(fds[1]);
  }
  hb::dbus::Message sealed() {
    hb::dbus::check(sd_bus_message_seal(m, 1, 0), "seal");
    hb::dbus::check(sd_bus_message_rewind(m, 1), "rewind");
    return hb::dbus::Message(m);
  }
  int fds[2] = {-1, -1};
  sd_bus* bus = nullptr;
  sd_bus_message* m = nullptr;
};

TEST(JsonReader, ManagedObjectsBecomePathsInterfacesAndProperties) {
  MessageOnIdleBus x;
  sd_bus_message* m = x.m;
  using hb::dbus::check;
  check(sd_bus_message_open_container(m, 'a', "{oa{sa{sv}}}"), "open");
  check(sd_bus_message_open_container(m, 'e', "oa{sa{sv}}"), "open entry");
  check(sd_bus_message_append(m, "o", "/io/github/hbcluster/link1/link/ha2_2feth0"), "path");
  check(sd_bus_message_open_container(m, 'a', "{sa{sv}}"), "open ifaces");
  check(sd_bus_message_open_container(m, 'e', "sa{sv}"), "open iface");
  check(sd_bus_message_append(m, "s", "io.github.hbcluster.link1.Link"), "iface");
  check(sd_bus_message_append(m, "a{sv}", 6, "State", "s", "up", "PacketsReceived", "t",
                              std::uint64_t{12}, "Rejected", "a{st}", 1, "auth", std::uint64_t{2},
                              "Resources", "a(sss)", 1, "a", "b", "c", "Up", "b", 1, "Weight", "i",
                              -3),
        "props");
  for (int i = 0; i < 4; ++i) check(sd_bus_message_close_container(m), "close");
  hb::dbus::Message reply = x.sealed();
  const nlohmann::json j = hb::dbus::read_managed_objects(reply);
  EXPECT_EQ(j, nlohmann::json::parse(R"({"/io/github/hbcluster/link1/link/ha2_2feth0":
      {"io.github.hbcluster.link1.Link": {"State": "up", "PacketsReceived": 12,
       "Rejected": {"auth": 2}, "Resources": [["a", "b", "c"]], "Up": true, "Weight": -3}}})"));
}

TEST(JsonReader, SomethingElseIsNoObjects) {
  MessageOnIdleBus x;
  hb::dbus::check(sd_bus_message_append(x.m, "s", "not a dictionary"), "append");
  hb::dbus::Message reply = x.sealed();
  EXPECT_EQ(hb::dbus::read_properties(reply), nlohmann::json::object());
}

}  // namespace
