// Watches whether this node's hb-linkd still sends heartbeats (see link_watch.hpp).
#include "link_watch.hpp"

#include <algorithm>
#include <system_error>

#include "sys/dbus/names.hpp"
#include "sys/log.hpp"

namespace hb::resourced {

using failover::Clock;
using std::chrono::milliseconds;

namespace {

milliseconds period_for(milliseconds grace) {
  return std::max(grace / 5, milliseconds(10));
}

// The ping's bound: 3/5 of the grace, generous because a loaded bus daemon (not real-time) may
// be slow to pass the answer on.
milliseconds ping_hung_after(milliseconds grace) {
  return std::max(grace * 3 / 5, milliseconds(30));
}

// The beacon's bound. hb-linkd stamps it at every keepalive and runs real-time, so a working one
// is never more than a keepalive and its scheduling delay behind; grace/5 is that delay's
// allowance. Never below the ping's bound either: reporting earlier buys nothing, since the
// release waits until `since` + grace anyway and a report that is taken back before then
// changes nothing. At 25 ms / 100 ms (grace 50 ms) that is 35 ms.
milliseconds beacon_hung_after(milliseconds grace, milliseconds keepalive) {
  return std::max(ping_hung_after(grace), keepalive + grace / 5);
}

failover::TimePoint from_monotonic_usec(std::uint64_t usec) {
  // steady_clock is CLOCK_MONOTONIC on Linux, the beacon's clock.
  return failover::TimePoint(std::chrono::microseconds(usec));
}

long long ms(Clock::duration d) {
  return static_cast<long long>(std::chrono::duration_cast<milliseconds>(d).count());
}

bool no_answer(const sd_bus_error* e) {
  return sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) ||
         sd_bus_error_has_name(e, SD_BUS_ERROR_TIMEOUT);
}

}  // namespace

LinkWatch::LinkWatch(boost::asio::io_context& io, dbus::Bus& bus, milliseconds grace,
                     milliseconds keepalive, const std::string& owner, Changed changed)
    : bus_(bus),
      grace_(grace),
      keepalive_(keepalive),
      changed_(std::move(changed)),
      timer_(io),
      owner_(owner),
      owner_since_(Clock::now()),
      last_answer_(owner_since_) {
  tick();
}

void LinkWatch::owner(const std::string& unique_name) {
  if (unique_name == owner_) return;
  owner_ = unique_name;
  ++round_;
  outstanding_ = false;
  mode_ = Mode::asking;
  beacon_.reset();  // the old owner's page
  owner_since_ = Clock::now();
  last_answer_ = owner_since_;  // a new owner starts with a clean slate; the old one is gone
  evaluate();
  if (!owner_.empty()) ask_beacon();
}

void LinkWatch::set_timing(milliseconds grace, milliseconds keepalive) {
  grace_ = grace;
  keepalive_ = keepalive;
}

void LinkWatch::tick() {
  if (!owner_.empty() && !outstanding_) {
    if (mode_ == Mode::asking) ask_beacon();
    if (mode_ == Mode::pinging) ping();
  }
  evaluate();
  timer_.expires_after(period_for(grace_));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick();
  });
}

void LinkWatch::ask_beacon() {
  namespace link1 = dbus::names::link1;
  ask(bus_.new_method_call(owner_, link1::root, link1::manager, "HeartbeatBeacon"),
      [this](dbus::Message& reply) { on_beacon(reply); });
}

void LinkWatch::ask(dbus::Message call, std::function<void(dbus::Message&)> answered) {
  outstanding_ = true;
  const unsigned round = round_;
  const auto timeout =
      std::chrono::duration_cast<std::chrono::microseconds>(ping_hung_after(grace_));
  dbus::Slot s = bus_.call_async(
      call,
      [this, round, answered = std::move(answered)](dbus::Message& reply) {
        if (round != round_) return;
        outstanding_ = false;
        answered(reply);
        evaluate();
      },
      static_cast<std::uint64_t>(timeout.count()));
  sd_bus_slot_set_floating(s.get(), 1);
}

void LinkWatch::on_beacon(dbus::Message& reply) {
  // No answer in time (hung, or a slow bus): judged like a ping, and asked again next tick.
  if (const sd_bus_error* e = reply.error(); e && no_answer(e)) return;
  last_answer_ = Clock::now();
  std::string why;
  if (const sd_bus_error* e = reply.error()) {
    why = std::string(e->name ? e->name : "") + ": " + (e->message ? e->message : "");
  } else {
    int fd = -1;  // the message's; the mapping outlives it
    std::uint64_t keepalive_usec = 0;
    const int r = sd_bus_message_read(reply.get(), "ht", &fd, &keepalive_usec);
    try {
      if (r < 0) throw std::system_error(-r, std::generic_category(), "read the reply");
      beacon_.emplace(fd);
      mode_ = Mode::beacon;
      // hb-linkd's own keepalive (ha.cf's bounds it to far less than an hour).
      if (keepalive_usec > 0 && keepalive_usec < 3'600'000'000u)
        keepalive_ =
            std::chrono::duration_cast<milliseconds>(std::chrono::microseconds(keepalive_usec));
      log::info("", "reading hb-linkd's heartbeat beacon");
      return;
    } catch (const std::system_error& e) {
      why = e.what();
    }
  }
  mode_ = Mode::pinging;  // an older hb-linkd (UnknownMethod), or a beacon that will not map
  log::notice("", "hb-linkd gives no heartbeat beacon (" + why + "): pinging it instead");
}

void LinkWatch::ping() {
  ask(bus_.new_method_call(owner_, "/", "org.freedesktop.DBus.Peer", "Ping"),
      [this](dbus::Message& reply) {
        if (!reply.error()) last_answer_ = Clock::now();
      });
}

void LinkWatch::evaluate() {
  const auto now = Clock::now();
  failover::TimePoint since = now;
  bool ok = false;
  if (mode_ == Mode::beacon && !owner_.empty()) {
    // A fresh hb-linkd gets its first keepalive's worth from when it appeared.
    since = std::max(from_monotonic_usec(beacon_->last_sent_usec()), owner_since_);
    ok = now - since <= beacon_hung_after(grace_, keepalive_);
  } else if (!owner_.empty()) {
    since = last_answer_;
    ok = now - since <= ping_hung_after(grace_);
  }
  if (reported_ == ok) return;
  reported_ = ok;
  if (!ok && !owner_.empty()) {
    const std::string what =
        mode_ == Mode::beacon
            ? "hb-linkd's heartbeats last left " + std::to_string(ms(now - since)) + " ms ago"
            : "hb-linkd has not answered for " + std::to_string(ms(now - since)) + " ms";
    log::warning(log::msgid::linkd_hung,
                 what + ": it hangs, and this node's heartbeats have stopped");
  }
  changed_(ok, since);
}

}  // namespace hb::resourced
