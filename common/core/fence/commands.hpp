// Which of ha.cf's fence devices this node uses to fence a peer, and how cluster-glue's `stonith`
// tool addresses each, by heartbeat's rules: a `stonith_host FROM ...` line serves only node FROM
// (`*`: every node), a `stonith TYPE FILE` line every node; devices are tried in ha.cf order.
// What is done with a device (its host list checked, then a reset, as heartbeat's STONITH does)
// is hb-fence-device's (units/hb-fence-device).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"

namespace hb::fence {

struct FenceCommand {
  std::string device;                // for messages: "external/ipmi (ha.cf:31)"
  std::vector<std::string> stonith;  // the tool and the device's options: -t TYPE -p/-F ...
};

// The devices node `me` fences a peer with, in the order to try them (empty: no device of ha.cf
// serves this node). `stonith_program`: the path of cluster-glue's stonith.
std::vector<FenceCommand> fence_commands(const std::vector<config::StonithDevice>& devices,
                                         std::string_view me,
                                         const std::string& stonith_program = "/usr/sbin/stonith");

// Whether any device of ha.cf serves node `me`.
bool can_fence(const std::vector<config::StonithDevice>& devices, std::string_view me);

// The sbd fencing disks of the first `stonith_host` line of type external/sbd that serves node
// `me` (its `sbd_device=PATH` parameter, several disks `;`-separated): the mailboxes where peers
// leave this node its poison pill, which hb-resourced watches. Empty: none.
std::vector<std::string> sbd_disks(const std::vector<config::StonithDevice>& devices,
                                   std::string_view me);

}  // namespace hb::fence
