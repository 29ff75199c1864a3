// For the membership bus tests: a private dbus-daemon, processes the test starts (and only those
// are ever signalled, by pid), a client connection that records signals, and a loop that pumps
// every connection of the test until a condition holds or a deadline passes. Blocking sd-bus
// calls are fine here: this is a test, not a daemon.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

extern char** environ;

namespace hb::test {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

inline constexpr auto wait_limit = 20s;  // upper bound for any state we wait on

// A temporary directory removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "hb-membership-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
    fs::permissions(path_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A child process started by the test; stopped (by its pid) when this object goes.
class Child {
 public:
  Child() = default;
  Child(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
        const std::string& stderr_file, int stdout_fd = -1) {
    std::vector<std::string> env_store;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string kv = *e;
      bool overridden = false;
      for (const auto& x : extra_env)
        if (kv.substr(0, kv.find('=') + 1) == x.substr(0, x.find('=') + 1)) overridden = true;
      // Not the journal: our stderr file is where the daemon's lines must go.
      if (kv.rfind("JOURNAL_STREAM=", 0) == 0 || kv.rfind("NOTIFY_SOCKET=", 0) == 0) continue;
      if (!overridden) env_store.push_back(kv);
    }
    for (const auto& x : extra_env) env_store.push_back(x);
    std::vector<char*> envp, args;
    for (auto& s : env_store) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_store = argv;
    for (auto& s : argv_store) args.push_back(s.data());
    args.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, stderr_file.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&fa, stdout_fd, STDOUT_FILENO);
    const int r = posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0) throw std::runtime_error("cannot start " + argv[0]);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  Child(Child&& o) noexcept : pid_(std::exchange(o.pid_, -1)) {}
  Child& operator=(Child&& o) noexcept {
    stop();
    pid_ = std::exchange(o.pid_, -1);
    return *this;
  }
  ~Child() { stop(); }

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  void signal(int signo) const {
    if (pid_ > 0) ::kill(pid_, signo);
  }
  // True once the child has exited (reaped; `status` is its wait status). Never blocks.
  bool try_wait(int& status) {
    if (pid_ <= 0) return true;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
    pid_ = -1;
    return true;
  }
  // Waits for the child to exit by itself (bounded: SIGKILL after the limit); wait status.
  int wait() {
    if (pid_ <= 0) return 0;
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + wait_limit;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      ::poll(nullptr, 0, 10);
    }
    pid_ = -1;
    return status;
  }
  // SIGTERM, then SIGKILL if it does not exit within the limit; returns the wait status.
  int stop() {
    if (pid_ <= 0) return 0;
    ::kill(pid_, SIGCONT);  // a stopped child cannot act on SIGTERM
    ::kill(pid_, SIGTERM);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      ::poll(nullptr, 0, 10);  // the child's exit has no fd to wait on
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

// A private dbus-daemon allowing everything (the policies have their own tests).
class PrivateBus {
 public:
  explicit PrivateBus(const fs::path& dir) {
    const fs::path conf = dir / "bus.conf";
    std::ofstream(conf) << "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus "
                           "Configuration 1.0//EN\"\n"
                           " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                           "<busconfig><listen>unix:path="
                        << (dir / "bus").string()
                        << "</listen><auth>EXTERNAL</auth>"
                           "<policy context=\"default\"><allow user=\"*\"/><allow own=\"*\"/>"
                           "<allow send_type=\"method_call\"/><allow send_type=\"signal\"/>"
                           "<allow send_type=\"method_return\"/><allow send_type=\"error\"/>"
                           "<allow receive_type=\"method_call\"/><allow receive_type=\"signal\"/>"
                           "<allow receive_type=\"method_return\"/>"
                           "<allow receive_type=\"error\"/></policy></busconfig>\n";
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    daemon_ = Child({"/usr/bin/dbus-daemon", "--config-file=" + conf.string(), "--print-address",
                     "--nofork", "--nopidfile"},
                    {}, (dir / "bus.log").string(), fds[1]);
    ::close(fds[1]);
    std::string line;
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(fds[0]);
    if (line.empty()) throw std::runtime_error("dbus-daemon did not start");
    address_ = line;
  }
  const std::string& address() const { return address_; }
  // The dbus-daemon's pid: a test may stop it (SIGSTOP) to stall every bus round trip.
  pid_t pid() const { return daemon_.pid(); }

 private:
  Child daemon_;
  std::string address_;
};

// A bus client connection (sd_bus) to the private bus.
class Conn {
 public:
  explicit Conn(const std::string& address) {
    check(sd_bus_new(&bus_), "sd_bus_new");
    check(sd_bus_set_address(bus_, address.c_str()), "set address");
    check(sd_bus_set_bus_client(bus_, 1), "bus client");
    check(sd_bus_start(bus_), "sd_bus_start");
  }
  ~Conn() { sd_bus_flush_close_unref(bus_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  sd_bus* get() const { return bus_; }

  static int check(int r, const char* what) {
    if (r < 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(-r));
    return r;
  }
  // Dispatches everything queued; true if anything was.
  bool process() {
    bool any = false;
    for (;;) {
      int r = check(sd_bus_process(bus_, nullptr), "sd_bus_process");
      if (r == 0) return any;
      any = true;
    }
  }

 private:
  sd_bus* bus_ = nullptr;
};

// Pumps `conns` until `pred` holds; false after `limit`.
inline bool wait_until(std::vector<Conn*> conns, const std::function<bool()>& pred,
                       std::chrono::milliseconds limit = wait_limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    for (Conn* c : conns) c->process();
    if (pred()) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    std::vector<pollfd> pfds;
    for (Conn* c : conns) {
      sd_bus_flush(c->get());
      pfds.push_back({sd_bus_get_fd(c->get()), static_cast<short>(POLLIN), 0});
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    // Wake at least every 50 ms: `pred` may look at processes or files, not only the bus.
    ::poll(pfds.data(), pfds.size(), static_cast<int>(std::min<long>(left, 50)));
  }
}

struct NodeSignal {
  std::string node, old_state, new_state;
  std::uint64_t incarnation = 0;
  std::chrono::steady_clock::time_point at;
  bool operator==(const NodeSignal& o) const {
    return node == o.node && old_state == o.old_state && new_state == o.new_state &&
           incarnation == o.incarnation;
  }
};

// membership1 as a client sees it: NodeChanged signals, and the Node properties.
class MembershipClient {
 public:
  explicit MembershipClient(const std::string& address) : conn_(address) {
    Conn::check(sd_bus_match_signal(conn_.get(), &slot_, "io.github.hbcluster.membership1",
                                    "/io/github/hbcluster/membership1",
                                    "io.github.hbcluster.membership1.Manager", "NodeChanged",
                                    &MembershipClient::on_signal, this),
                "match NodeChanged");
  }
  ~MembershipClient() { sd_bus_slot_unref(slot_); }
  Conn& conn() { return conn_; }
  const std::vector<NodeSignal>& signals() const { return signals_; }
  bool saw(const NodeSignal& s) const {
    for (const auto& x : signals_)
      if (x == s) return true;
    return false;
  }
  std::size_t count_for(const std::string& node) const {
    std::size_t n = 0;
    for (const auto& x : signals_) n += x.node == node;
    return n;
  }

  bool name_owned() {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    int r = sd_bus_call_method(conn_.get(), "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "NameHasOwner", &e, &reply, "s",
                               "io.github.hbcluster.membership1");
    sd_bus_error_free(&e);
    int has = 0;
    if (r >= 0) sd_bus_message_read(reply, "b", &has);
    sd_bus_message_unref(reply);
    return has != 0;
  }

  static std::string node_path(const std::string& node) {
    char* p = nullptr;
    sd_bus_path_encode("/io/github/hbcluster/membership1/node", node.c_str(), &p);
    std::string s = p ? p : "";
    std::free(p);
    return s;
  }

  std::string state(const std::string& node) { return get_string(node, "State"); }
  std::uint64_t incarnation(const std::string& node) { return get_u64(node, "Incarnation"); }
  std::string reason(const std::string& node) { return get_string(node, "Reason"); }
  std::uint64_t last_heard(const std::string& node) { return get_u64(node, "LastHeardUSec"); }
  std::map<std::string, std::string> links(const std::string& node) {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    std::map<std::string, std::string> out;
    int r =
        sd_bus_get_property(conn_.get(), "io.github.hbcluster.membership1", node_path(node).c_str(),
                            "io.github.hbcluster.membership1.Node", "Links", &e, &reply, "a{ss}");
    sd_bus_error_free(&e);
    if (r < 0) return out;
    sd_bus_message_enter_container(reply, 'a', "{ss}");
    const char *k, *v;
    while (sd_bus_message_read(reply, "{ss}", &k, &v) > 0) out[k] = v;
    sd_bus_message_unref(reply);
    return out;
  }

 private:
  std::string get_string(const std::string& node, const char* prop) {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    char* s = nullptr;
    int r = sd_bus_get_property_string(conn_.get(), "io.github.hbcluster.membership1",
                                       node_path(node).c_str(),
                                       "io.github.hbcluster.membership1.Node", prop, &e, &s);
    sd_bus_error_free(&e);
    std::string out = r >= 0 && s ? s : "";
    std::free(s);
    return out;
  }
  std::uint64_t get_u64(const std::string& node, const char* prop) {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    std::uint64_t v = 0;
    sd_bus_get_property_trivial(conn_.get(), "io.github.hbcluster.membership1",
                                node_path(node).c_str(), "io.github.hbcluster.membership1.Node",
                                prop, &e, 't', &v);
    sd_bus_error_free(&e);
    return v;
  }
  static int on_signal(sd_bus_message* m, void* userdata, sd_bus_error*) {
    auto* self = static_cast<MembershipClient*>(userdata);
    const char *node, *old_state, *new_state;
    std::uint64_t inc = 0;
    if (sd_bus_message_read(m, "ssst", &node, &old_state, &new_state, &inc) >= 0)
      self->signals_.push_back({node, old_state, new_state, inc, std::chrono::steady_clock::now()});
    return 0;
  }

  Conn conn_;
  sd_bus_slot* slot_ = nullptr;
  std::vector<NodeSignal> signals_;
};

inline std::string read_file(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace hb::test
