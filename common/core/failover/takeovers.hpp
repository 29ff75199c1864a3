// Each resource group's takeovers by this node, counted from the engine's group views: how many
// times the group came to run here after another node had run it, and how long the last one took
// (for hb-resourced's Takeovers and LastTakeoverUSec properties, and hb-statusd's metrics).
//
// A takeover begins when this node learns that the peer running the group no longer does: the
// group's view stops being "running on that peer" (the peer was declared dead or shut down, its
// stop finished in a hand-over, or it is being fenced). It ends, and counts, when the group's view
// becomes "running here". A group that runs on another peer in between is not this node's
// takeover; a group found running here at start (adopted) or started here first is not one either.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/failover/events.hpp"
#include "core/failover/options.hpp"

namespace hb::failover {

struct TakeoverCount {
  std::uint32_t count = 0;            // takeovers of the group by this node since it started
  std::chrono::microseconds last{0};  // the last one's duration (0 before the first)
  bool operator==(const TakeoverCount&) const = default;
};

class Takeovers {
 public:
  explicit Takeovers(std::string me) : me_(std::move(me)) {}

  // A view the engine emitted at `now`. True when it completed a takeover (the count changed).
  bool on_view(const GroupView& view, TimePoint now);

  // The group's count (zero for a group never taken over here).
  TakeoverCount of(const std::string& key) const;

 private:
  struct Tracked {
    std::string peer_owner;              // the peer it was last seen running on ("" = none)
    std::optional<TimePoint> lost_from;  // when that peer stopped running it, until it runs here
    TakeoverCount counted;
  };
  std::string me_;
  std::map<std::string, Tracked> groups_;
};

}  // namespace hb::failover
