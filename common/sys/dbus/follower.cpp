#include "sys/dbus/follower.hpp"

#include <cstring>

#include "sys/log.hpp"

namespace hb::dbus {
namespace {

// Enough for any start-up burst of a real owner; a flood before the lookup is answered is
// dropped beyond it (and counted).
constexpr std::size_t max_held = 1024;

std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

}  // namespace

bool from_bus_driver(const Message& m) {
  const char* sender = m.sender();
  return sender != nullptr && std::strcmp(sender, bus_driver_name) == 0;
}

Follower::Follower(Bus& bus, std::string name, std::string what)
    : bus_(bus), name_(std::move(name)), what_(std::move(what)) {
  owner_match_ =
      bus_.add_match(std::string("type='signal',sender='") + bus_driver_name +
                         "',path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"
                         "member='NameOwnerChanged',arg0=" +
                         quoted(name_),
                     [this](Message& m) { on_name_owner_changed(m); });
}

void Follower::on_signal(const std::string& path, const std::string& interface,
                         const std::string& member, SignalHandler handler,
                         const std::string& arg0) {
  auto s = std::make_unique<Subscription>();
  s->path = path;
  s->interface = interface;
  s->member = member;
  s->handler = std::move(handler);
  std::string rule = "type='signal',sender=" + quoted(name_);
  if (!path.empty() && path.back() == '/' && path.size() > 1)
    rule += ",path_namespace=" + quoted(path.substr(0, path.size() - 1));
  else if (!path.empty())
    rule += ",path=" + quoted(path);
  if (!interface.empty()) rule += ",interface=" + quoted(interface);
  if (!member.empty()) rule += ",member=" + quoted(member);
  if (!arg0.empty()) rule += ",arg0=" + quoted(arg0);
  Subscription* raw = s.get();
  s->slot = bus_.add_match(rule, [this, raw](Message& m) { on_matched(*raw, m); });
  subscriptions_.push_back(std::move(s));
}

void Follower::on_owner(OwnerHandler handler) {
  owner_handlers_.push_back(std::move(handler));
}

void Follower::snapshot_on_owner(const std::string& root, Bus::ReplyHandler handler,
                                 std::uint64_t timeout_usec) {
  snapshot_root_ = root;
  snapshot_handler_ = std::move(handler);
  snapshot_timeout_usec_ = timeout_usec;
}

void Follower::start() {
  if (started_) return;
  started_ = true;
  auto call = bus_.new_method_call(bus_driver_name, "/org/freedesktop/DBus", bus_driver_name,
                                   "GetNameOwner");
  call.append(name_);
  owner_call_ = bus_.call_async(
      call,
      [this](Message& reply) {
        // NameHasNoOwner: not running (yet). A NameOwnerChanged may have told us first.
        std::string owner = reply.error() ? "" : reply.read<std::string>();
        if (resolved_) return;
        owner_is(owner);
      },
      5'000'000);
}

void Follower::on_matched(Subscription& s, Message& m) {
  if (!resolved_) {
    if (held_.size() >= max_held) return drop(m, "held too long");
    held_.emplace_back(&s, m);
    return;
  }
  const char* sender = m.sender();
  if (owner_.empty() || sender == nullptr || owner_ != sender)
    return drop(m, "not sent by the owner");
  s.handler(m);
}

void Follower::on_name_owner_changed(Message& m) {
  // Only the bus daemon says who owns a name; a client sending this signal straight to us would
  // otherwise make itself the "owner" and then speak for the followed service.
  if (!from_bus_driver(m)) return drop(m, "a NameOwnerChanged not sent by the bus");
  std::string name = m.read<std::string>();
  if (name != name_) return;
  m.read<std::string>();  // old owner
  owner_is(m.read<std::string>());
}

void Follower::owner_is(const std::string& owner) {
  const bool first = !resolved_;
  resolved_ = true;
  if (!first && owner == owner_) return;
  owner_ = owner;
  ++snapshot_round_;  // a pending snapshot of an earlier owner is worthless now
  if (!owner_.empty() && snapshot_handler_) take_snapshot();
  for (auto& h : owner_handlers_) h(owner_);
  if (first) {
    // What arrived before we knew the owner: delivered in order, if the owner sent it.
    auto held = std::move(held_);
    held_.clear();
    for (auto& [s, m] : held) {
      const char* sender = m.sender();
      if (owner_.empty() || sender == nullptr || owner_ != sender) {
        drop(m, "not sent by the owner");
        continue;
      }
      s->handler(m);
    }
  }
}

void Follower::take_snapshot() {
  const std::uint64_t round = snapshot_round_;
  auto call = bus_.new_method_call(owner_, snapshot_root_, "org.freedesktop.DBus.ObjectManager",
                                   "GetManagedObjects");
  snapshot_call_ = bus_.call_async(
      call,
      [this, round](Message& reply) {
        if (round != snapshot_round_) return;
        snapshot_handler_(reply);
      },
      snapshot_timeout_usec_);
}

void Follower::drop(const Message& m, const char* why) {
  ++dropped_;
  if (auto n = drop_log_.add(log::RateLimitedCounter::Clock::now())) {
    const char* sender = m.sender();
    const char* member = m.member();
    log::warning(log::msgid::signals_dropped,
                 "dropped " + std::to_string(*n) + " signal(s) claiming to be from " + what_ +
                     " (" + name_ + "): " + why + "; last: " + (member ? member : "?") + " from " +
                     (sender ? sender : "?"),
                 {{"HB_SENDER", sender ? sender : ""}});
  }
}

}  // namespace hb::dbus
