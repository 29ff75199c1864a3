// The REST API's JSON documents (docs/openapi.json, schema version 1), rendered from a Snapshot:
// the whole cluster, one node, one group, and the error body every failure carries.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/status/snapshot.hpp"

namespace hb::status {

inline constexpr int api_version = 1;

nlohmann::json cluster_json(const Snapshot& snapshot);
nlohmann::json node_json(const Node& node);
nlohmann::json group_json(const Group& group);
// {"error": {"status": 404, "reason": "Not Found", "message": "..."}}
nlohmann::json error_json(int status, const std::string& message);

// Wall-clock milliseconds as RFC 3339 UTC with milliseconds: "2026-12-03T12:49:42.123Z".
std::string rfc3339_ms(std::int64_t unix_ms);

// The text HTTP gives a status code ("Not Found").
const char* reason_phrase(int status);

}  // namespace hb::status
