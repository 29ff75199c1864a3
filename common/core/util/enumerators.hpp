// Which values of a scoped enum are named enumerators, found by the compiler, so that a table
// meant to have a row for each of them (enum_names.hpp) fails the build when one is missing, as
// a switch without `default` did under -Wswitch.
//
// C++20 has no reflection, but GCC and Clang spell a template argument in __PRETTY_FUNCTION__:
// a named enumerator by its name ("Value = hb::liveness::LinkState::up"), any other value as a
// cast ("Value = (hb::liveness::LinkState)4"). Each value from 0 to enumerator_scan_limit - 1 is
// probed that way. Should a compiler spell them otherwise, the self-check at the bottom of this
// file breaks the build: a wrong count can only fail, never pass unnoticed.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

namespace hb::util {

// hb's enums are small and numbered from 0; a value at or past the limit is never probed.
inline constexpr std::size_t enumerator_scan_limit = 64;

namespace detail {

template <auto Value>
constexpr std::string_view signature_with() {
  return __PRETTY_FUNCTION__;
}

template <auto Value>
constexpr bool is_named() {
  constexpr std::string_view signature = signature_with<Value>();
  constexpr std::string_view marker = "Value = ";
  constexpr std::size_t at = signature.rfind(marker);
  return at != std::string_view::npos && at + marker.size() < signature.size() &&
         signature[at + marker.size()] != '(';
}

template <class Enum, std::size_t... I>
constexpr std::array<bool, sizeof...(I)> named_values(std::index_sequence<I...>) {
  return {is_named<static_cast<Enum>(I)>()...};
}

}  // namespace detail

// mask[i]: whether static_cast<Enum>(i) is one of Enum's enumerators.
template <class Enum>
constexpr std::array<bool, enumerator_scan_limit> enumerator_mask() {
  // A scoped enum has a fixed underlying type, so every probed value is a valid Enum.
  static_assert(std::is_enum_v<Enum> && !std::is_convertible_v<Enum, int>,
                "enumerators: scoped enums (enum class) only");
  return detail::named_values<Enum>(std::make_index_sequence<enumerator_scan_limit>{});
}

template <class Enum>
constexpr bool is_enumerator(Enum value) {
  const auto number = static_cast<std::underlying_type_t<Enum>>(value);
  if (!std::in_range<std::size_t>(number)) return false;
  const auto index = static_cast<std::size_t>(number);
  return index < enumerator_scan_limit && enumerator_mask<Enum>()[index];
}

template <class Enum>
constexpr std::size_t enumerator_count() {
  std::size_t count = 0;
  for (bool named : enumerator_mask<Enum>()) count += named ? 1 : 0;
  return count;
}

namespace detail {
enum class ProbeCheck : unsigned char { first, second, fifth = 4 };
static_assert(enumerator_count<ProbeCheck>() == 3 && is_enumerator(ProbeCheck::fifth) &&
                  !is_enumerator(static_cast<ProbeCheck>(2)),
              "this compiler spells enum values in __PRETTY_FUNCTION__ differently");
}  // namespace detail

}  // namespace hb::util
