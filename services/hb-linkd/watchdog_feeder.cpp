// hb-linkd's watchdog: PID 1's answer, hb-resourced's pings, opening, feeding, disarming, and
// what it says about them (watchdog_feeder.hpp).
#include "watchdog_feeder.hpp"

#include "core/config/watchdog.hpp"
#include "core/log/message_ids.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"

namespace hb::linkd {
namespace {

namespace msgid = log::msgid;
using watchdog::State;

constexpr const char* warning_codes[] = {"watchdog-held-by-pid1", "watchdog-held-elsewhere",
                                         "watchdog-unavailable", "watchdog-starving"};
// A device that did not open is tried again at a due feed at most this often.
constexpr auto reopen_interval = std::chrono::seconds(5);
constexpr std::uint64_t pid1_timeout_usec = 5'000'000;

std::string ms(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

}  // namespace

WatchdogFeeder::WatchdogFeeder(dbus::Bus& bus, const config::Config& config, hb::Warnings& warnings,
                               Changed changed)
    : bus_(bus),
      path_(config.ha_cf.watchdog),
      timeout_(config::watchdog_timeout(config.ha_cf, config.hb_conf)),
      ping_timeout_usec_(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(config.ha_cf.deadtime / 2)
              .count())),
      rule_(watchdog::FeedTiming{
          std::chrono::duration_cast<watchdog::Millis>(config.ha_cf.deadtime / 2), timeout_}),
      warnings_(warnings),
      changed_(std::move(changed)) {
  if (path_.empty()) return;
  state_ = State::waiting;
  log::info(msgid::watchdog_armed,
            "watchdog " + path_ +
                ": armed at the first own heartbeat heard back while "
                "hb-resourced answers; timeout " +
                std::to_string(timeout_.count()) + " ms",
            {{"HB_WATCHDOG", path_}});
  ask_pid1();
}

void WatchdogFeeder::become(State state, const std::string& warning_code,
                            const std::string& warning_text) {
  bool changed = state != state_;
  state_ = state;
  for (const char* code : warning_codes)
    if (code != warning_code) changed = warnings_.clear(code) || changed;
  if (!warning_code.empty()) changed = warnings_.set(warning_code, warning_text) || changed;
  if (changed && changed_) changed_(this->state());
}

void WatchdogFeeder::ask_pid1() {
  // systemd's own hardware watchdog (RuntimeWatchdogSec= in system.conf) holds the device while
  // PID 1 runs: two feeders of one device would each hide the other's hang.
  auto call = bus_.new_method_call("org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                   "org.freedesktop.DBus.Properties", "Get");
  call.append_all("org.freedesktop.systemd1.Manager", "RuntimeWatchdogUSec");
  pid1_call_ = bus_.call_async(
      call,
      [this](dbus::Message& reply) {
        pid1_answered_ = true;
        if (const sd_bus_error* e = reply.error()) {
          // No systemd on this bus (a container without it, the tests' private bus): nobody
          // there to hold it.
          log::debug(msgid::watchdog_not_opened,
                     std::string("watchdog: PID 1's RuntimeWatchdogUSec unknown (") +
                         (e->message ? e->message : e->name) + ")");
          return;
        }
        std::uint64_t usec = 0;
        if (sd_bus_message_read(reply.get(), "v", "t", &usec) < 0 || usec == 0) return;
        const std::string text =
            "ha.cf's watchdog " + path_ +
            " is not opened: systemd (PID 1) runs the hardware watchdog itself "
            "(RuntimeWatchdogSec=" +
            std::to_string(usec / 1000) +
            " ms), which resets this node only when systemd hangs, not when hb does; remove "
            "one of the two";
        log::warning(msgid::watchdog_not_opened, text,
                     {{"HB_WATCHDOG", path_}, {"HB_WARNING", "watchdog-held-by-pid1"}});
        become(State::held_by_pid1, "watchdog-held-by-pid1", text);
      },
      pid1_timeout_usec);
}

void WatchdogFeeder::ping_resourced() {
  if (ping_outstanding_) return;  // one at a time: a hung hb-resourced gets no queue
  ping_outstanding_ = true;
  auto call =
      bus_.new_method_call(dbus::names::resource1::bus, "/", "org.freedesktop.DBus.Peer", "Ping");
  ping_call_ = bus_.call_async(
      call,
      [this](dbus::Message& reply) {
        ping_outstanding_ = false;
        if (reply.error() == nullptr) rule_.resourced_answered(std::chrono::steady_clock::now());
      },
      ping_timeout_usec_);
}

void WatchdogFeeder::tick(watchdog::TimePoint now) {
  if (state_ == State::off || state_ == State::held_by_pid1) return;
  ping_resourced();
  if (state_ == State::armed && rule_.starving(now)) {
    const auto reset = rule_.reset_at();
    const std::string in = reset && *reset > now ? "in " + ms(*reset - now) : "now";
    const std::string text = "the watchdog " + path_ + " is no longer fed (" +
                             rule_.why_withheld(now) + "): it resets this node " + in +
                             " unless that changes";
    log::warning(msgid::watchdog_starving, text,
                 {{"HB_WATCHDOG", path_}, {"HB_WARNING", "watchdog-starving"}});
    become(State::starving, "watchdog-starving", text);
  } else if (state_ == State::starving && !rule_.starving(now)) {
    log::notice(msgid::watchdog_starving, "the watchdog " + path_ + " is fed again",
                {{"HB_WATCHDOG", path_}});
    become(State::armed);
  }
}

void WatchdogFeeder::own_status_heard(watchdog::TimePoint now) {
  if (state_ == State::off || state_ == State::held_by_pid1 || state_ == State::disarmed) return;
  if (!pid1_answered_) return;  // not before we know PID 1 does not hold it
  if (!rule_.own_status_heard(now)) return;
  if (!device_.is_open()) {
    if (next_open_try_ && now < *next_open_try_) return;
    try_open(now);
    if (!device_.is_open()) return;
  }
  feed();
  if (state_ == State::starving) {
    log::notice(msgid::watchdog_starving, "the watchdog " + path_ + " is fed again",
                {{"HB_WATCHDOG", path_}});
    become(State::armed);
  }
}

void WatchdogFeeder::try_open(watchdog::TimePoint now) {
  next_open_try_ = now + reopen_interval;
  if (auto holder = find_watchdog_holder(path_)) {
    const std::string text = "ha.cf's watchdog " + path_ + " is not opened: process " +
                             std::to_string(holder->pid) + " (" + holder->command +
                             ") holds it; one watchdog owner per node";
    if (state_ != State::held_elsewhere)
      log::warning(msgid::watchdog_not_opened, text,
                   {{"HB_WATCHDOG", path_}, {"HB_WARNING", "watchdog-held-elsewhere"}});
    become(State::held_elsewhere, "watchdog-held-elsewhere", text);
    return;
  }
  const auto r = device_.open(path_, timeout_);
  switch (r.outcome) {
    case WatchdogDevice::Outcome::opened:
      log::notice(msgid::watchdog_armed,
                  "watchdog " + path_ + " armed (" + r.detail +
                      "): fed at each own heartbeat heard back while hb-resourced answers",
                  {{"HB_WATCHDOG", path_}});
      become(State::armed);
      return;
    case WatchdogDevice::Outcome::busy: {
      const std::string text = "ha.cf's watchdog " + path_ + " is not opened: " + r.detail +
                               " (sbd, or systemd's watchdog); one watchdog owner per node";
      if (state_ != State::held_elsewhere)
        log::warning(msgid::watchdog_not_opened, text,
                     {{"HB_WATCHDOG", path_}, {"HB_WARNING", "watchdog-held-elsewhere"}});
      become(State::held_elsewhere, "watchdog-held-elsewhere", text);
      return;
    }
    case WatchdogDevice::Outcome::failed: {
      const std::string text = "ha.cf's watchdog " + path_ + " cannot be opened (" + r.detail +
                               "): this node has no watchdog; tried again every 5 s";
      if (state_ != State::unavailable)
        log::warning(msgid::watchdog_not_opened, text,
                     {{"HB_WATCHDOG", path_}, {"HB_WARNING", "watchdog-unavailable"}});
      become(State::unavailable, "watchdog-unavailable", text);
      return;
    }
  }
}

void WatchdogFeeder::feed() {
  std::string problem = device_.feed();
  if (problem == last_feed_problem_) return;
  if (!problem.empty())
    log::warning(msgid::watchdog_starving, "watchdog " + path_ + ": a feed failed: " + problem,
                 {{"HB_WATCHDOG", path_}});
  last_feed_problem_ = std::move(problem);
}

void WatchdogFeeder::stop() {
  if (!device_.is_open()) return;
  const std::string problem = device_.disarm();
  if (problem.empty())
    log::notice(msgid::watchdog_armed, "watchdog " + path_ + " disarmed (clean stop)",
                {{"HB_WATCHDOG", path_}});
  else
    log::warning(msgid::watchdog_armed,
                 "watchdog " + path_ + ": the disarming write failed (" + problem +
                     "): the device may reset this node",
                 {{"HB_WATCHDOG", path_}});
  become(State::disarmed);
}

}  // namespace hb::linkd
