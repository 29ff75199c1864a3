#include "core/config/lexical.hpp"

#include <cctype>
#include <limits>

#include "core/config/node_name.hpp"

namespace hb::config {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Millis> parse_time(std::string_view text) {
  std::string_view s = trim(text);
  // Integer and fraction parts are kept as digits so "0.0015 s"-style values round the same way
  // everywhere, without floating point.
  std::size_t i = 0;
  unsigned long long whole = 0;
  std::size_t whole_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (whole > 1000000000ULL) return std::nullopt;  // far beyond any sane timeout
    whole = whole * 10 + static_cast<unsigned>(s[i] - '0');
    ++i;
    ++whole_digits;
  }
  // Fraction as micro-units of the unit (6 digits kept, the rest dropped).
  unsigned long long fraction = 0;
  std::size_t fraction_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (fraction_digits < 6) {
        fraction = fraction * 10 + static_cast<unsigned>(s[i] - '0');
      }
      ++fraction_digits;
      ++i;
    }
  }
  if (whole_digits == 0 && fraction_digits == 0) return std::nullopt;
  for (std::size_t d = fraction_digits; d < 6; ++d) fraction *= 10;
  std::string_view unit = trim(s.substr(i));
  // Microseconds of the value, then down to whole milliseconds as heartbeat does.
  unsigned long long micros = 0;
  if (unit.empty()) {
    micros = whole * 1000000ULL + fraction;
  } else if (ascii_iequals(unit, "ms") || ascii_iequals(unit, "msec")) {
    micros = whole * 1000ULL + fraction / 1000ULL;
  } else if (ascii_iequals(unit, "us") || ascii_iequals(unit, "usec")) {
    micros = whole;
  } else {
    return std::nullopt;
  }
  return Millis(static_cast<Millis::rep>(micros / 1000ULL));
}

std::optional<bool> parse_bool(std::string_view text) {
  for (const char* t : {"true", "on", "yes", "y", "1"}) {
    if (ascii_iequals(text, t)) return true;
  }
  for (const char* f : {"false", "off", "no", "n", "0"}) {
    if (ascii_iequals(text, f)) return false;
  }
  return std::nullopt;
}

std::optional<int> parse_int(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string_view strip_comment(std::string_view line) {
  auto hash = line.find('#');
  return hash == std::string_view::npos ? line : line.substr(0, hash);
}

std::vector<std::string> split(std::string_view text, std::string_view separators) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find_first_of(separators, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    start = end + 1;
  }
  return out;
}

std::string format_time(Millis value) {
  auto ms = value.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

}  // namespace hb::config
