// The small lexical rules heartbeat applies to every /etc/ha.d file: its time syntax
// (cl_get_msec), its booleans (cl_str_to_boolean), `#` comments and value splitting.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"

namespace hb::config {

// heartbeat's time syntax: a decimal number of seconds ("2", "1.5"), or a number followed by
// `ms`/`msec` (milliseconds) or `us`/`usec` (microseconds, rounded down to whole milliseconds),
// with optional whitespace before the unit. Anything else is invalid (nullopt).
std::optional<Millis> parse_time(std::string_view text);

// true/on/yes/y/1 and false/off/no/n/0, case-insensitive; anything else is nullopt.
std::optional<bool> parse_bool(std::string_view text);

// A non-negative decimal integer that fits an int, nothing else (no sign, no spaces).
std::optional<int> parse_int(std::string_view text);

// Everything before the first `#` (heartbeat allows comments anywhere on a line).
std::string_view strip_comment(std::string_view line);

// Splits on any of `separators`, dropping empty pieces.
std::vector<std::string> split(std::string_view text, std::string_view separators);

// The file's text cut into lines (without their '\n'); line i+1 of the file is element i.
std::vector<std::string_view> lines_of(std::string_view text);

// Renders a duration the way ha.cf would write it back: "2 s", "1500 ms".
std::string format_time(Millis value);

}  // namespace hb::config
