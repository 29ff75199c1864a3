// hb-statusd's bus side, on the Asio thread: follows hb-linkd, hb-membershipd, hb-resourced and
// ipfaild through the project's follower (only their current owners are believed), reads each
// one's objects (GetManagedObjects below its root, GetAll of its Manager) when it appears, when
// it signals a change, and every refresh_interval (packet counters have no change signal), and
// publishes a new snapshot to the store whenever what they say changed. HTTP never waits on it.
// The transitions the daemons announce (NodeChanged, LinkChanged, GroupChanged, PingNodeChanged)
// and changes of a daemon's Warnings become events for the event stream (event_hub.hpp), each
// handed over only once a snapshot that shows it has been published.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/status/snapshot.hpp"
#include "event_hub.hpp"
#include "snapshot_store.hpp"
#include "sys/dbus/bus.hpp"
#include "sys/dbus/follower.hpp"

namespace hb::statusd {

class StatusCache {
 public:
  // `epoch` names this start (new_epoch()); `events` (may be null) hears every transition;
  // `on_summary` hears summary() whenever it changes (for STATUS=).
  StatusCache(boost::asio::io_context& io, dbus::Bus& bus, const config::Config& config,
              SnapshotStore& store, std::uint64_t epoch, EventHub* events,
              std::function<void(const std::string&)> on_summary = {});
  StatusCache(const StatusCache&) = delete;
  StatusCache& operator=(const StatusCache&) = delete;

  // One line for STATUS=: which daemons are up.
  std::string summary() const;

 private:
  struct Followed {
    status::Source* source = nullptr;
    std::string root, manager_interface;
    std::unique_ptr<dbus::Follower> follower;
    std::uint64_t round = 0;  // bumped on every owner change: older replies are dropped
    bool in_flight = false;   // a read is under way
    bool again = false;       // something changed while it was: read once more after it
    int replies = 0;
    std::uint64_t reads_started = 0;  // reads sent to this daemon ...
    std::uint64_t reads_done = 0;     // ... and the number of the last one answered (or failed)
    std::string error;
    nlohmann::json objects, manager;
    dbus::Slot objects_call, manager_call;
  };

  // A transition announced by a signal, held until a read sent after it has been published.
  struct Pending {
    const Followed* from = nullptr;
    std::uint64_t round = 0;
    std::uint64_t needs_read = 0;
    std::string type;
    nlohmann::json data;
  };

  void follow(Followed& f, const std::vector<const char*>& signals);
  void note_transition(Followed& f, const std::string& member, dbus::Message& m);
  void note_warnings(const status::Snapshot& s);
  void flush_events();
  void on_owner(Followed& f, const std::string& owner);
  void read(Followed& f);
  void on_reply(Followed& f, std::uint64_t round, bool objects, dbus::Message& reply);
  void arm_refresh();
  void publish();

  dbus::Bus& bus_;
  const config::Config& config_;
  SnapshotStore& store_;
  std::function<void(const std::string&)> on_summary_;
  std::string last_summary_;
  status::Sources sources_;
  std::vector<std::unique_ptr<Followed>> followed_;
  boost::asio::steady_timer refresh_timer_;
  std::uint64_t epoch_ = 0;
  EventHub* events_ = nullptr;
  std::deque<Pending> pending_;
  // What the events said last, for the old values GroupChanged and PingNodeChanged do not carry.
  std::map<std::string, std::pair<std::string, std::string>> group_said_;  // key -> owner, state
  std::map<std::string, std::string> ping_said_;                           // address -> state
  std::map<std::string, std::vector<status::Warning>> warnings_said_;      // daemon -> Warnings
  std::uint64_t generation_ = 0;
  std::shared_ptr<const View> last_;
  status::Sources last_sources_;
};

// CLOCK_MONOTONIC and the wall clock now, as the snapshot wants them.
status::Clocks now_clocks();
// A value that tells one start of hb-statusd from the next: the wall clock in µs.
std::uint64_t new_epoch();

}  // namespace hb::statusd
