// hbctl's subcommands: main.cpp dispatches, each lives in its own file.
#pragma once

#include <systemd/sd-bus.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace hb::hbctl {

// Exit codes (docs/style.md B10: LSB + sysexits).
inline constexpr int exit_ok = 0;
inline constexpr int exit_error = 1;
inline constexpr int exit_usage = 64;       // EX_USAGE
inline constexpr int exit_bad_config = 65;  // EX_DATAERR

// `args` are the words after the subcommand's name.
int config_check(const std::vector<std::string>& args);
int link_test(const std::vector<std::string>& args);
// status / nodes: the members as hb-membershipd sees them, and the groups (status.cpp).
int status(const std::vector<std::string>& args);
// The same, on an open bus, into `out` (errors into `err`): what `hbctl watch` redraws.
// `json` is "short" or "pretty" for JSON, empty for the table. Returns status's exit code.
int render_status(sd_bus* bus, const std::optional<std::string>& json, std::ostream& out,
                  std::ostream& err);
// hbctl watch: the status table, redrawn on every change signal of hb's daemons (watch.cpp).
int watch(const std::vector<std::string>& args);

// hb_standby / hb_takeover, and the per-group move (standby.cpp).
int standby(const std::vector<std::string>& args);
int takeover(const std::vector<std::string>& args);
int move(const std::vector<std::string>& args);
int fence_confirm(const std::vector<std::string>& args);

// The changed files checked, then applied by the running daemons (reload.cpp).
int reload(const std::vector<std::string>& args);

// hb-linkd forgets a peer's persisted generation (forget_generation.cpp).
int forget_generation(const std::vector<std::string>& args);

// hb's journal entries as heartbeat's ha-log lines, on stdout or in ha.cf's logfile/debugfile
// (log.cpp; hb-log.service runs it).
int log(const std::vector<std::string>& args);

}  // namespace hb::hbctl
