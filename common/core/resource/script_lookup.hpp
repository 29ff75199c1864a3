// Where a heartbeat resource script is looked for: /etc/ha.d/resource.d, then /etc/init.d
// (heartbeat's ResourceManager, function scriptpath: $HA_RESOURCEDIR then $INITDIR, the first
// regular executable file wins), and which names may be looked up at all.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hb::resource {

// heartbeat's directories, in lookup order.
const std::vector<std::string>& default_script_directories();

// A name that stays inside the directories: not empty, no "/", not "." or "..".
bool valid_script_name(std::string_view name);

// The paths to try for `name`, in order (none for an invalid name).
std::vector<std::string> script_candidates(std::string_view name,
                                           const std::vector<std::string>& directories);

// "DIR:DIR:..." (empty parts skipped), as the runner's test override gives them.
std::vector<std::string> parse_directories(std::string_view colon_separated);

}  // namespace hb::resource
