// Which dead peers must be fenced before this node may start anything, and when.
#include "core/failover/fencing.hpp"

namespace hb::failover {

void Fencing::lost(const std::string& node, std::set<std::string> may_hold, bool delay,
                   TimePoint now) {
  Unclean& u = unclean_[node];
  if (u.running) {
    // Already being fenced: what it may hold only grows.
    u.may_hold.insert(may_hold.begin(), may_hold.end());
    return;
  }
  u.may_hold = std::move(may_hold);
  u.lost_at = now;
  u.due = delay ? now + opt_.race_delay : now;
}

void Fencing::appeared(const std::string& node) {
  auto it = unclean_.find(node);
  if (it == unclean_.end()) return;
  if (it->second.running)
    it->second.heard = true;
  else
    unclean_.erase(it);
}

bool Fencing::fenced(const std::string& node) {
  return unclean_.erase(node) > 0;
}

bool Fencing::failed(const std::string& node, std::string error, TimePoint now) {
  auto it = unclean_.find(node);
  if (it == unclean_.end()) return false;
  if (it->second.heard) {
    unclean_.erase(it);
    return false;
  }
  it->second.running = false;
  ++it->second.attempts;
  it->second.last_error = std::move(error);
  it->second.due = now + opt_.retry;
  return true;
}

std::vector<std::string> Fencing::take_due(TimePoint now,
                                           const std::function<bool(const std::string&)>& ours) {
  std::vector<std::string> out;
  for (auto& [node, u] : unclean_) {
    if (u.running || now < u.due || !ours(node)) continue;
    u.running = true;
    out.push_back(node);
  }
  return out;
}

const Unclean* Fencing::find(const std::string& node) const {
  auto it = unclean_.find(node);
  return it == unclean_.end() ? nullptr : &it->second;
}

const std::string* Fencing::holder(const std::string& key) const {
  for (const auto& [node, u] : unclean_) {
    if (u.may_hold.count(key)) return &node;
  }
  return nullptr;
}

std::optional<TimePoint> Fencing::next_deadline(
    const std::function<bool(const std::string&)>& ours) const {
  std::optional<TimePoint> next;
  for (const auto& [node, u] : unclean_) {
    if (!u.running && (!next || u.due < *next) && ours(node)) next = u.due;
  }
  return next;
}

}  // namespace hb::failover
