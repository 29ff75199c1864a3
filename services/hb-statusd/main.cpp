// hb-statusd: the HTTP view of the cluster, read-only unless hb.conf turns its admin endpoints
// on. The bus side (status_cache.hpp) follows the other daemons on the Asio thread and publishes
// immutable snapshots; the HTTP side (http_server.hpp, api.hpp) serves them from cpp-httplib's
// pool, and the transitions it hears go to the event stream's clients through the EventHub; admin
// calls go back to the Asio thread (admin_bridge.hpp). It owns nothing on the bus but its name
// (for BusName= and LogControl1).
#include <memory>
#include <string_view>

#include "api.hpp"
#include "core/config/hb_conf.hpp"
#include "http_server.hpp"
#include "status_cache.hpp"
#include "sys/daemon.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"

namespace hb::statusd {
// Embedded at build time: docs/openapi.json and the dashboard's files (dashboard/).
extern const std::string_view openapi_json;
extern const std::string_view dashboard_html, dashboard_js, dashboard_css;
}  // namespace hb::statusd

namespace {
// hb-resourced answers its admin methods at once (the work follows in the background); a call
// that takes longer is reported to the HTTP client as a timeout.
constexpr std::chrono::milliseconds admin_call_timeout{10000};

bool loopback(const std::string& host) {
  return host == "::1" || host.rfind("127.", 0) == 0;
}

struct Objects {
  std::string listening;  // "127.0.0.1:9694 [::1]:9694", for STATUS=
  hb::statusd::SnapshotStore store;
  std::unique_ptr<hb::statusd::EventHub> events;
  std::unique_ptr<hb::statusd::StatusCache> cache;
  std::unique_ptr<hb::statusd::Admin> admin;  // hb.conf [status] admin = yes only
  // Declared last: destroyed first, so no HTTP thread outlives the store it reads.
  std::unique_ptr<hb::statusd::HttpServer> http;
};
}  // namespace

int main(int argc, char** argv) {
  hb::sys::DaemonSpec spec{"hb-statusd", "hb status: read-only HTTP view of the cluster",
                           hb::dbus::names::status1::bus, /*root_path=*/""};
  return hb::sys::run_daemon(spec, argc, argv, [](hb::sys::DaemonContext& ctx) {
    auto o = std::make_shared<Objects>();
    const auto& settings = ctx.config.hb_conf.status;
    const std::uint64_t epoch = hb::statusd::new_epoch();
    hb::statusd::EventHub::Limits limits;
    limits.max_streams = static_cast<std::size_t>(settings.max_event_streams);
    o->events = std::make_unique<hb::statusd::EventHub>(epoch, limits, o->store);
    o->cache = std::make_unique<hb::statusd::StatusCache>(
        ctx.io, ctx.bus, ctx.config, o->store, epoch, o->events.get(),
        [&ctx, o = o.get()](const std::string& line) {
          if (!o->listening.empty()) ctx.set_status("listening on " + o->listening + "; " + line);
        });
    if (settings.admin) {
      // Without its token the admin mode does not start at all (the error says how to give it).
      o->admin = std::make_unique<hb::statusd::Admin>(hb::statusd::Admin{
          hb::statusd::AdminToken::from_credential(),
          std::make_shared<hb::statusd::AdminBridge>(ctx.io, ctx.bus, admin_call_timeout)});
      // The token travels in every request: off this host, only TLS keeps it secret.
      if (settings.tls_certificate.empty())
        for (const auto& a : settings.listen)
          if (!loopback(a.host))
            hb::log::warning("", "admin endpoints without TLS on " + hb::config::to_string(a) +
                                     ": the admin token crosses the network in clear text "
                                     "(hb.conf [status] tls_certificate, tls_key)");
    }
    hb::statusd::ApiOptions api{settings.healthz_max_age,    hb::statusd::openapi_json,
                                hb::statusd::dashboard_html, hb::statusd::dashboard_js,
                                hb::statusd::dashboard_css,  o->admin.get()};
    o->http = std::make_unique<hb::statusd::HttpServer>(
        settings,
        [o = o.get(), api](httplib::Server& s) {
          hb::statusd::install_api(s, o->store, *o->events, api);
        },
        [o = o.get()] { o->events->close(); });
    o->http->start();
    for (const auto& a : o->http->bound()) o->listening += (o->listening.empty() ? "" : " ") + a;
    if (o->http->tls()) o->listening += " (TLS)";
    if (o->admin) o->listening += " with admin endpoints";
    hb::sys::DaemonParts parts;
    parts.objects = o;
    parts.status = "listening on " + o->listening + "; " + o->cache->summary();
    return parts;
  });
}
