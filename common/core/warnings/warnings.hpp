// What puts the cluster at risk, in the words of the daemon that sees it: the `Warnings a(ss)`
// property on each daemon's Manager object (code, text), shown by `hbctl status`. The code is a
// stable word for scripts and tests ("no-membership"); the text says what is wrong and what it
// costs, for a person. A daemon keeps one list and sets or clears entries by code as its view
// changes; the property emits PropertiesChanged when the list does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hb {

struct Warning {
  std::string code;
  std::string text;
  bool operator==(const Warning&) const = default;
};

class Warnings {
 public:
  // Adds the warning, or replaces the text of the one with the same code. Returns whether the
  // list changed.
  bool set(std::string_view code, std::string text);
  // Removes the warning with this code, if any. Returns whether the list changed.
  bool clear(std::string_view code);
  // set() when `text` has a value, clear() when not.
  bool assign(std::string_view code, std::optional<std::string> text);

  bool has(std::string_view code) const;
  bool empty() const { return list_.empty(); }
  const std::vector<Warning>& list() const { return list_; }
  // As the D-Bus property carries it: a(ss).
  std::vector<std::pair<std::string, std::string>> pairs() const;

 private:
  std::vector<Warning> list_;  // in the order they were first raised
};

}  // namespace hb
