// /metrics: the snapshot in Prometheus' text exposition format (version 0.0.4), named in the
// style of ClusterLabs' ha_cluster_exporter with an hb_ prefix. A state is one series per
// possible value with 0 or 1, never a label whose change would start a new series.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status/snapshot.hpp"

namespace hb::status {

inline constexpr const char* metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

// hb-statusd's own counters, beside the cluster's figures.
struct StatusdCounters {
  // Admin requests refused for a missing or wrong token; only with the admin endpoints on.
  std::optional<std::uint64_t> admin_refused;
};

// `now_monotonic_usec` dates the cache ages (hb_status_cache_age_seconds).
std::string render_metrics(const Snapshot& snapshot, std::uint64_t now_monotonic_usec,
                           const StatusdCounters& own = {});

// A label value with \, " and newline escaped as the format requires.
std::string escape_label_value(const std::string& value);

}  // namespace hb::status
