// hb-statusd's bus side, on the Asio thread: follows hb-linkd, hb-membershipd, hb-resourced and
// ipfaild through the project's follower (only their current owners are believed), reads each
// one's objects (GetManagedObjects below its root, GetAll of its Manager) when it appears, when
// it signals a change, and every refresh_interval (packet counters have no change signal), and
// publishes a new snapshot to the store whenever what they say changed. HTTP never waits on it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/status/snapshot.hpp"
#include "snapshot_store.hpp"
#include "sys/dbus/bus.hpp"
#include "sys/dbus/follower.hpp"

namespace hb::statusd {

class StatusCache {
 public:
  // `on_summary` hears summary() whenever it changes (for STATUS=).
  StatusCache(boost::asio::io_context& io, dbus::Bus& bus, const config::Config& config,
              SnapshotStore& store, std::function<void(const std::string&)> on_summary = {});
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
    std::string error;
    nlohmann::json objects, manager;
    dbus::Slot objects_call, manager_call;
  };

  void follow(Followed& f, const std::vector<const char*>& signals);
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
  std::uint64_t generation_ = 0;
  std::shared_ptr<const View> last_;
  status::Sources last_sources_;
};

// CLOCK_MONOTONIC and the wall clock now, as the snapshot wants them.
status::Clocks now_clocks();

}  // namespace hb::statusd
