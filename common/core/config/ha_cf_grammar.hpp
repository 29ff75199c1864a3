// ha.cf's grammar: every directive hb reads, one row each, in one table (ha_cf.cpp,
// `grammar`). The table is the one place to add a directive: its row says how the line's
// values are cut, which function fills HaCf from them, the default, the heartbeat release that
// has it, whether hb implements it or accepts it with a `file:line: warning`, and when a changed
// value takes effect on a running node (`reload`, shown in ha.cf(5) and applied by `hbctl
// reload`), and whether only hb knows it (`hb_only`, flagged by `hbctl config check
// --heartbeat`: heartbeat 3.0.6 would refuse the file). A name that is not in the table is an error
// ("unknown directive", heartbeat's "Illegal directive").
//
// The real defaults are HaCf's member initializers (config.hpp), which the parser starts from;
// `default_value` documents them as ha.cf would spell them, and a unit test checks that writing
// that line changes nothing. Columns are named fields with a default, so rows that do not
// mention one stay as they are; a later column is added the same way.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/reload_column.hpp"

namespace hb::config {

// The state a directive's parser fills (ha_cf.cpp).
class HaCfParser;

// The first heartbeat release line that has the directive: 1.2.0 (February 2004), 2.0.0 (July
// 2005) through 2.1.x, or 3.0.
enum class HeartbeatVersion { v1_2, v2, v3_0 };
const char* to_string(HeartbeatVersion version);  // "1.2", "2.x", "3.0"

enum class Support {
  implemented,  // hb acts on it (some values may still be errors, e.g. "crm on")
  warned,       // accepted without effect: "file:line: warning: NAME ignored (WHY)"
};
const char* to_string(Support support);  // "implemented", "warned"

// How the words after the directive become its values.
enum class Values {
  split,       // heartbeat's value splitting: on spaces, tabs and commas
  whole_line,  // on spaces and tabs only: the line's words keep their commas (respawn's
               // arguments, mcast's fields, stonith's parameters)
};

struct HaCfDirective {
  // Fills HaCf from the line's values (never empty: a directive without one is an error
  // before this is called). `directive` is the row's name, for rows that share a function.
  using Parse = void (*)(HaCfParser& parser, const std::string& directive,
                         const std::vector<std::string>& values);

  std::string_view name{};
  HeartbeatVersion since = HeartbeatVersion::v1_2;
  Support support = Support::implemented;
  // When a change takes effect without a restart. Warned rows keep the default: hb ignores
  // them, so there is nothing to apply and `hbctl reload` never looks at them.
  Reload reload = Reload::restart;
  // hb's value when the directive is absent, as ha.cf would spell it; empty when there is none
  // (media, nodes, ...) or it is derived from another directive (see `note`). It is heartbeat's
  // default unless `note` says otherwise.
  std::string_view default_value{};
  // warned: why hb ignores it, the text of the warning. implemented: a remark (derived
  // default, alias, restriction), or empty.
  std::string_view note{};
  Values values = Values::split;
  Parse parse = nullptr;  // nullptr exactly for warned directives
  // A directive hb adds: heartbeat 3.0.6 has no such name and refuses the whole file ("Illegal
  // directive"), so a node still running heartbeat must not be given it. Every row so far is
  // heartbeat's own (config.c's tables and its media plugins; a unit test holds the list).
  bool hb_only = false;
};

// Every directive, in the table's order.
std::span<const HaCfDirective> ha_cf_grammar();

// The row for `name` (directive names are case-sensitive, as in heartbeat), or nullptr.
const HaCfDirective* find_ha_cf_directive(std::string_view name);

}  // namespace hb::config
