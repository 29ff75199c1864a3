// The routes hb-statusd serves (api.hpp).
#include "api.hpp"

#include <httplib.h>

#include "connection_lobby.hpp"
#include "core/status/etag.hpp"
#include "core/status/health.hpp"
#include "core/status/render_json.hpp"
#include "core/status/render_metrics.hpp"
#include "status_cache.hpp"

namespace hb::statusd {
namespace {

constexpr const char* json_type = "application/json";

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(dump(status::error_json(status, message)), json_type);
}

// A JSON document with its validator; 304 when the client already has it.
void send_json(const httplib::Request& req, httplib::Response& res, std::string body,
               std::string etag = {}) {
  if (etag.empty()) etag = status::etag_of(body);
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", "no-cache");
  if (req.has_header("If-None-Match") &&
      status::if_none_match(req.get_header_value("If-None-Match"), etag)) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.set_content(std::move(body), json_type);
}

// The current view; an HTTP thread may run before the bus side published the first one.
ViewPtr view_or_503(const SnapshotStore& store, httplib::Response& res) {
  ViewPtr v = store.current();
  if (!v) send_error(res, 503, "hb-statusd is starting");
  return v;
}

// A static file of the dashboard; the policy keeps the page to what hb-statusd itself serves.
void send_static(const httplib::Request& req, httplib::Response& res, std::string_view body,
                 const char* type) {
  const std::string text(body);
  const std::string etag = status::etag_of(text);
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", "no-cache");
  res.set_header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  if (req.has_header("If-None-Match") &&
      status::if_none_match(req.get_header_value("If-None-Match"), etag)) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.set_content(text, type);
}

// GET /api/v1/events: one Server-Sent Events stream, on this HTTP thread while it lasts.
void serve_events(EventHub& events, const httplib::Request& req, httplib::Response& res) {
  auto stream = events.open(req.get_header_value("Last-Event-ID"));
  if (!stream) {
    res.set_header("Retry-After", "5");
    send_error(res, 503,
               "too many event streams: at most " + std::to_string(events.limits().max_streams) +
                   " at once (hb.conf [status] max_event_streams); try again later");
    return;
  }
  res.status = 200;
  res.set_header("Cache-Control", "no-store");
  // A client that leaves frees its place within a second, not at the next keep-alive.
  ClientConnection* connection = ClientConnection::serving();
  std::function<bool()> gone = [connection] { return connection && connection->peer_closed(); };
  res.set_chunked_content_provider(
      "text/event-stream",
      [stream, gone](std::size_t, httplib::DataSink& sink) {
        std::string frames;
        if (!stream->next(frames, gone)) return false;  // dropped or shutting down: close
        return sink.write(frames.data(), frames.size());
      },
      [stream](bool) { stream->end(); });
}

}  // namespace

void install_api(httplib::Server& server, const SnapshotStore& store, EventHub& events,
                 const ApiOptions& options) {
  // Read-only: refuse every other method before routing, whatever the path, but for the admin
  // endpoints, which are checked (on, POST, token) before their body is read.
  server.set_pre_routing_handler([admin = options.admin](const httplib::Request& req,
                                                         httplib::Response& res) {
    if (req.path.rfind(admin_prefix, 0) == 0)
      return refuse_admin_request(admin, req, res) ? httplib::Server::HandlerResponse::Handled
                                                   : httplib::Server::HandlerResponse::Unhandled;
    if (req.method == "GET" || req.method == "HEAD")
      return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("Allow", "GET, HEAD");
    send_error(res, 405, "method " + req.method + " is not allowed: this API is read-only");
    return httplib::Server::HandlerResponse::Handled;
  });
  // Errors cpp-httplib makes itself (400 for a malformed request, 413 for too large a body,
  // 414 for too long a URI) get the same JSON body as ours.
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        send_error(res, res.status, status::reason_phrase(res.status));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        send_error(res, 500, what);
      });

  server.Get("/api/v1/cluster", [&store](const httplib::Request& req, httplib::Response& res) {
    if (ViewPtr v = view_or_503(store, res)) send_json(req, res, v->cluster_body, v->cluster_etag);
  });
  server.Get("/api/v1/nodes/(.+)", [&store](const httplib::Request& req, httplib::Response& res) {
    ViewPtr v = view_or_503(store, res);
    if (!v) return;
    const std::string name = req.matches[1];
    if (const status::Node* n = v->snapshot.node(name))
      send_json(req, res, dump(status::node_json(*n)));
    else
      send_error(res, 404, "no node \"" + name + "\" in this cluster");
  });
  server.Get("/api/v1/groups/(.+)", [&store](const httplib::Request& req, httplib::Response& res) {
    ViewPtr v = view_or_503(store, res);
    if (!v) return;
    const std::string key = req.matches[1];
    if (const status::Group* g = v->snapshot.group(key))
      send_json(req, res, dump(status::group_json(*g)));
    else
      send_error(res, 404, "no resource group \"" + key + "\" in this cluster");
  });
  server.Get("/api/v1/openapi.json", [doc = std::string(options.openapi_document)](
                                         const httplib::Request& req, httplib::Response& res) {
    send_json(req, res, doc);
  });
  server.Get("/healthz", [&store, max_age = options.healthz_max_age](const httplib::Request&,
                                                                     httplib::Response& res) {
    ViewPtr v = view_or_503(store, res);
    if (!v) return;
    const auto health = status::check_health(v->snapshot, now_clocks().monotonic_usec, max_age);
    res.set_header("Cache-Control", "no-store");
    res.status = health.ok ? 200 : 503;
    res.set_content(dump(nlohmann::json{{"status", health.ok ? "ok" : "unhealthy"},
                                        {"problems", health.problems}}),
                    json_type);
  });
  server.Get(
      "/metrics", [&store, admin = options.admin](const httplib::Request&, httplib::Response& res) {
        ViewPtr v = view_or_503(store, res);
        if (!v) return;
        res.set_header("Cache-Control", "no-store");
        status::StatusdCounters own;
        if (admin) own.admin_refused = admin->refusals->total();
        res.set_content(status::render_metrics(v->snapshot, now_clocks().monotonic_usec, own),
                        status::metrics_content_type);
      });
  server.Get("/api/v1/events", [&events](const httplib::Request& req, httplib::Response& res) {
    serve_events(events, req, res);
  });
  server.Get("/",
             [html = options.dashboard_html](const httplib::Request& req, httplib::Response& res) {
               send_static(req, res, html, "text/html; charset=utf-8");
             });
  server.Get("/dashboard.js",
             [js = options.dashboard_js](const httplib::Request& req, httplib::Response& res) {
               send_static(req, res, js, "text/javascript; charset=utf-8");
             });
  server.Get("/dashboard.css",
             [css = options.dashboard_css](const httplib::Request& req, httplib::Response& res) {
               send_static(req, res, css, "text/css; charset=utf-8");
             });
  server.Get(".*", [](const httplib::Request& req, httplib::Response& res) {
    send_error(res, 404, "no such path: " + req.path);
  });
  if (options.admin) install_admin_routes(server, *options.admin);
}

}  // namespace hb::statusd
