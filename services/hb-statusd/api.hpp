// The routes hb-statusd serves (docs/openapi.json): the cluster, one node, one group, the event
// stream, the OpenAPI document, /healthz, /metrics and the dashboard (/). Read-only: any method but
// GET and HEAD is 405, but for the optional admin endpoints under /api/v1/admin/ (admin_api.hpp);
// every error is a JSON body with the status; 304 for an If-None-Match that names the current ETag.
#pragma once

#include <chrono>
#include <string_view>

#include "admin_api.hpp"
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
  Admin* admin = nullptr;  // the admin endpoints (admin_api.hpp); null: off (404)
};

void install_api(httplib::Server& server, const SnapshotStore& store, EventHub& events,
                 const ApiOptions& options);

}  // namespace hb::statusd
