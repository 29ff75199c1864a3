// The normalized configuration as JSON: what `hbctl config check` prints and what hb-statusd
// serves. Secrets never appear: authkeys shows each key's index and method only.
#pragma once

#include <nlohmann/json.hpp>

#include "core/config/config.hpp"

namespace hb::config {

nlohmann::json to_json(const Config& config);
nlohmann::json to_json(const Resource& resource);
nlohmann::json to_json(const ResourceGroup& group);

}  // namespace hb::config
