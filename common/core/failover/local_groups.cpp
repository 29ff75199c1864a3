// The groups on this node: each one's state here, whether it should run here and why, and
// whether it failed here.
#include "core/failover/local_groups.hpp"

#include <algorithm>

namespace hb::failover {

LocalGroups::LocalGroups(const std::vector<Group>& groups) {
  for (const auto& g : groups) groups_[g.key];
}

Local* LocalGroups::find(const std::string& key) {
  auto it = groups_.find(key);
  return it == groups_.end() ? nullptr : &it->second;
}

const Local* LocalGroups::find(const std::string& key) const {
  auto it = groups_.find(key);
  return it == groups_.end() ? nullptr : &it->second;
}

std::set<std::string> LocalGroups::held() const {
  std::set<std::string> out;
  for (const auto& [key, l] : groups_) {
    if (l.held()) out.insert(key);
  }
  return out;
}

Holdings LocalGroups::holdings(const Options& opt) const {
  Holdings h;
  for (const auto& g : opt.groups) {
    if (held(g.key)) {
      h.held.insert(g.key);
      (g.preferred == opt.me ? h.local : h.foreign) = true;
    }
    if (at(g.key).failed) h.failed.insert(g.key);
  }
  return h;
}

bool LocalGroups::stopped() const {
  return std::all_of(groups_.begin(), groups_.end(),
                     [](const auto& kv) { return kv.second.state == GroupState::stopped; });
}

bool LocalGroups::starting() const {
  return std::any_of(groups_.begin(), groups_.end(),
                     [](const auto& kv) { return kv.second.state == GroupState::starting; });
}

bool LocalGroups::settling() const {
  return std::any_of(groups_.begin(), groups_.end(), [](const auto& kv) {
    return kv.second.state == GroupState::starting || kv.second.state == GroupState::stopping;
  });
}

std::set<std::string> LocalGroups::adopt(const std::vector<std::string>& keys, TimePoint now) {
  std::set<std::string> adopted;
  for (const auto& key : keys) {
    Local* l = find(key);
    if (!l) continue;
    l->state = GroupState::running;
    l->want = true;
    l->since = now;
    adopted.insert(key);
  }
  return adopted;
}

void LocalGroups::release_all(const std::string& why) {
  for (auto& [key, l] : groups_) {
    if (l.want) l.reason = why;
    l.want = false;
  }
}

void LocalGroups::clear_failure(const std::string& key) {
  if (Local* l = find(key)) l->failed = false;
}

void LocalGroups::begin_stop(const std::string& key, TimePoint now, Actions& out) {
  Local& l = at(key);
  l.state = GroupState::stopping;
  l.since = now;
  log(out, LogKind::release, "releasing " + key + " (" + l.reason + ")",
      {{"HB_GROUP", key}, {"HB_REASON", l.reason}});
  out.emplace_back(StopGroup{key});
}

void LocalGroups::begin_start(const std::string& key, TimePoint now, Actions& out) {
  Local& l = at(key);
  l.state = GroupState::starting;
  l.since = now;
  log(out, LogKind::acquire, "acquiring " + key + " (" + l.reason + ")",
      {{"HB_GROUP", key}, {"HB_REASON", l.reason}});
  out.emplace_back(StartGroup{key});
}

bool LocalGroups::apply(const std::string& key, Result result, TimePoint now, Actions& out) {
  Local& l = at(key);
  const auto ms = std::chrono::duration_cast<Millis>(now - l.since).count();
  std::map<std::string, std::string> f{{"HB_GROUP", key}, {"HB_DURATION_MS", std::to_string(ms)}};
  switch (result) {
    case Result::started:
      if (l.state != GroupState::starting) return false;
      l.state = GroupState::running;
      log(out, LogKind::acquired, "acquired " + key + " (" + l.reason + ")", f);
      break;
    case Result::start_failed:
      if (l.state != GroupState::starting) return false;
      l.state = GroupState::stopping;
      l.since = now;
      l.cleanup = true;
      l.failed = true;
      l.want = false;
      log(out, LogKind::start_failed, "start of " + key + " failed; stopping what started", f);
      out.emplace_back(StopGroup{key});
      break;
    case Result::stopped:
      if (l.state != GroupState::stopping) return false;
      l.state = GroupState::stopped;
      log(out, LogKind::released, (l.cleanup ? "cleaned up " : "released ") + key, f);
      l.cleanup = false;
      break;
    case Result::stop_failed:
      if (l.state != GroupState::stopping) return false;
      l.state = GroupState::failed;
      l.unsafe = true;
      l.cleanup = false;
      log(out, LogKind::stop_failed,
          "stop of " + key + " failed: it may still be active here; no other node takes it", f);
      break;
  }
  return true;
}

}  // namespace hb::failover
