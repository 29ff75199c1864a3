// The failover engine's inputs and outputs as plain values: what happened to a node or a job,
// and the actions the engine returns for the daemon to carry out, in order.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/failover/message.hpp"

namespace hb::failover {

// --- inputs -------------------------------------------------------------------------------

enum class NodeChange {
  up,             // heard (first contact, or back after being declared dead: partition heal)
  dead,           // declared dead (deadtime, or initdead before first contact)
  restarted,      // came back with a new incarnation: it holds nothing
  clean_shutdown  // announced its shutdown: it holds nothing
};
std::string_view to_string(NodeChange change);

enum class Result { started, start_failed, stopped, stop_failed };
std::string_view to_string(Result result);

// --- outputs ------------------------------------------------------------------------------

// fencing: a dead node that may still run the group is being fenced; it starts nowhere until
// that ends.
enum class GroupState { stopped, starting, running, stopping, failed, fencing };
std::string_view to_string(GroupState state);

struct StartGroup {
  std::string key;
  bool operator==(const StartGroup&) const = default;
};
struct StopGroup {
  std::string key;
  bool operator==(const StopGroup&) const = default;
};
struct Send {
  Message message;
  bool operator==(const Send&) const = default;
};

enum class LogKind {
  acquire,          // starting a group here (fields: HB_GROUP, HB_REASON)
  acquired,         // a group runs here (HB_GROUP, HB_DURATION_MS)
  release,          // stopping a group here (HB_GROUP, HB_REASON)
  released,         // a group stopped here (HB_GROUP, HB_DURATION_MS)
  start_failed,     // (HB_GROUP)
  stop_failed,      // (HB_GROUP): the group may still be active; nobody else takes it
  initial_done,     // "Initial resource acquisition complete"
  standby_request,  // a hand-over offered or asked for (HB_NODE, HB_GROUPS)
  standby_done,     // "Standby resource acquisition done"
  standby_cancelled,
  refused,  // a command or request not carried out (HB_REASON)
  peer_dead,
  peer_returned,  // "Cluster node X returning after partition"
  split_brain,    // two holders found (HB_GROUP, HB_NODE)
  shutdown_begin,
  shutdown_complete,
  daemons_lost,  // own hb-linkd/hb-membershipd gone past the grace: releasing
  daemons_back,
  waiting,        // a live peer has not said what it holds yet
  fence,          // fencing a dead peer (HB_NODE)
  fenced,         // a dead peer was fenced (HB_NODE), by us or by a peer
  fence_failed,   // (HB_NODE, HB_REASON): tried again after FenceOptions::retry
  self_fence,     // this node cannot let go of a group (HB_GROUP, HB_REASON): it fences itself
  wait_for_peer,  // fencing configured: a peer never heard since start is not written off
  // No fencing: own hb-linkd lost and groups still held here when the peers declare this node
  // dead (HB_GROUPS): they may run on two nodes for a while.
  two_holder_window,
};
std::string_view to_string(LogKind kind);

struct LogEvent {
  LogKind kind = LogKind::acquire;
  std::string text;
  std::map<std::string, std::string> fields;  // journal fields (HB_GROUP, HB_NODE, ...)
};

// How a group looks from this node: its state and owner ("" = none). Emitted on change.
struct GroupView {
  std::string key;
  GroupState state = GroupState::stopped;
  std::string owner;
  bool operator==(const GroupView&) const = default;
};

// Tell the network again that this node has the group's addresses (gratuitous ARP): after a
// healed split brain, when the other holder has let go, clients and switches may still send to
// its MAC address, which the other holder's own announcements taught them.
struct Announce {
  std::string key;
  bool operator==(const Announce&) const = default;
};

// Cut the power of `node` (a dead peer that may still run groups) with the configured fence
// devices; the daemon reports the outcome with Engine::on_fence_result.
struct Fence {
  std::string node;
  bool operator==(const Fence&) const = default;
};

// This node cannot let go of a group (a stop failed): it must end itself now, so that the peers
// may take the group over without two holders of the shared disk.
struct SelfFence {
  std::string reason;
  bool operator==(const SelfFence&) const = default;
};

using Action =
    std::variant<StartGroup, StopGroup, Send, LogEvent, GroupView, Announce, Fence, SelfFence>;
using Actions = std::vector<Action>;

// For the engine's parts: a journal entry among the actions.
inline void log(Actions& out, LogKind kind, std::string text,
                std::map<std::string, std::string> fields = {}) {
  out.emplace_back(LogEvent{kind, std::move(text), std::move(fields)});
}

// For the engine's inputs: a refused one. The journal says why; returns false (the rules need
// not run: nothing changed).
inline bool refuse(Actions& out, std::string text, std::map<std::string, std::string> fields) {
  log(out, LogKind::refused, std::move(text), std::move(fields));
  return false;
}

}  // namespace hb::failover
