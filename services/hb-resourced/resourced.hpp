// hb-resourced's work: feeds the hand-over engine (core/failover) with the cluster's news
// (ClusterFeed, cluster_feed.hpp: what hb-membershipd says about the nodes, the hand-over
// messages hb-linkd receives), the results of its own unit jobs, admin commands and time;
// executes the engine's actions (group start/stop through systemd, messages through the feed,
// journal entries, Group properties and GroupChanged), and keeps Warnings and STATUS= current.
//
// The groups' units are run by GroupRunner (group_runner.hpp): left to right and right to left,
// a busy mount's users killed, a resource that failed behind hb's back started once more. When
// that fails too, the group moves to the next live node of its succession (a hand-over), so a
// dead Apache does not leave a dead site. At start, a group whose units are all active is
// adopted instead of restarted.
//
// A node whose hb-membershipd or hb-linkd is not on the bus cannot take anything over: it would
// not learn that a peer died. hb-resourced runs on without them (its ClusterFeed follows both
// names and catches up when they appear), says so in its Warnings, STATUS= and the journal, and
// tells its peers (hb_unable), which show that the cluster has no working standby.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cluster_feed.hpp"
#include "core/config/config.hpp"
#include "core/failover/engine.hpp"
#include "core/failover/takeovers.hpp"
#include "fence_runner.hpp"
#include "fencing_disks.hpp"
#include "group_runner.hpp"
#include "link_watch.hpp"
#include "resourced_bus.hpp"
#include "sys/config/reload.hpp"

namespace hb::resourced {

class Resourced : public Commands {
 public:
  Resourced(boost::asio::io_context& io, dbus::Bus& bus, const config::Config& config, State& state,
            std::function<void(const std::string&)> set_status);

  // Resolves the units, stops what is left of partly active groups, adopts what runs, then
  // starts the engine. Asynchronous.
  void begin();
  // SIGTERM: release every group, send t=shutdone, then call `exit`.
  void stop(std::function<void()> exit);

  void set_bus_objects(BusObjects* objects) {
    objects_ = objects;
    runner_.set_bus_objects(objects);
  }

  // Commands (from the D-Bus methods); throw dbus::Error on refusal.
  void standby(const std::string& which) override;
  void takeover(const std::string& which) override;
  void move(const std::string& group, const std::string& node) override;
  void confirm_fenced(const std::string& node) override;
  // keepalive and deadtime applied live: the engine's deadlines and the link watch's grace;
  // haresources and auto_failback accepted as pending (apply_pending_reload).
  std::vector<std::string> reload(bool apply) override;

  // The files read as at start, for Reload (without: Reload is not supported).
  void set_load_again(std::function<config::LoadResult()> load_again) {
    reload_.emplace("hb-resourced", config_, std::move(load_again));
  }

 private:
  failover::TimePoint now() const { return failover::Clock::now(); }
  Group* group(const std::string& key);
  // A group found partly active here is stopped before the engine starts (and before this
  // node tells the cluster anything), so that it cannot run here and on a peer at once.
  void clean_partly_active();
  void cleaned(const std::string& key, failover::Result result);
  void start_engine();
  ClusterFeed::Events cluster_events();
  void on_source(Source source, const std::string& owner);
  void on_membership(bool known);

  void feed(failover::Actions actions);
  void execute(const failover::Action& a);
  void move_away(const std::string& key, const std::string& why);
  void arm_timer();
  void check_shutdown();
  // A pending reload (haresources, auto_failback) is put in force once this node holds no
  // group and runs no start or stop: hb-resourced executes itself again, reading the files as
  // at a start (heartbeat re-executes itself on SIGHUP). Nothing is released or announced as
  // a shutdown; the peers see hb-resourced start again, as after a restart.
  void apply_pending_reload();
  // The exec itself, once the other daemons' restarts are done (systemd checks who asks, so the
  // calls must be answered before this connection goes away; and the new hb-resourced's
  // t=starting needs hb-linkd running to reach the peers).
  void execute_again(const std::string& list);
  bool applying_pending_ = false;
  void refresh_warnings();
  void update_status();
  // Whether anything of a group is active here (a unit active, starting or stopping).
  bool holds_anything() const;

  boost::asio::io_context& io_;
  dbus::Bus& bus_;
  const config::Config& config_;
  State& state_;
  std::function<void(const std::string&)> set_status_;
  BusObjects* objects_ = nullptr;
  GroupRunner runner_;
  FenceRunner fence_;
  ClusterFeed cluster_;
  std::optional<failover::Engine> engine_;
  failover::Takeovers takeovers_;  // the Group objects' Takeovers and LastTakeoverUSec
  std::optional<sys::ConfigReload> reload_;
  std::optional<LinkWatch> link_watch_;        // made with the engine
  std::optional<FencingDisks> fencing_disks_;  // made with the engine; ha.cf's sbd disks
  // What the engine was last told: hb-membershipd's nodes are read, node deaths reach us.
  bool membership_known_ = false;
  std::string unable_;         // why this node cannot take over (hb_unable codes), as logged
  std::string engine_unable_;  // what the engine was last told (it tells the peers)
  bool refreshing_ = false;    // refresh_warnings feeds the engine, which calls it back
  std::map<std::string, std::string> peers_unable_;  // what the peers told us, as last logged
  // Partly active groups being stopped before the engine starts, and those whose stop failed
  // (without fencing: claimed as held, so that no peer starts them beside what still runs).
  std::set<std::string> cleaning_;
  std::vector<std::string> uncleaned_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer exit_timer_;
  std::function<void()> exit_;
};

}  // namespace hb::resourced
