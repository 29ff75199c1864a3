// What `hbctl reload` would change: the running configuration and the files as they are now,
// compared setting by setting (each ha.cf directive hb implements, haresources, authkeys and
// each hb.conf setting), each difference with the grammar's reload column, and what a daemon
// refuses of them. Pure: the daemons and hbctl load the files and act on the answer.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"
#include "core/config/reload_column.hpp"

namespace hb::config {

struct ConfigChange {
  // The ha.cf directive ("deadtime", "bcast"), "haresources", "authkeys", or the hb.conf
  // setting as "[section] key" ("[fencing] race_delay").
  std::string setting;
  Reload reload = Reload::restart;
  bool operator==(const ConfigChange&) const = default;
};

// Every setting whose value differs, in ha.cf's grammar order, then haresources, authkeys and
// hb.conf's settings. Only values count: comments, spacing, the order of lines and where each
// was written do not. authkeys is compared only when both sides read it.
std::vector<ConfigChange> config_changes(const Config& running, const Config& next);

// Whether config_changes() knows how to compare the ha.cf directive or hb.conf setting
// ("[section] key"): the unit test holds both grammars to it, so a new row cannot be missed.
bool compares_setting(std::string_view setting);

// One refused change, said for a person: "msgfmt: needs a restart of hb.target".
struct Refusal {
  std::string setting;
  std::string why;
};

// The daemons that use a setting ("hb-linkd", "hb-resourced", ...): a change reloads live only
// when every one of them applies it, or the daemons would run on different values (hb-linkd
// timing links with one deadtime while hb-resourced lets go of its groups on another).
std::vector<std::string_view> users_of(std::string_view setting);

// The settings `daemon` applies live today (hb-linkd: keepalive, deadtime, warntime, authkeys,
// the media lines, udpport and baud, ping, ping_group; hb-resourced: keepalive, deadtime;
// hb-membershipd: ping, ping_group; ipfaild: keepalive, deadtime, deadping, ping, ping_group):
// the reload column as far as the code has got.
const std::set<std::string, std::less<>>& applied_live_by(std::string_view daemon);

// The settings of the hand-over column `daemon` takes as pending: accepted by a reload, and in
// force once the node holds no group. haresources and auto_failback decide where groups run
// (hb-resourced's); the node list is every daemon's. hb-resourced puts them in force when this
// node holds nothing: it restarts the other daemons for a new node list and starts again itself
// with the files, as heartbeat re-executes itself on SIGHUP.
const std::set<std::string, std::less<>>& pending_with(std::string_view daemon);

// When a pending setting comes in force, as hbctl reload says it.
inline constexpr std::string_view pending_when = "in force once this node holds no group";
// How a daemon answers a pending setting in CheckReload/Reload: after the setting's name, and
// how hbctl reload recognizes it (" (pending: " pending_when ")").
inline constexpr std::string_view pending_answer =
    " (pending: in force once this node holds no group)";
static_assert(pending_answer.substr(11, pending_when.size()) == pending_when);

// A daemon's answer line for `change`: its name, with pending_answer when it waits.
std::string answer_line(std::string_view daemon, const ConfigChange& change);

// `running` with the values of the pending settings taken from `in_force` again: what a daemon
// runs on while they wait (node list, groups, auto_failback).
Config keep_pending_as_running(Config next, const Config& in_force, std::string_view daemon);

// Whether `daemon` takes `change` as pending (its column is the hand-over's, and pending_with()
// lists it) rather than applying it at once.
bool is_pending(std::string_view daemon, const ConfigChange& change);

// What a reload must refuse of `changes`: every change of the restart column, and every other
// change that one of its users neither applies live (yet) nor, for the hand-over column, takes
// as pending. Empty: all of it can be applied.
std::vector<Refusal> refusals(const std::vector<ConfigChange>& changes);

// "msgfmt: needs a restart of hb.target; bcast: not applied live by hb-linkd yet"
std::string to_string(const std::vector<Refusal>& refusals);

}  // namespace hb::config
