// What this node has already told: its last t=resource to all, each group's last view, and the
// journal entries said once (initial acquisition done, waiting for a peer), so that each is
// said again only when it changes.
#include "core/failover/reports.hpp"

namespace hb::failover {

bool Reports::changed(const Message& state) {
  std::string sig;
  for (const auto& [k, v] : state.fields) sig += k + "=" + v + "\n";
  if (sig == last_state_) return false;
  last_state_ = sig;
  announced_ = true;
  return true;
}

void Reports::restart() {
  announced_ = false;
  initial_done_ = false;
  last_state_.clear();
}

void Reports::initial_done(const std::set<std::string>& held, Actions& out) {
  if (initial_done_) return;
  initial_done_ = true;
  log(out, LogKind::initial_done,
      "Initial resource acquisition complete (" + join_keys(held) + ")");
}

void Reports::waiting(const std::string& peer, bool waiting, Actions& out) {
  if (!waiting) {
    waiting_.erase(peer);
  } else if (waiting_.insert(peer).second) {
    log(out, LogKind::waiting, "waiting for " + peer + " to say what it holds",
        {{"HB_NODE", peer}});
  }
}

void Reports::views(const std::vector<GroupView>& views, Actions& out) {
  for (const auto& v : views) {
    auto it = views_.find(v.key);
    if (it == views_.end() || !(it->second == v)) {
      views_[v.key] = v;
      out.emplace_back(v);
    }
  }
}

}  // namespace hb::failover
