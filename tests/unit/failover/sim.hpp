// A deterministic in-process cluster for the failover engine: N engines, a fake network that
// delivers each node's messages to the others (per-pair FIFO, optional random delay that
// reorders messages of different senders), a fake executor whose starts and stops complete after
// a simulated delay, and a fake membership layer (up after first contact, dead after deadtime,
// restarted for a quick reboot, clean_shutdown after t=shutdone). Partitions cut the network
// between sets of nodes, both ways. With fencing configured it is also the fence device: a
// Fence action cuts the target's power (the node crashes: nothing of it stays active) and the
// node boots again later as a fresh engine; a SelfFence does the same to the node itself. After
// every event it checks the user-visible invariant: no group is active (starting, running or
// stopping) on two nodes.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/failover/engine.hpp"

namespace hb::failover::sim {

using namespace std::chrono_literals;

struct Config {
  std::vector<std::string> nodes{"alpha", "beta"};
  std::vector<Group> groups{{"192.0.2.10", "alpha"}, {"192.0.2.20", "beta"}};
  AutoFailback mode = AutoFailback::on;
  Timing timing{.initdead = 10s, .deadtime = 5s, .standby_timeout = 2s};
  Millis link_delay{2};  // one-way message latency
  // Extra delay of membership's news (up, restarted) over the messages of the same contact: in
  // hb, hb-membershipd hears from hb-linkd and then tells hb-resourced, which hears the peer's
  // messages from hb-linkd directly.
  Millis membership_lag{0};
  // Report a node's return after being declared dead as `restarted` (a new incarnation from
  // hb-membershipd's point of view) rather than `up`: the engine must cope with either.
  bool return_as_restart = false;
  Millis jitter{0};  // + uniform [0, jitter): reorders messages of different senders
  Millis start_delay{300};
  Millis stop_delay{100};
  std::uint32_t seed = 1;
  // The engines' fencing (configured = false: none). The race delay is longer than fence_delay,
  // as the engine expects of a real device.
  FenceOptions fencing{.configured = false, .retry = 2s, .race_delay = 2s};
  // How long the fence device takes to cut a node's power and report it to the fencer.
  Millis fence_delay{500};
  // A node whose power was cut (fenced or self-fenced) boots again, hb starting with it, this
  // much later; nullopt: it stays off until boot().
  std::optional<Millis> reboot{3s};
};

class Cluster {
 public:
  explicit Cluster(Config config);

  TimePoint now() const { return now_; }
  TimePoint t0() const { return t0_; }

  // Node lifecycle.
  void boot(const std::string& node);   // hb starts on it
  void crash(const std::string& node);  // power-off: groups vanish with it
  void stop(const std::string& node);   // clean `hb stop`
  void partition(bool on);              // cut every link both ways (off: heal)
  // Cut the network between the sides, both ways: nodes talk only within their side (a node in
  // none is alone). Each side's membership declares the others dead after deadtime.
  void partition(const std::vector<std::set<std::string>>& sides);
  void heal();  // every link back: the sides meet again
  bool connected(const std::string& a, const std::string& b) const;
  void fail_start(const std::string& node, const std::string& key, bool fail = true);
  void fail_stop(const std::string& node, const std::string& key, bool fail = true);
  // The stop of `key` on `node` takes `d` instead of Config::stop_delay (a slow unmount).
  void stop_takes(const std::string& node, const std::string& key, Millis d);
  // Whether the fence device that cuts `node`'s power works (default) or fails every attempt.
  void fence_device(const std::string& node, bool works);
  // The node's hb-linkd/hb-membershipd go away (ok=false) or come back (ok=true). A restarted
  // hb-linkd comes back with a new generation, which the peers' membership reports as
  // `restarted`; new_generation=false models a hang that ends (SIGSTOP/SIGCONT): no event.
  void daemons_ok(const std::string& node, bool ok, bool new_generation = true);
  // The node's hb-membershipd is missing (present=false: no node news reaches its engine, from
  // boot on if set before) or back (its nodes are read: up or dead as they are now).
  void membership(const std::string& node, bool present);
  // What the node's hb-resourced tells its engine it cannot do (hb_unable codes).
  void unable(const std::string& node, const std::string& codes);
  // The next `count` messages of type `type` that `from` sends are lost on the way.
  void drop_next(const std::string& from, const std::string& type, int count = 1);

  // Admin commands on a node.
  void standby(const std::string& node, Scope scope);
  void takeover(const std::string& node, Scope scope);
  void move(const std::string& node, const std::string& key, const std::string& to);

  // Time.
  void run_for(Millis d);
  // Runs until pred() holds (checked after every event) or `limit` passes; true if it held.
  bool run_until(const std::function<bool()>& pred, Millis limit = 120s);

