// Which fence devices this node uses, and their stonith command lines.
#include "core/fence/commands.hpp"

#include <optional>

#include "core/config/lexical.hpp"
#include "core/config/node_name.hpp"

namespace hb::fence {

namespace {

// Parameters written as name=value words (hostname=ha2 ipaddr=…) go to stonith as such: the
// positional -p string would need every parameter in order (rhcs/ipmilan has 36). heartbeat's
// own form, positional, goes as -p.
std::optional<std::vector<std::string>> name_value_pairs(const std::string& params) {
  std::vector<std::string> words;
  std::string w;
  for (char c : params + " ") {
    if (c != ' ') {
      w += c;
    } else if (!w.empty()) {
      if (w.find('=') == std::string::npos || w.front() == '=') return std::nullopt;
      words.push_back(std::move(w));
      w.clear();
    }
  }
  if (words.empty()) return std::nullopt;
  return words;
}

bool serves(const config::StonithDevice& d, std::string_view me) {
  return d.from == "*" || config::same_node_name(d.from, me);
}

}  // namespace

std::vector<FenceCommand> fence_commands(const std::vector<config::StonithDevice>& devices,
                                         std::string_view me, const std::string& stonith_program) {
  std::vector<FenceCommand> out;
  for (const auto& d : devices) {
    if (!serves(d, me)) continue;
    FenceCommand c;
    c.device = d.type + " (" + d.origin.file + ":" + std::to_string(d.origin.line) + ")";
    c.stonith = {stonith_program, "-t", d.type};
    if (!d.config_file.empty()) {
      c.stonith.insert(c.stonith.end(), {"-F", d.config_file});
    } else if (auto pairs = name_value_pairs(d.params)) {
      c.stonith.insert(c.stonith.end(), pairs->begin(), pairs->end());
    } else {
      c.stonith.insert(c.stonith.end(), {"-p", d.params});
    }
    out.push_back(std::move(c));
  }
  return out;
}

bool can_fence(const std::vector<config::StonithDevice>& devices, std::string_view me) {
  for (const auto& d : devices) {
    if (serves(d, me)) return true;
  }
  return false;
}

std::vector<std::string> sbd_disks(const std::vector<config::StonithDevice>& devices,
                                   std::string_view me) {
  for (const auto& d : devices) {
    if (d.type != "external/sbd" || !serves(d, me)) continue;
    auto pairs = name_value_pairs(d.params);
    if (!pairs) continue;
    for (const std::string& p : *pairs) {
      if (!p.starts_with("sbd_device=")) continue;
      return config::split(std::string_view(p).substr(std::string_view("sbd_device=").size()), ";");
    }
  }
  return {};
}

}  // namespace hb::fence
