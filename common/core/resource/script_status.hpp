// What a heartbeat resource script's `status` answer means: heartbeat's text rule on what it
// printed, else its LSB exit code.
//
// Where the rule comes from (heartbeat 3.0.6, Debian's heartbeat package,
// /usr/share/heartbeat/ResourceManager, function we_own_resource): heartbeat runs
// `script [args...] status`, takes its standard output and matches it with the shell pattern
// `*[Nn][Oo][Tt]\ *[Rr]unning*` (owned: no), then `*[Rr]unning*|*OK*` (owned: yes); anything
// else counts as not owned, and the exit code is never looked at. hb keeps that rule first, so a
// script's own words decide as they did under heartbeat (one that prints "stopped" while its
// product runs is taken as stopped), and only output the rule does not recognize falls back to
// the LSB exit code, as issue 18 asks: 0 running, 3 stopped, anything else failed.
#pragma once

#include <optional>
#include <string_view>

namespace hb::resource {

enum class ScriptStatus { running, stopped, failed };

// heartbeat's text rule on a status output; nullopt when the output matches neither pattern.
// The patterns match anywhere in the text, across lines, as a shell `case` does on the output
// of a command substitution: "not" in any case, one space, then later "Running" or "running"
// means stopped; else "Running", "running" or "OK" anywhere means running.
std::optional<ScriptStatus> status_from_text(std::string_view output);

// The LSB exit code of `status`: 0 running, 3 stopped (and OCF's 7, not running, as heartbeat's
// own resource.d wrappers pass it on), anything else (1 dead with a pid file, 2 dead with a lock
// file, 4 unknown, a signal...) failed.
ScriptStatus status_from_exit_code(int exit_code);

// The whole rule: the text when it says something, else the exit code.
ScriptStatus script_status(std::string_view output, int exit_code);

// The exit code hb's runner answers `status` with: 0 running, 3 stopped, 1 failed.
int lsb_status_code(ScriptStatus status);

// "running", "stopped", "failed".
std::string_view to_string(ScriptStatus status);

}  // namespace hb::resource
