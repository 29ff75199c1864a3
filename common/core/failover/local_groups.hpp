// The groups on this node: each one's state here, whether it should run here and why, and
// whether it failed here.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/failover/events.hpp"
#include "core/failover/message.hpp"
#include "core/failover/options.hpp"

namespace hb::failover {

struct Local {
  GroupState state = GroupState::stopped;
  bool want = false;     // should run here
  bool failed = false;   // a start failed here: not a candidate until cleared
  bool unsafe = false;   // a stop failed: may still be active
  bool cleanup = false;  // stopping after a failed start
  // Wanted because this node is the group's designated node (not handed over to it): the want
  // lapses while the group has not started and another node becomes the designated one.
  bool designated = false;
  unsigned claim_seq = 0;  // Engine::news_ when it became this node's as the designated node
  std::string reason;
  TimePoint since{};

  // Starting, running or stopping here, or possibly still active after a failed stop.
  bool held() const {
    return unsafe || state == GroupState::starting || state == GroupState::running ||
           state == GroupState::stopping;
  }
  // Not to run here any more; `why` is logged when it goes.
  void drop(std::string why) {
    want = false;
    reason = std::move(why);
  }
  void claim(std::string why) {
    want = true;
    designated = false;
    reason = std::move(why);
  }
};

class LocalGroups {
 public:
  explicit LocalGroups(const std::vector<Group>& groups);

  Local& at(const std::string& key) { return groups_.at(key); }
  const Local& at(const std::string& key) const { return groups_.at(key); }
  Local* find(const std::string& key);
  const Local* find(const std::string& key) const;

  bool held(const std::string& key) const { return at(key).held(); }
  std::set<std::string> held() const;
  // What we tell the peers we run and failed (the `incoming` part is the hand-overs').
  Holdings holdings(const Options& opt) const;
  bool stopped() const;   // every group stopped here
  bool starting() const;  // a group is starting here
  bool settling() const;  // a group is starting or stopping here

  // Groups found running at start: running and wanted from `now`. Returns those it knows.
  std::set<std::string> adopt(const std::vector<std::string>& keys, TimePoint now);
  // Shutdown or lost hb-linkd: nothing is to run here; `why` for each group that was to.
  void release_all(const std::string& why);
  void clear_failure(const std::string& key);
  // Begins stopping or starting the group here (logged with its reason).
  void begin_stop(const std::string& key, TimePoint now, Actions& out);
  void begin_start(const std::string& key, TimePoint now, Actions& out);

  // A start or stop job of the group ended: its new state here, logged. False when the group
  // was not in the state the result is about (a stale result: nothing changed).
  bool apply(const std::string& key, Result result, TimePoint now, Actions& out);

 private:
  std::map<std::string, Local> groups_;
};

}  // namespace hb::failover
