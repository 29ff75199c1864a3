#include "core/warnings/warnings.hpp"

#include <algorithm>

namespace hb {

bool Warnings::set(std::string_view code, std::string text) {
  auto it =
      std::find_if(list_.begin(), list_.end(), [&](const Warning& w) { return w.code == code; });
  if (it == list_.end()) {
    list_.push_back({std::string(code), std::move(text)});
    return true;
  }
  if (it->text == text) return false;
  it->text = std::move(text);
  return true;
}

bool Warnings::clear(std::string_view code) {
  return std::erase_if(list_, [&](const Warning& w) { return w.code == code; }) > 0;
}

bool Warnings::assign(std::string_view code, std::optional<std::string> text) {
  return text ? set(code, std::move(*text)) : clear(code);
}

bool Warnings::has(std::string_view code) const {
  return std::any_of(list_.begin(), list_.end(), [&](const Warning& w) { return w.code == code; });
}

std::vector<std::pair<std::string, std::string>> Warnings::pairs() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& w : list_) out.emplace_back(w.code, w.text);
  return out;
}

}  // namespace hb
