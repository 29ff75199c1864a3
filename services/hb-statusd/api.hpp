// The routes hb-statusd serves (docs/openapi.json): the cluster, one node, one group, the event
// stream, the OpenAPI document, /healthz, /metrics and the dashboard (/). Read-only: any method but
// GET and HEAD is 405; every error is a JSON body with the status; 304 for an If-None-Match that
// names the current ETag.
#pragma once

#include <chrono>
#include <string_view>

#include "event_hub.hpp"
#include "snapshot_store.hpp"

namespace httplib {
class Server;
}

namespace hb::statusd {

struct ApiOptions {
  std::chrono::milliseconds healthz_max_age{10000};
  std::string_view openapi_document;  // served as /api/v1/openapi.json
  // The dashboard's files, served as /, /dashboard.js and /dashboard.css.
  std::string_view dashboard_html, dashboard_js, dashboard_css;
};

void install_api(httplib::Server& server, const SnapshotStore& store, EventHub& events,
                 const ApiOptions& options);

}  // namespace hb::statusd
