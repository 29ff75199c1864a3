// A deterministic in-process cluster for the failover engine: N engines, a fake network that
// delivers each node's messages to the others (per-pair FIFO, optional random delay that
// reorders messages of different senders), a fake executor whose starts and stops complete after
// a simulated delay, and a fake membership layer (up after first contact, dead after deadtime,
// restarted for a quick reboot, clean_shutdown after t=shutdone). After every event it checks
// the user-visible invariant: no group is active (starting, running or stopping) on two nodes.
#pragma once

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
  void partition(bool on);              // cut every link both ways
  void fail_start(const std::string& node, const std::string& key, bool fail = true);
  void fail_stop(const std::string& node, const std::string& key, bool fail = true);
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
  struct Announced {
    std::string key;
    TimePoint at;
    bool running_here;   // the group was running on the node when it announced
    bool others_active;  // another node still had it active then
  };
  std::vector<Announced> announced(const std::string& node) const;

  bool check_invariant = true;
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
    TimePoint quiet_since{};                      // when the others last stopped hearing it
    unsigned incarnation = 0;
    std::map<std::string, Exec> exec;
    std::set<std::string> fail_start, fail_stop;
    unsigned timer_gen = 0;
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
  void deliver(const std::string& from, const Message& m);
  void membership_contact(const std::string& a, const std::string& b);
  void schedule_dead(const std::string& name, unsigned inc);
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
  bool partitioned_ = false;
  std::map<std::pair<std::string, std::string>, int> drops_;  // (from, type) -> how many
};

}  // namespace hb::failover::sim
