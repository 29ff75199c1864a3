// ipfaild's work: probes the ping nodes, feeds the counts and the peer's ipfail messages to the
// decision (core/ipfail/engine.hpp) and carries its actions out, all asynchronously:
//
//  * the peer's messages arrive as link1 MessageReceived signals (types num_ping_nodes,
//    you_are_dead, abort_giveup) and ours leave through link1 SendMessage;
//  * whether the peer is up comes from membership1 (NodeChanged, and the peer Node's State read
//    at start and whenever hb-membershipd gets a new owner);
//  * a give-up is resource1 Standby("all" | "foreign").
//
// The count: one per `ping` address that answers, plus one per `ping_group` with any member
// answering (heartbeat's ping_group is one pseudo-node).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/ipfail/engine.hpp"
#include "icmp_prober.hpp"
#include "ipfaild_bus.hpp"
#include "sys/config/reload.hpp"
#include "sys/dbus/bus.hpp"
#include "sys/dbus/follower.hpp"

namespace hb::ipfaild {

// Why ipfaild has nothing to do with this configuration (heartbeat's ipfail exits 100 then, and
// `respawn` does not restart it), or empty.
std::string reason_to_exit(const config::Config& config);

// The other `node` of ha.cf (ipfail is for two-node clusters), or empty.
std::string peer_of(const config::Config& config);

class Ipfaild {
 public:
  // `load_again`: the files read as at start, for Reload (empty: Reload is not supported).
  Ipfaild(boost::asio::io_context& io, dbus::Bus& bus, const config::Config& config,
          std::function<void(const std::string&)> set_status,
          std::function<config::LoadResult()> load_again = {});
  ~Ipfaild();
  std::string status() const;
  const char* socket_kind() const { return prober_->socket_kind(); }

 private:
  // CheckReload (apply false) and Reload: keepalive (the ping interval and the settle),
  // deadtime and deadping (when a ping node counts as dead), ping and ping_group (the probe
  // targets, set_ping_nodes) applied live, or nothing.
  std::vector<std::string> reload(bool apply);
  // The ping nodes of `next` probed from now on: kept ones keep their state, new ones start at
  // init, removed ones lose their object; the count starts over for the new set (engine.hpp).
  void set_ping_nodes(const config::Config& next);
  // unit_of_ and units_ for state_.ping_nodes under `cf`'s ping and ping_group lines.
  void count_units(const config::HaCf& cf);
  void ping_node_changed(std::size_t index, bool up);
  void maybe_feed_count();
  void on_message(dbus::Message& m);
  void on_node_changed(dbus::Message& m);
  void read_peer_state();
  void peer_state(const std::string& state);
  void apply(ipfail::Actions actions);
  void send(const std::string& type, const std::map<std::string, std::string>& fields);
  void standby(const std::string& scope);
  void arm_timer();
  void publish_counts();
  void publish_status();

  boost::asio::io_context& io_;
  dbus::Bus& bus_;
  std::string local_;
  std::string peer_;
  std::function<void(const std::string&)> set_status_;
  State state_;
  sys::ConfigReload reload_;
  std::unique_ptr<BusObjects> objects_;
  // For each ping node (state_.ping_nodes order): the counted unit it belongs to.
  std::vector<std::size_t> unit_of_;
  std::size_t units_ = 0;
  ipfail::Engine engine_;
  std::unique_ptr<IcmpProber> prober_;
  boost::asio::steady_timer timer_;
  dbus::Follower link1_, membership1_;
  dbus::Slot peer_state_call_;
  std::vector<dbus::Slot> calls_;
  std::string last_peer_state_;
  std::string last_status_;
};

}  // namespace hb::ipfaild
