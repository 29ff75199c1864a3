// hbctl watch: `hbctl status` as a live screen, like crm_mon. The table is status.cpp's own
// rendering, redrawn whenever one of hb's daemons says something changed (any signal it sends:
// PropertiesChanged, NodeChanged, GroupChanged, LinkChanged, PingNodeChanged) or one of them
// comes or goes (NameOwnerChanged); between changes it sleeps in poll(2), no polling loop.
// A signal only makes the screen be read again from the daemons' well-known names, so a forged
// one can cause a redraw but never show anything a daemon did not say. `q` or Ctrl-C quits.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "sys/dbus/names.hpp"

namespace hb::hbctl {
namespace {

namespace names = hb::dbus::names;

struct BusDeleter {
  void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
};
struct SlotDeleter {
  void operator()(sd_bus_slot* s) const { sd_bus_slot_unref(s); }
};

// The terminal in character mode without echo while watching (so `q` needs no Enter), and as
// it was afterwards, however the loop ends.
class RawTerminal {
 public:
  RawTerminal() {
    if (::isatty(STDIN_FILENO) != 1 || ::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

int mark_dirty(sd_bus_message*, void* userdata, sd_bus_error*) {
  *static_cast<bool*>(userdata) = true;
  return 0;
}

std::string clock_now() {
  const time_t t = ::time(nullptr);
  tm local{};
  ::localtime_r(&t, &local);
  char buf[32];
  ::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &local);
  return buf;
}

void draw(sd_bus* bus) {
  std::ostringstream table, errors;
  render_status(bus, std::nullopt, table, errors);
  // Home, clear the screen, then the whole frame in one write: no flicker of half a table.
  std::string frame = "\033[H\033[2J";
  frame += "hb cluster status at " + clock_now() + " (updates on every change; q quits)\n\n";
  frame += errors.str() + table.str();
  std::cout << frame << std::flush;
}

int usage(std::ostream& out, int rc) {
  out << "Usage: hbctl watch\n"
         "Shows what \"hbctl status\" shows and redraws it whenever a node, link, ping node or\n"
         "resource group changes or one of hb's daemons starts or stops. q or Ctrl-C quits.\n";
  return rc;
}

}  // namespace

int watch(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") return usage(std::cout, exit_ok);
    std::cerr << "hbctl watch: unknown argument \"" << a << "\"\n";
    return usage(std::cerr, exit_usage);
  }

  sd_bus* raw = nullptr;
  if (int r = sd_bus_open_system(&raw); r < 0) {
    std::cerr << "hbctl: cannot connect to the system bus: " << std::strerror(-r) << "\n";
    return exit_error;
  }
  std::unique_ptr<sd_bus, BusDeleter> bus(raw);

  bool dirty = true;
  std::vector<std::unique_ptr<sd_bus_slot, SlotDeleter>> slots;
  auto match = [&](const std::string& rule) {
    sd_bus_slot* slot = nullptr;
    if (sd_bus_add_match(bus.get(), &slot, rule.c_str(), mark_dirty, &dirty) >= 0)
      slots.emplace_back(slot);
  };
  for (const char* name :
       {names::link1::bus, names::membership1::bus, names::resource1::bus, names::ipfail1::bus})
    match(std::string("type='signal',sender='") + name + "'");
  match(std::string("type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',"
                    "arg0namespace='") +
        names::prefix + "'");

  // Ctrl-C and SIGTERM arrive on a descriptor, so the terminal is always restored.
  sigset_t quit_signals;
  sigemptyset(&quit_signals);
  sigaddset(&quit_signals, SIGINT);
  sigaddset(&quit_signals, SIGTERM);
  sigaddset(&quit_signals, SIGHUP);
  ::sigprocmask(SIG_BLOCK, &quit_signals, nullptr);
  const int sigfd = ::signalfd(-1, &quit_signals, SFD_CLOEXEC);
  RawTerminal terminal;
  const bool keyboard = ::isatty(STDIN_FILENO) == 1;

  int rc = exit_ok;
  for (;;) {
    // Dispatch whatever arrived (signals queued during the last draw's calls included).
    int r = 0;
    while ((r = sd_bus_process(bus.get(), nullptr)) > 0) {
    }
    if (r < 0) {
      std::cerr << "hbctl watch: lost the system bus: " << std::strerror(-r) << "\n";
      rc = exit_error;
      break;
    }
    if (dirty) {
      dirty = false;
      draw(bus.get());
      continue;  // the draw's calls may have queued more signals
    }
    std::array<pollfd, 3> fds{};
    fds[0] = {sd_bus_get_fd(bus.get()), static_cast<short>(sd_bus_get_events(bus.get())), 0};
    fds[1] = {sigfd, POLLIN, 0};
    fds[2] = {keyboard ? STDIN_FILENO : -1, POLLIN, 0};
    std::uint64_t usec = UINT64_MAX;
    sd_bus_get_timeout(bus.get(), &usec);
    int timeout_ms = -1;
    if (usec != UINT64_MAX) {
      timespec ts{};
      ::clock_gettime(CLOCK_MONOTONIC, &ts);
      const std::uint64_t now = std::uint64_t(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
      timeout_ms = usec > now ? static_cast<int>((usec - now + 999) / 1000) : 0;
    }
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) break;
    if (fds[1].revents & POLLIN) break;
    if (fds[2].revents & (POLLIN | POLLHUP)) {
      char c = 0;
      if (::read(STDIN_FILENO, &c, 1) <= 0 || c == 'q' || c == 'Q') break;
    }
  }
  std::cout << "\n" << std::flush;
  if (sigfd >= 0) ::close(sigfd);
  return rc;
}

}  // namespace hb::hbctl
