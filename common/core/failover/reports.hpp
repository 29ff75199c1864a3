// What this node has already told: its last t=resource to all, each group's last view, and the
// journal entries said once (initial acquisition done, waiting for a peer), so that each is
// said again only when it changes.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/failover/events.hpp"
#include "core/failover/message.hpp"

namespace hb::failover {

class Reports {
 public:
  bool announced() const { return announced_; }  // a t=resource went to all since the start
  // Whether `state`, our t=resource to all, differs from the last one told; it counts as told.
  bool changed(const Message& state);
  void retell() { last_state_.clear(); }  // the next t=resource goes out whatever it says
  void restart();                         // a fresh start: nothing told yet

  // "Initial resource acquisition complete", once per start.
  void initial_done(const std::set<std::string>& held, Actions& out);
  // "waiting for <peer>", once each time a peer has yet to say what it holds.
  void waiting(const std::string& peer, bool waiting, Actions& out);
  // The views that changed since last told.
  void views(const std::vector<GroupView>& views, Actions& out);

 private:
  bool announced_ = false;
  std::string last_state_;
  bool initial_done_ = false;
  std::set<std::string> waiting_;
  std::map<std::string, GroupView> views_;
};

}  // namespace hb::failover
