// heartbeat 3.0's node-list exchange, which a starting heartbeat waits on: once it has heard from
// every node of ha.cf, a heartbeat that still believes its peers do NS_ackmsg flow control asks
// one live peer for the cluster's node list (t=reqnodes, dest=<peer>), every second, and becomes
// active (opens its API, starts its clients, asks for resources) only on the answer
// (t=repnodes). It stops asking once a status packet without `protocol` (hb's) has turned flow
// control off, but a peer's first packet is not always a status: hb answers the request, so a
// heartbeat started beside an hb node never waits on a question nobody answers.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hb::proto {

namespace msgtype {
inline constexpr std::string_view node_list_request = "reqnodes";
inline constexpr std::string_view node_list_reply = "repnodes";
}  // namespace msgtype

// The fields of the answer to a t=reqnodes (beside t and dest): nodelist, every normal node of
// ha.cf each followed by a space, as heartbeat writes it; delnodelist, the nodes deleted with
// heartbeat's delnode command, which hb does not have: heartbeat's empty list, one space.
// A heartbeat that gets the answer drops from its own table every normal node the list lacks,
// so it must name them all.
std::map<std::string, std::string> node_list_reply_fields(const std::vector<std::string>& nodes);

}  // namespace hb::proto
