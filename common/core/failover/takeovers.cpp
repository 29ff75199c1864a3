// Takeovers counted from the engine's group views (takeovers.hpp).
#include "core/failover/takeovers.hpp"

namespace hb::failover {

bool Takeovers::on_view(const GroupView& view, TimePoint now) {
  Tracked& t = groups_[view.key];
  const bool on_peer =
      view.state == GroupState::running && !view.owner.empty() && view.owner != me_;
  if (on_peer) {
    // Running elsewhere: whatever this node was waiting for went to that peer instead.
    t.peer_owner = view.owner;
    t.lost_from.reset();
    return false;
  }
  if (!t.peer_owner.empty()) {
    // The first view after the peer ran it: the peer lost it (dead, gone, handed over, fencing).
    t.lost_from = now;
    t.peer_owner.clear();
  }
  if (view.state == GroupState::running && view.owner == me_ && t.lost_from) {
    ++t.counted.count;
    t.counted.last = std::chrono::duration_cast<std::chrono::microseconds>(now - *t.lost_from);
    t.lost_from.reset();
    return true;
  }
  return false;
}

TakeoverCount Takeovers::of(const std::string& key) const {
  auto it = groups_.find(key);
  return it == groups_.end() ? TakeoverCount{} : it->second.counted;
}

}  // namespace hb::failover
