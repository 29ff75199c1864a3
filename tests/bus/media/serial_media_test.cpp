// The serial medium over a socat PTY pair standing in for a null-modem cable.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <memory>

#include "link_test.hpp"
#include "serial_medium.hpp"
#include "test_support.hpp"

namespace hb::linkd::test {
namespace {

// socat joining two PTYs, reachable as <dir>/A and <dir>/B; killed and removed on destruction.
class Cable {
 public:
  Cable() {
    char pattern[] = "/tmp/hb-cable-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) return;
    dir = pattern;
    a = dir + "/A";
    b = dir + "/B";
    locks = dir + "/lock";
    ::mkdir(locks.c_str(), 0755);
    int err[2];
    if (::pipe2(err, O_CLOEXEC) != 0) return;
    pid = ::fork();
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // no orphaned socat if the test itself is killed
      ::dup2(err[1], 2);
      const std::string left = "PTY,link=" + a + ",raw,echo=0";
      const std::string right = "PTY,link=" + b + ",raw,echo=0";
      ::execlp("socat", "socat", "-d", "-d", left.c_str(), right.c_str(), nullptr);
      ::_exit(127);
    }
    ::close(err[1]);
    // socat says "starting data transfer loop" once both PTYs and their links exist.
    std::string log;
    pollfd pfd{err[0], POLLIN, 0};
    while (log.find("starting data transfer loop") == std::string::npos &&
           ::poll(&pfd, 1, 5000) > 0) {
      char buffer[512];
      const ssize_t n = ::read(err[0], buffer, sizeof buffer);
      if (n <= 0) break;
      log.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(err[0]);
    ok = log.find("starting data transfer loop") != std::string::npos;
  }
  ~Cable() {
    kill();
    if (!dir.empty()) sh("rm -rf " + dir);
  }
  void kill() {
    if (pid <= 0) return;
    ::kill(pid, SIGKILL);
    ::kill(pid, SIGCONT);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
  }
  void stop() { ::kill(pid, SIGSTOP); }
  void resume() { ::kill(pid, SIGCONT); }

  std::string dir, a, b, locks;
  pid_t pid = -1;
  bool ok = false;
};

class SerialMediaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!have_tool("socat")) GTEST_SKIP() << "needs socat";
    cable_ = std::make_unique<Cable>();
    ASSERT_TRUE(cable_->ok) << "socat did not start";
  }
  void TearDown() override {
    loop_.call([&] {
      a_.reset();
      b_.reset();
    });
    loop_.stop();
    cable_.reset();
  }

  std::shared_ptr<SerialMedium> make(const std::string& device, Record& record) {
    return loop_.call([&] {
      SerialMedium::Options o;
      o.device = device;
      o.baud = 19200;
      o.lock_dir = cable_->locks;
      o.retry.interval = 100ms;
      auto m = SerialMedium::create(loop_.io(), o);
      m->set_handlers(record.handlers_for(m->name()));
      return m;
    });
  }
  std::error_code open(const std::shared_ptr<SerialMedium>& m) {
    return loop_.call([&] { return m->open(); });
  }
  void send(const std::shared_ptr<SerialMedium>& m, const std::string& data) {
    loop_.call([&] { m->send(data); });
  }
  static bool has_report(Record& record, Report::Kind kind, const std::string& text) {
    return record.wait([&](const auto&, const auto& reports) {
      return std::any_of(reports.begin(), reports.end(), [&](const Report& r) {
        return r.kind == kind && r.message.find(text) != std::string::npos;
      });
    });
  }

  std::unique_ptr<Cable> cable_;
  Loop loop_;
  std::shared_ptr<SerialMedium> a_, b_;
  Record record_a_, record_b_;
};

TEST_F(SerialMediaTest, FramesPassBothWays) {
  a_ = make(cable_->a, record_a_);
  b_ = make(cable_->b, record_b_);
  ASSERT_FALSE(open(a_));
  ASSERT_FALSE(open(b_));
  EXPECT_EQ(a_->name(), "serial " + cable_->a);

  send(a_, ">>>\nt=status\nsrc=ha1\n<<<\n");
  ASSERT_TRUE(record_b_.wait_packet(">>>\nt=status\nsrc=ha1\n<<<\n"));
  EXPECT_EQ(record_b_.packets().front().source, cable_->b);
  send(b_, ">>>\nt=status\nsrc=ha2\n<<<\n");
  ASSERT_TRUE(record_a_.wait_packet(">>>\nt=status\nsrc=ha2\n<<<\n"));
}

