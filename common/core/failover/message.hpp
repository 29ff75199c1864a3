// The messages hb-resourced nodes exchange to hand resource groups over, carried by hb-linkd's
// reliable messages. Type and field names are heartbeat's where heartbeat has one (so a mixed
// cluster with heartbeat 3.0.6 can follow later); fields heartbeat does not know start with
// "hb_" and are ignored by it. docs/handover.md describes every message and who sends it.
//
// The protocol relies on one transport property: messages from one node to another arrive in
// the order they were sent (hb-linkd's reliable messages are per-peer FIFO). Nothing is assumed
// about the relative order of messages from different senders.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace hb::failover {

struct Message {
  std::string type;                           // heartbeat's `t`
  std::string dest;                           // heartbeat's `dest`; empty = every node
  std::map<std::string, std::string> fields;  // everything else, by heartbeat's field name

  // The field's value, or "" when absent.
  const std::string& get(const std::string& name) const;
  bool operator==(const Message&) const = default;
};

// Message types (`t=`).
namespace msg {
inline constexpr std::string_view starting = "starting";
inline constexpr std::string_view resource = "resource";
inline constexpr std::string_view ask_resources = "ask_resources";
inline constexpr std::string_view hb_takeover = "hb_takeover";
inline constexpr std::string_view shutdone = "shutdone";
inline constexpr std::string_view hb_move = "hb_move";  // hb only: per-group move
// hb only: the sender fenced hb_node (or an admin confirmed it down): nobody else needs to.
inline constexpr std::string_view hb_fenced = "hb_fenced";
}  // namespace msg

// Field names.
namespace field {
inline constexpr std::string_view rsc_hold = "rsc_hold";  // none|local|foreign|all
inline constexpr std::string_view rtype = "rtype";        // always "full"
inline constexpr std::string_view isstable = "isstable";  // 0|1
inline constexpr std::string_view info = "info";          // me|other|done, shutdown, ...
inline constexpr std::string_view st = "st";              // t=shutdone: "dead"
// hb extensions: group keys are haresources tokens, which never contain blanks, so a list of
// keys is one space-separated field.
inline constexpr std::string_view held = "hb_held";          // groups the sender runs
inline constexpr std::string_view incoming = "hb_incoming";  // groups promised to the sender
inline constexpr std::string_view failed = "hb_failed";      // groups that failed to start there
inline constexpr std::string_view groups = "hb_groups";      // groups a request is about
inline constexpr std::string_view target = "hb_target";      // node that takes the groups
inline constexpr std::string_view force = "hb_force";        // 1: admin move, clears failures
// 1 on a t=resource to one node: "I no longer know what you hold (you restarted, or came back):
// answer with yours". The answer does not carry it.
inline constexpr std::string_view ask = "hb_ask";
// On t=starting and t=resource: why the sender cannot take groups over from its peers, as
// comma-separated codes (no-membership, no-link); absent when it can. The peers show it
// (`hbctl status`: the cluster has no working standby).
inline constexpr std::string_view unable = "hb_unable";
inline constexpr std::string_view node = "hb_node";  // t=hb_fenced: the node fenced
// The scope of an ask_resources or hb_takeover when heartbeat has no word for it (failback):
// rsc_hold then carries heartbeat's nearest one (heartbeat_hold), which it can read.
inline constexpr std::string_view scope = "hb_scope";
// On t=starting and t=resource: the sender's run, an id its hb-resourced draws at each start.
// A giver's info=done names the run of the taker it handed the groups to: a taker that stopped
// and started again meanwhile does not start what was handed to its earlier run.
inline constexpr std::string_view run = "hb_run";
inline constexpr std::string_view target_run = "hb_target_run";
// Beside hb_ask=1: the asker's number for this ask, which the answer repeats as hb_answer. With
// fencing, a start nobody handed over waits for every live peer's word given after the start was
// decided: a message the peer sent earlier, delayed in a partition, is not that word.
inline constexpr std::string_view ask_id = "hb_ask_id";
inline constexpr std::string_view answer = "hb_answer";
}  // namespace field

std::string join_keys(const std::set<std::string>& keys);
std::set<std::string> split_keys(std::string_view text);

// Which groups a standby/takeover is about, as heartbeat's hb_standby/hb_takeover argument (the
// rsc_hold field). local = groups preferring the node that issues the command; foreign = the
// others; failback = foreign.
enum class Scope { all, local, foreign, failback };
std::string_view to_string(Scope scope);
std::optional<Scope> parse_scope(std::string_view text);
// rsc_hold as heartbeat 3.0.6 reads it (none, local, foreign, all): failback is foreign, the
// groups preferring another node (heartbeat logs "encode_resources: bad resource type
// [failback]" and takes nothing otherwise).
std::string_view heartbeat_hold(Scope scope);
// A request's scope: hb_scope when an hb peer sent one, else rsc_hold (Scope::all when neither
// reads).
Scope scope_of(const Message& m);

// What a node says about itself on t=resource (and, for `held`, on t=starting).
struct Holdings {
  std::set<std::string> held;      // groups it runs (starting, running or stopping)
  std::set<std::string> incoming;  // groups promised to it
  std::set<std::string> failed;    // groups that failed to start there
  bool local = false;              // it runs a group that prefers it (rsc_hold)
  bool foreign = false;            // it runs a group that prefers another node (rsc_hold)
};

// The messages, built field by field as docs/handover.md lists them. `dest` "" = every node.
Message starting_message(const std::set<std::string>& adopted);
// `info` "" = none (shutdown: "shutdown"); `ask`: hb_ask=1, asking for the receiver's own.
Message resource_message(const std::string& dest, const Holdings& holdings, bool stable,
                         const std::string& info, bool ask = false);
// `info`: me (an offer to `target`), other (the taker accepts), done (stopped, or started).
Message ask_resources_message(const std::string& dest, Scope scope, std::string_view info,
                              const std::set<std::string>& keys, const std::string& target,
                              bool force = false);
Message takeover_message(const std::string& dest, Scope scope, bool force);
Message move_message(const std::string& key, const std::string& target);
Message shutdone_message();
Message fenced_message(const std::string& node);

// What a t=starting or t=resource from an hb node says the sender holds, promised and failed;
// nullopt from heartbeat, which tells only the class of what it holds (rsc_hold).
std::optional<Holdings> holdings_of(const Message& message);

}  // namespace hb::failover
