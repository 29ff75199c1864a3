// Enum <-> string through one table per enum, instead of a hand-written switch per direction.
// hb exports its states as lowercase strings (D-Bus properties, the journal, hbctl's JSON), so
// the spelling of each value is data: a constexpr array of {value, "name"} pairs, read by
// to_string() and parse(). Adding an enumerator means adding one pair, and both directions
// follow; the static_assert beside the table fails the build until the pair is there.
//
//   inline constexpr auto link_state_names = std::to_array<util::EnumName<LinkState>>({
//       {LinkState::init, "init"}, {LinkState::up, "up"}, ...});
//   static_assert(util::names_are_complete(link_state_names));
//   util::to_string(link_state_names, LinkState::up)    -> "up"
//   util::parse(link_state_names, "late")              -> LinkState::late
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "core/util/enumerators.hpp"

namespace hb::util {

template <class Enum>
struct EnumName {
  Enum value;
  // A string literal: to_string() hands it out as a NUL-terminated C string.
  const char* name;
};

// The name of `value`, or `fallback` for a value the table does not list (only an out-of-range
// cast can produce one).
template <class Enum, std::size_t N>
constexpr const char* to_string(const std::array<EnumName<Enum>, N>& names, Enum value,
                                const char* fallback = "unknown") {
  for (const auto& n : names) {
    if (n.value == value) return n.name;
  }
  return fallback;
}

// The value spelled exactly `text` (case-sensitive, as every hb protocol string is), if any.
template <class Enum, std::size_t N>
constexpr std::optional<Enum> parse(const std::array<EnumName<Enum>, N>& names,
                                    std::string_view text) {
  for (const auto& n : names) {
    if (std::string_view(n.name) == text) return n.value;
  }
  return std::nullopt;
}

// For a static_assert beside each table: no value listed twice, no name used twice (either
// would make one direction ambiguous).
template <class Enum, std::size_t N>
constexpr bool names_are_unique(const std::array<EnumName<Enum>, N>& names) {
  for (std::size_t i = 0; i < N; ++i) {
    for (std::size_t j = i + 1; j < N; ++j) {
      if (names[i].value == names[j].value) return false;
      if (std::string_view(names[i].name) == std::string_view(names[j].name)) return false;
    }
  }
  return true;
}

// For the static_assert beside each table: unique, and one row for every enumerator of the enum
// (enumerators.hpp), so an enumerator added without its row is a compile error, as -Wswitch made
// it for the switches these tables replaced.
template <class Enum, std::size_t N>
constexpr bool names_are_complete(const std::array<EnumName<Enum>, N>& names) {
  if (!names_are_unique(names) || N != enumerator_count<Enum>()) return false;
  for (const auto& n : names) {
    if (!is_enumerator(n.value)) return false;
  }
  return true;
}

}  // namespace hb::util