TEST_F(SerialMediaTest, GarbageBetweenFramesIsSkippedAndNoNulIsSent) {
  a_ = make(cable_->a, record_a_);
  ASSERT_FALSE(open(a_));
  // The other end of the cable, raw: what heartbeat (or line noise) would put on the wire.
  const int peer = ::open(cable_->b.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(peer, 0);
  const std::string wire = "noise\n<<<\n>>>\nt=one\n<<<\n\x7f\xff garbage\r\n>>>\nt=two\n<<<\n";
  ASSERT_EQ(::write(peer, wire.data(), wire.size()), static_cast<ssize_t>(wire.size()));
  ASSERT_TRUE(record_a_.wait_packet(">>>\nt=two\n<<<\n"));
  std::vector<std::string> got;
  for (const auto& p : record_a_.packets()) got.push_back(p.data);
  EXPECT_EQ(got, (std::vector<std::string>{">>>\nt=one\n<<<\n", ">>>\nt=two\n<<<\n"}));

  // heartbeat's serial writer sends the text without the C string's NUL.
  send(a_, std::string(">>>\nt=three\n<<<\n\0", 17));
  std::string read_back;
  pollfd pfd{peer, POLLIN, 0};
  while (read_back.size() < 16 && ::poll(&pfd, 1, 5000) > 0) {
    char buffer[64];
    const ssize_t n = ::read(peer, buffer, sizeof buffer);
    if (n <= 0) break;
    read_back.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(peer);
  EXPECT_EQ(read_back, ">>>\nt=three\n<<<\n");
}

TEST_F(SerialMediaTest, TheLockFileKeepsASecondUserOut) {
  a_ = make(cable_->a, record_a_);
  ASSERT_FALSE(open(a_));
  struct stat st {};
  EXPECT_EQ(::stat((cable_->locks + "/LCK..A").c_str(), &st), 0);

  b_ = make(cable_->a, record_b_);  // the same device again
  EXPECT_EQ(open(b_), std::error_code(EBUSY, std::system_category()));
  EXPECT_TRUE(has_report(record_b_, Report::Kind::open_failed, "locked by pid"));

  // hbctl link-test is kept out too.
  LinkTestOptions lt;
  lt.device = cable_->a;
  lt.lock_dir = cable_->locks;
  lt.timeout = 1s;
  EXPECT_EQ(run_link_test(lt).outcome, LinkTestResult::Outcome::open_failed);

  // Closing releases the lock; the waiting medium takes the line on its next retry.
  loop_.call([&] { a_->close(); });
  EXPECT_NE(::stat((cable_->locks + "/LCK..A").c_str(), &st), 0);
  EXPECT_TRUE(record_b_.wait_report(Report::Kind::recovered));
  EXPECT_TRUE(loop_.call([&] { return b_->is_open(); }));
}

TEST_F(SerialMediaTest, ACutCableIsReportedAsABadCable) {
  a_ = make(cable_->a, record_a_);
  ASSERT_FALSE(open(a_));
  cable_->kill();
  send(a_, ">>>\nt=status\n<<<\n");
  EXPECT_TRUE(has_report(record_a_, Report::Kind::line_failed, "(no connection or bad cable?)"));
  const auto reports = record_a_.reports();
  EXPECT_EQ(std::count_if(reports.begin(), reports.end(),
                          [](const Report& r) { return r.kind == Report::Kind::line_failed; }),
            1);
}

TEST_F(SerialMediaTest, ALineNobodyDrainsGivesAWriteTimeoutNotAGrowingQueue) {
  a_ = make(cable_->a, record_a_);
  b_ = make(cable_->b, record_b_);
  ASSERT_FALSE(open(a_));
  ASSERT_FALSE(open(b_));
  cable_->stop();  // the far side stops reading, as with no peer and hardware flow control
  const std::string frame = ">>>\n" + std::string(250, 'x') + "\n<<<\n";
  for (int i = 0; i < 400; ++i) send(a_, frame);
  ASSERT_TRUE(has_report(record_a_, Report::Kind::line_failed,
                         "TTY write timeout on " + cable_->a + " (no connection or bad cable?)"));
  for (int i = 0; i < 50; ++i) send(a_, frame);
  EXPECT_GT(loop_.call([&] { return a_->dropped_packets(); }), 0u);

  cable_->resume();
  EXPECT_TRUE(record_a_.wait_report(Report::Kind::recovered));
  send(a_, ">>>\nt=after\n<<<\n");
  EXPECT_TRUE(record_b_.wait_packet(">>>\nt=after\n<<<\n"));
}

TEST(LinkTest, BothEndsHearEachOther) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  if (!have_tool("socat")) GTEST_SKIP() << "needs socat";
  Cable cable;
  ASSERT_TRUE(cable.ok);
  auto options = [&](const std::string& device, const std::string& label) {
    LinkTestOptions o;
    o.device = device;
    o.label = label;
    o.lock_dir = cable.locks;
    o.timeout = 10s;
    return o;
  };
  auto left =
      std::async(std::launch::async, [&] { return run_link_test(options(cable.a, "ha1")); });
  auto right =
      std::async(std::launch::async, [&] { return run_link_test(options(cable.b, "ha2")); });
  const auto l = left.get(), r = right.get();
  EXPECT_EQ(l.outcome, LinkTestResult::Outcome::both_ways) << l.message;
  EXPECT_EQ(r.outcome, LinkTestResult::Outcome::both_ways) << r.message;
  EXPECT_EQ(l.peer_label, "ha2");
  EXPECT_EQ(r.peer_label, "ha1");
}

TEST(LinkTest, SilenceIsReported) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  if (!have_tool("socat")) GTEST_SKIP() << "needs socat";
  Cable cable;
  ASSERT_TRUE(cable.ok);
  LinkTestOptions o;
  o.device = cable.a;
  o.lock_dir = cable.locks;
  o.timeout = 1s;
  const auto result = run_link_test(o);
  EXPECT_EQ(result.outcome, LinkTestResult::Outcome::nothing) << result.message;
}

}  // namespace
}  // namespace hb::linkd::test
