// Following another service on the bus (one of hb's daemons, or systemd) without believing
// anyone else: the one way every hb daemon and hbctl listens to a peer service.
//
// On the system bus any local user may send a signal *directly* to a daemon's connection, with
// any path, interface and member. The bus daemon routes broadcast signals by the match's
// `sender=`, but a directed one reaches us whatever our matches say, and sd-bus lets a message
// from any unique name through a match on a well-known `sender=` (it cannot resolve the name
// itself). So a match is only a subscription, never a check. The rules here:
//
//  * who owns the followed name comes from GetNameOwner and from NameOwnerChanged, the latter
//    believed only when its sender is exactly org.freedesktop.DBus (the bus daemon: no client
//    can own that name, so no client can send as it);
//  * a signal of the followed service is delivered only when its sender is the current unique
//    owner of the name; anything else is dropped, counted and logged (rate-limited);
//  * signals that arrive before the first owner lookup is answered are held (bounded) and
//    delivered once the owner is known, if they came from it: a hand-over message must not be
//    lost to start-up ordering;
//  * on every new owner (start, restart) the `owner` handler runs, and the optional snapshot
//    (GetManagedObjects, sent to the owner's unique name) is taken, so a follower can start or
//    restart at any time and converge.
//
// The bus daemon delivers the owner's signals and its replies in the order the owner sent them,
// and our matches are in place before the owner lookup goes out, so applying both as they arrive
// never goes back in time.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "sys/dbus/bus.hpp"
#include "sys/rate_limit.hpp"

namespace hb::dbus {

inline constexpr const char* bus_driver_name = "org.freedesktop.DBus";

// Whether `m` was sent by the bus daemon itself (a true NameOwnerChanged, NameAcquired, ...).
bool from_bus_driver(const Message& m);

class Follower {
 public:
  using SignalHandler = std::function<void(Message& signal)>;
  // The followed name's unique owner changed ("" = none). Also called once the first lookup is
  // answered, with "" when nobody owns it.
  using OwnerHandler = std::function<void(const std::string& owner)>;

  // `name`: the well-known name followed; `what`: how the logs call it ("hb-linkd").
  Follower(Bus& bus, std::string name, std::string what);
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // Subscriptions: each before start(). `path` is an object path, or a namespace when it ends
  // in "/" (every object below it); `arg0` (optional) narrows the match further.
  void on_signal(const std::string& path, const std::string& interface, const std::string& member,
                 SignalHandler handler, const std::string& arg0 = "");
  void on_owner(OwnerHandler handler);
  // GetManagedObjects at `root` of every new owner; `handler` gets the reply (error set when it
  // failed). A reply from an owner that has been replaced since is not delivered.
  void snapshot_on_owner(const std::string& root, Bus::ReplyHandler handler,
                         std::uint64_t timeout_usec = 5'000'000);

  // Asks who owns the name now. Call once, after the subscriptions.
  void start();

  const std::string& name() const { return name_; }
  // The current unique owner ("" = none, or not known yet).
  const std::string& owner() const { return owner_; }
  // The first owner lookup has been answered (owner() is meaningful).
  bool resolved() const { return resolved_; }
  // Signals dropped because someone else than the owner sent them.
  std::uint64_t dropped() const { return dropped_; }

 private:
  struct Subscription {
    std::string path, interface, member;
    SignalHandler handler;
    Slot slot;
  };
  void on_matched(Subscription& s, Message& m);
  void on_name_owner_changed(Message& m);
  void owner_is(const std::string& owner);
  void take_snapshot();
  void drop(const Message& m, const char* why);

  Bus& bus_;
  std::string name_, what_;
  std::vector<std::unique_ptr<Subscription>> subscriptions_;
  std::vector<OwnerHandler> owner_handlers_;
  std::string snapshot_root_;
  Bus::ReplyHandler snapshot_handler_;
  std::uint64_t snapshot_timeout_usec_ = 0;
  std::uint64_t snapshot_round_ = 0;
  Slot owner_match_, owner_call_, snapshot_call_;
  std::string owner_;
  bool resolved_ = false;
  bool started_ = false;
  // Signals held until the first owner lookup is answered: (subscription, message).
  std::deque<std::pair<Subscription*, Message>> held_;
  std::uint64_t dropped_ = 0;
  log::RateLimitedCounter drop_log_;
};

}  // namespace hb::dbus
