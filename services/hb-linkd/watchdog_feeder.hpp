// hb-linkd's watchdog (ha.cf `watchdog PATH`, docs/fencing.md "Watchdog"): asks PID 1 whether it
// runs the watchdog itself, pings hb-resourced every keepalive, opens the device at the first due
// feed and feeds it by core/watchdog's rule when one of this node's own heartbeats comes back,
// disarms it on a clean stop, and keeps the Watchdog property and the Warnings current.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/config/config.hpp"
#include "core/warnings/warnings.hpp"
#include "core/watchdog/feed_rule.hpp"
#include "sys/dbus/bus.hpp"
#include "watchdog_device.hpp"

namespace hb::linkd {

class WatchdogFeeder {
 public:
  // Called with the new Watchdog state after it, or the watchdog's Warnings, changed.
  using Changed = std::function<void(const std::string& state)>;

  WatchdogFeeder(dbus::Bus& bus, const config::Config& config, hb::Warnings& warnings,
                 Changed changed);
  WatchdogFeeder(const WatchdogFeeder&) = delete;
  WatchdogFeeder& operator=(const WatchdogFeeder&) = delete;

  // The Watchdog property: off, waiting, armed, starving, disarmed, held-by-pid1,
  // held-elsewhere, unavailable.
  std::string state() const { return watchdog::to_string(state_); }

  // Every keepalive: a Ping to hb-resourced, and whether the feeds have stopped.
  void tick(watchdog::TimePoint now);
  // One of this node's own status packets (of this run) came back on a medium.
  void own_status_heard(watchdog::TimePoint now);
  // A clean stop (SIGTERM): the magic character, then close.
  void stop();

 private:
  void ask_pid1();
  void ping_resourced();
  void try_open(watchdog::TimePoint now);
  void feed();
  // Sets the state and the one watchdog-* warning that goes with it (none for the others).
  void become(watchdog::State state, const std::string& warning_code = "",
              const std::string& warning_text = "");

  dbus::Bus& bus_;
  std::string path_;
  std::chrono::milliseconds timeout_;
  std::uint64_t ping_timeout_usec_;
  watchdog::FeedRule rule_;
  WatchdogDevice device_;
  hb::Warnings& warnings_;
  Changed changed_;
  watchdog::State state_ = watchdog::State::off;
  bool pid1_answered_ = false;     // PID 1's RuntimeWatchdogUSec read (or known absent)
  bool ping_outstanding_ = false;  // a Ping to hb-resourced awaits its answer
  dbus::Slot pid1_call_, ping_call_;
  std::optional<watchdog::TimePoint> next_open_try_;
  std::string last_feed_problem_;
};

}  // namespace hb::linkd
