// Watches whether this node's hb-linkd still sends heartbeats (see link_watch.hpp).
#include "link_watch.hpp"

#include <algorithm>

#include "sys/log.hpp"

namespace hb::resourced {

using failover::Clock;

namespace {
std::chrono::milliseconds period_for(std::chrono::milliseconds grace) {
  return std::max(grace / 5, std::chrono::milliseconds(10));
}
std::chrono::milliseconds hung_after_for(std::chrono::milliseconds grace) {
  return std::max(grace * 3 / 5, std::chrono::milliseconds(30));
}
}  // namespace

LinkWatch::LinkWatch(boost::asio::io_context& io, dbus::Bus& bus, std::chrono::milliseconds grace,
                     const std::string& owner, Changed changed)
    : bus_(bus),
      period_(period_for(grace)),
      hung_after_(hung_after_for(grace)),
      changed_(std::move(changed)),
      timer_(io),
      owner_(owner),
      last_answer_(Clock::now()) {
  tick();
}

void LinkWatch::owner(const std::string& unique_name) {
  if (unique_name == owner_) return;
  owner_ = unique_name;
  ++round_;
  outstanding_ = false;
  last_answer_ = Clock::now();  // a new owner starts with a clean slate; the old one is gone
  evaluate();
  if (!owner_.empty()) ping();
}

void LinkWatch::set_grace(std::chrono::milliseconds grace) {
  period_ = period_for(grace);
  hung_after_ = hung_after_for(grace);
}

void LinkWatch::tick() {
  if (!owner_.empty() && !outstanding_) ping();
  evaluate();
  timer_.expires_after(period_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick();
  });
}

void LinkWatch::ping() {
  auto call = bus_.new_method_call(owner_, "/", "org.freedesktop.DBus.Peer", "Ping");
  outstanding_ = true;
  const unsigned round = round_;
  const auto timeout_usec =
      std::chrono::duration_cast<std::chrono::microseconds>(hung_after_).count();
  dbus::Slot s = bus_.call_async(
      call,
      [this, round](dbus::Message& reply) {
        if (round != round_) return;
        outstanding_ = false;
        if (!reply.error()) last_answer_ = Clock::now();
        evaluate();
      },
      static_cast<std::uint64_t>(timeout_usec));
  sd_bus_slot_set_floating(s.get(), 1);
}

void LinkWatch::evaluate() {
  const auto now = Clock::now();
  const bool ok = !owner_.empty() && now - last_answer_ <= hung_after_;
  if (reported_ == ok) return;
  reported_ = ok;
  if (!ok && !owner_.empty())
    log::warning(
        log::msgid::linkd_hung,
        "hb-linkd has not answered for " +
            std::to_string(
                std::chrono::duration_cast<std::chrono::milliseconds>(now - last_answer_).count()) +
            " ms: it hangs, and this node's heartbeats have stopped");
  changed_(ok, owner_.empty() ? now : last_answer_);
}

}  // namespace hb::resourced
