// heartbeat's cl_status, answered from hb's view of the cluster (view.hpp): the same
// sub-commands, options (-m human-readable, -v verbose, -p/-n ping or normal nodes only,
// -p NAME for hbparameter), output text and exit codes as heartbeat 3.0.6's tools/cl_status.c,
// so the scripts admins wrote for heartbeat keep working. Pure: the shell reads the bus and
// prints what this returns.
//
// How hb's states read in heartbeat's words: a node that is up is `active` (what a running
// heartbeat node reports), the local node `active`, a never-heard node `init`, a dead one
// `dead`; a reachable ping node `ping`, an unreachable one `dead`, one not probed yet `init`,
// one nobody watches (ipfaild not running) `unknown`. A link up or late is `up`, else `dead`;
// this node's own links are `up`; a ping node has one link named after it. Node weight is 100
// and site empty (heartbeat's defaults; hb has no hbadm). The only client is `ipfail`
// (ipfaild); another node's clients cannot be asked.
#pragma once

#include <string>
#include <vector>

#include "core/clstatus/view.hpp"

namespace hb::clstatus {

// heartbeat's exit codes (cl_status.c).
inline constexpr int exit_ok = 0;
inline constexpr int exit_normal_fail = 1;  // node or link down, heartbeat stopped, ...
inline constexpr int exit_parameter_error = 11;
inline constexpr int exit_timeout = 12;
inline constexpr int exit_unknown_error = 13;

struct Answer {
  std::string out;  // stdout
  std::string err;  // stderr
  int code = exit_ok;
};

// `args` are cl_status's arguments after the program name. `log_prefix` starts each line
// heartbeat logs on stderr: "Dec 03 16:16:13 ha1 cl_status: [765]: ".
Answer run(const std::vector<std::string>& args, const View& view, const std::string& log_prefix);

// The help screen (no arguments, or -h).
const std::string& help_text();

// hb's node state in heartbeat's words (see above); `local` for this node.
std::string node_status(const Node& node, bool local);
// hb's link state in heartbeat's words: up or dead.
std::string link_status(const std::string& hb_state);
// rscstatus: none, local, foreign, all, or transition while a group moves.
std::string resource_status(const View& view);

}  // namespace hb::clstatus
