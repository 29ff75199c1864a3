#include "core/proto/node_list.hpp"

namespace hb::proto {

std::map<std::string, std::string> node_list_reply_fields(const std::vector<std::string>& nodes) {
  std::string list;
  for (const auto& n : nodes) list += n + " ";
  return {{"nodelist", list}, {"delnodelist", " "}};
}

}  // namespace hb::proto
