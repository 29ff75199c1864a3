// The digest of a node's cluster-wide configuration, which nodes compare to notice that their
// files differ: ha.cf without what may differ from node to node, haresources, a digest of the
// authkeys keys (never the keys) and the cluster-wide part of hb.conf. Computed over the parsed
// values, so comments, spacing, line order where it has no meaning and equivalent spellings
// ("1" and "1000ms") do not change it.
//
// What is left out, and why:
//  * media lines, udpport, baud: interface names, ucast peer addresses and serial devices
//    differ by nature; a medium the nodes do not share shows as a dead link anyway.
//  * warntime: only when this node logs a late heartbeat.
//  * initdead: only how long this node waits for its peers at its own start.
//  * logfile, debugfile, logfacility, use_logd, debug: this node's logging.
//  * watchdog, realtime, hbgenmethod, respawn: this node's device, scheduling, generation and
//    helper programs.
//  * hopfudge, msgfmt: how this node sends; every node reads both formats.
//  * the directives hb ignores (warned), and hb.conf's [status] and [watchdog]: this node's
//    HTTP service and watchdog device.
// What is kept: keepalive, deadtime and deadping (each node judges the others by them), the
// node list in order (the fencing race's tie-break follows it), the ping nodes and groups in any
// order (ipfail compares how many each node reaches, which is fair only over the same set),
// the fence devices, auto_failback, every resource group, the keys, and hb.conf's [fencing]
// (both sides of the two-node race must wait the same way).
#pragma once

#include <string>

#include "core/config/config.hpp"

namespace hb::config {

// The cluster-wide configuration as canonical text, one "name value..." line each (the keys as
// a SHA-256 digest only): what cluster_digest() hashes, for tests and for a person comparing
// two nodes.
std::string cluster_config_text(const Config& config);

// The first 16 hex digits of cluster_config_text()'s SHA-256: enough to tell configurations
// apart, short enough for every status packet.
std::string cluster_digest(const Config& config);

}  // namespace hb::config