  // What a user sees.
  std::set<std::string> active_on(const std::string& key) const;  // nodes where it is active
  std::string holder(const std::string& key) const;               // the one node running it, or ""
  bool settled() const;  // every group running on exactly one node, no event pending soon
  bool alive(const std::string& node) const;
  bool shut_down(const std::string& node) const;
  Engine& engine(const std::string& node);
  GroupView view_from(const std::string& node, const std::string& key) const;
  std::vector<LogEvent> logs(const std::string& node) const;
  bool logged(const std::string& node, LogKind kind) const;
  std::vector<Message> sent(const std::string& node) const;
  int power_cuts(const std::string& node) const;   // by a fence device or a self-fence
  int self_fences(const std::string& node) const;  // SelfFence actions carried out
  struct Announced {
    std::string key;
    TimePoint at;
    bool running_here;   // the group was running on the node when it announced
    bool others_active;  // another node still had it active then
  };
  std::vector<Announced> announced(const std::string& node) const;

  bool check_invariant = true;
  // A violation is a test failure; off, it is only counted (to show that the check bites).
  bool fail_on_violation = true;
  int violations = 0;

 private:
  enum class Exec { stopped, starting, running, stopping };
  struct Node {
    std::string name;
    std::unique_ptr<Engine> engine;
    bool alive = false;
    bool shut = false;
    bool crashed = false;
    bool mute = false;                            // own hb-linkd/hb-membershipd gone
    bool no_membership = false;                   // own hb-membershipd missing: no node news at all
    std::map<std::string, unsigned> missed_dead;  // died (that incarnation) while it was missing
    std::map<std::string, TimePoint> quiet_to;    // when each other node last stopped hearing it
    unsigned incarnation = 0;
    std::map<std::string, Exec> exec;
    std::set<std::string> fail_start, fail_stop;
    std::map<std::string, Millis> stop_takes;
    bool fence_device_works = true;
    unsigned power_gen = 0;  // a boot or a power cut: a reboot scheduled before it is void
    int power_cuts = 0, self_fences = 0;
    unsigned timer_gen = 0;
    TimePoint past_deadline{};  // the last time its deadline was already past when armed
    unsigned past_wakes = 0;    // how often in a row at that time
    std::vector<LogEvent> logs;
    std::vector<Message> sent;
    std::vector<Announced> announced;
    std::map<std::string, GroupView> views;
    // Membership as this node sees each peer: the incarnation last known, or nullopt = dead.
    std::map<std::string, std::optional<unsigned>> seen;
  };
  struct Event {
    TimePoint at;
    std::uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };

  void schedule(TimePoint at, std::function<void()> fn);
  void apply(Node& n, Actions actions);
  void trace(const std::string& node, const Actions& actions) const;
  void arm(Node& n);
  // A message on its way from one node to another, with what must not change before it arrives.
  struct InFlight {
    std::uint64_t seq;
    std::string from, to;
    Message message;
    unsigned src_inc, dst_inc;
    unsigned deaths;  // deaths_ of the pair when sent
  };
  void deliver(const std::string& from, const Message& m);
  void send_over(InFlight f);
  void resend_held(const std::string& from, const std::string& to);
  void membership_contact(const std::string& a, const std::string& b);
  // `observer` stops hearing `name` now (its deadtime runs from here).
  void went_quiet(const std::string& name, const std::string& observer);
  // `name` falls silent to every node it is connected to (it crashes, or its hb-linkd is lost).
  void silence(const std::string& name);
  // Every node that saw `name` at incarnation `inc` declares it dead after deadtime, unless it
  // heard from it again meanwhile.
  void schedule_dead(const std::string& name, unsigned inc);
  void set_sides(std::map<std::string, int> sides);
  // The fence device cuts the node's power: it crashes (its busy mounts end with it), and
  // boots again after Config::reboot.
  void power_cycle(const std::string& name);
  bool step(TimePoint limit);
  void check();
  Options options_for(const std::string& node) const;

  Config cfg_;
  TimePoint t0_, now_;
  std::mt19937 rng_;
  std::uint64_t seq_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
  std::map<std::string, Node> nodes_;
  std::map<std::pair<std::string, std::string>, TimePoint> fifo_;
  std::map<std::string, int> side_;  // nodes talk only to nodes of the same side
  // Messages sent across a cut, per (from, to), by send order: hb-linkd's retransmission brings
  // them once the link is back, unless the receiver declared the sender dead meanwhile.
  std::map<std::pair<std::string, std::string>, std::map<std::uint64_t, InFlight>> held_;
  // How often `to` declared `from` dead, per (from, to).
  std::map<std::pair<std::string, std::string>, unsigned> deaths_;
  std::map<std::pair<std::string, std::string>, int> drops_;  // (from, type) -> how many
};

// The default Config's groups, by the node each prefers.
inline const std::string G1 = "192.0.2.10";  // prefers alpha
inline const std::string G2 = "192.0.2.20";  // prefers beta

// Both nodes of the default Config up, each running its own group.
inline void cold_start(Cluster& c) {
  c.boot("alpha");
  c.boot("beta");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha" && c.holder(G2) == "beta"; }));
  c.run_for(1s);
}

}  // namespace hb::failover::sim
