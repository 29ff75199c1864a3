// Where a heartbeat resource script is looked for (see script_lookup.hpp).
#include "core/resource/script_lookup.hpp"

namespace hb::resource {

const std::vector<std::string>& default_script_directories() {
  static const std::vector<std::string> dirs = {"/etc/ha.d/resource.d", "/etc/init.d"};
  return dirs;
}

bool valid_script_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

std::vector<std::string> script_candidates(std::string_view name,
                                           const std::vector<std::string>& directories) {
  std::vector<std::string> out;
  if (!valid_script_name(name)) return out;
  for (const auto& dir : directories) {
    std::string path = dir;
    if (path.empty() || path.back() != '/') path += '/';
    out.push_back(path + std::string(name));
  }
  return out;
}

std::vector<std::string> parse_directories(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto colon = text.find(':');
    auto part = text.substr(0, colon);
    if (!part.empty()) out.emplace_back(part);
    if (colon == std::string_view::npos) break;
    text.remove_prefix(colon + 1);
  }
  return out;
}

}  // namespace hb::resource
