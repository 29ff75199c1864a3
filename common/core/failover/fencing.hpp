// Which dead peers must be fenced before this node may start anything, when each fence is due
// (the two-node race: the node that served less waits), and what became of each attempt.
//
// A peer declared dead without a clean shutdown may still run its groups: it may only have lost
// every link (a partition), or hung. With fencing configured, nothing starts here until such a
// peer is fenced (its power cut by a fence device, or confirmed down by an admin); a failed fence
// is tried again every `retry`, forever, as heartbeat does with STONITH. When both nodes of a
// partition see each other dead, each would fence the other: the node that held fewer groups
// (or, holding as many, comes later in ha.cf's node order) waits `race_delay` first, so the one
// that was serving cuts the other's power before the other can cut its own.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/failover/options.hpp"

namespace hb::failover {

struct Unclean {
  std::set<std::string> may_hold;  // groups it held, was starting or was promised when lost
  TimePoint lost_at{};
  TimePoint due{};        // when the next attempt may begin
  bool running = false;   // an attempt is under way: its result is awaited
  bool heard = false;     // heard again while an attempt ran: not tried again if it fails
  unsigned attempts = 0;  // attempts that failed so far
  std::string last_error;
};

class Fencing {
 public:
  explicit Fencing(FenceOptions options) : opt_(std::move(options)) {}

  bool configured() const { return opt_.configured; }

  // `node` was declared dead without a clean shutdown. `delay`: the race rule says this node
  // waits before fencing it.
  void lost(const std::string& node, std::set<std::string> may_hold, bool delay, TimePoint now);
  // `node` was heard again. A fence not yet begun is called off (the partition healed); one
  // under way stays: its result still comes, and if it failed it is not tried again.
  void appeared(const std::string& node);
  // The fence of `node` ended (here, or by a peer: t=hb_fenced), or an admin confirmed it down.
  // False when nothing was pending for it.
  bool fenced(const std::string& node);
  // An attempt failed: the next one is due `retry` from now. False when none is: the node was
  // heard again meanwhile, so it is called off as if heard before the attempt.
  bool failed(const std::string& node, std::string error, TimePoint now);

  // Fences due now that `ours` says this node is to carry out (marked running).
  std::vector<std::string> take_due(TimePoint now,
                                    const std::function<bool(const std::string&)>& ours);

  bool pending() const { return !unclean_.empty(); }
  bool pending(const std::string& node) const { return unclean_.count(node) > 0; }
  const Unclean* find(const std::string& node) const;
  // The unclean peer that may still run `key`, if any.
  const std::string* holder(const std::string& key) const;
  const std::map<std::string, Unclean>& unclean() const { return unclean_; }
  // When the next attempt that `ours` says this node carries out is due. The others need no
  // timer: only an input (a death, a message) can make them ours, and a deadline kept for them
  // would stay in the past and wake the daemon at once, for ever.
  std::optional<TimePoint> next_deadline(const std::function<bool(const std::string&)>& ours) const;
  Millis retry() const { return opt_.retry; }

 private:
  FenceOptions opt_;
  std::map<std::string, Unclean> unclean_;
};

}  // namespace hb::failover
