// The admin endpoints, their bearer token and their errors (admin_api.hpp).
#include "admin_api.hpp"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "core/status/render_json.hpp"
#include "sys/credentials.hpp"
#include "sys/daemon.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"
#include "sys/read_file.hpp"

namespace hb::statusd {
namespace {

using nlohmann::json;

constexpr std::size_t min_token_length = 16;

std::string sha256(const std::string& text) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), d);
  return std::string(reinterpret_cast<const char*>(d), sizeof d);
}

void send(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send(res, status, status::error_json(status, message));
}

// A parameter from the JSON body ({"which": "local"}) or the query (?which=local); `fallback`
// when neither has it. nullopt (and a 400 sent) for a body that is not a JSON object of strings.
std::optional<std::string> parameter(const httplib::Request& req, httplib::Response& res,
                                     const char* name, const std::string& fallback) {
  if (!req.body.empty()) {
    const json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) {
      send_error(res, 400,
                 "the body must be a JSON object, e.g. {\"" + std::string(name) + "\": \"...\"}");
      return std::nullopt;
    }
    if (auto it = body.find(name); it != body.end()) {
      if (!it->is_string()) {
        send_error(res, 400, std::string(name) + " must be a string");
        return std::nullopt;
      }
      return it->get<std::string>();
    }
  }
  if (req.has_param(name)) return req.get_param_value(name);
  return fallback;
}

// hb-resourced's answer as the HTTP response: 202 when it took the request (what then happens,
// the cluster document and the event stream show), else its error mapped to a status.
void answer(httplib::Response& res, const AdminReply& r, json accepted) {
  if (r.ok) {
    send(res, 202, accepted);
    return;
  }
  namespace n = hb::dbus::names;
  const std::string& e = r.error_name;
  int status = 502;
  std::string message = r.message;
  if (e == SD_BUS_ERROR_INVALID_ARGS) {
    status = 400;
  } else if (e == n::error_no_such_group || e == n::error_no_such_node) {
    status = 404;
  } else if (e == SD_BUS_ERROR_ACCESS_DENIED) {
    status = 403;
    message +=
        " (hb-resourced does not admit hb-statusd: install the policy drop-in of "
        "hb.conf(5), ADMIN ENDPOINTS)";
  } else if (e == n::error_busy) {
    status = 409;
    res.set_header("Retry-After", "5");
  } else if (e == SD_BUS_ERROR_SERVICE_UNKNOWN || e == SD_BUS_ERROR_NAME_HAS_NO_OWNER) {
    status = 503;
    message = "hb-resourced is not running on this node";
  } else if (e == SD_BUS_ERROR_NO_REPLY || e == SD_BUS_ERROR_TIMEOUT) {
    status = 504;
  }
  send_error(res, status, message);
}

bool valid_scope(const std::string& which) {
  return which == "all" || which == "local" || which == "foreign" || which == "failback";
}

// Standby or Takeover with hbctl's scopes.
void scoped(Admin& admin, const char* method, const char* command, const httplib::Request& req,
            httplib::Response& res) {
  auto which = parameter(req, res, "which", "all");
  if (!which) return;
  if (!valid_scope(*which)) {
    send_error(res, 400, "which: '" + *which + "' is not one of all, local, foreign, failback");
    return;
  }
  log::notice("", std::string("admin request over HTTP: ") + command + " " + *which,
              {{"HB_REMOTE", req.remote_addr}});
  answer(res, admin.bridge->call(method, {*which}),
         json{{"requested", command}, {"which", *which}});
}

}  // namespace

AdminToken::AdminToken(const std::string& token) : digest_(sha256(token)) {}

AdminToken AdminToken::from_credential() {
  const std::string path = sys::credential_path("admin-token");
  const char* how =
      "admin = yes in hb.conf [status] needs the credential admin-token (a drop-in with "
      "LoadCredential=admin-token:/etc/ha.d/hb-status.token, hb.conf(5))";
  if (path.empty()) throw sys::ConfigError(std::string("no admin token: ") + how);
  const sys::FileRead f = sys::read_file(path, 4096);
  if (!f.ok())
    throw sys::ConfigError("cannot read the admin token " + path + ": " + f.error_text());
  std::string token = f.text;
  if (!token.empty() && token.back() == '\n') token.pop_back();
  if (!token.empty() && token.back() == '\r') token.pop_back();
  if (token.size() < min_token_length)
    throw sys::ConfigError("the admin token " + path + " is shorter than " +
                           std::to_string(min_token_length) +
                           " characters (e.g. openssl rand -hex 32)");
  return AdminToken(token);
}

bool AdminToken::admits(const std::string& authorization) const {
  constexpr std::string_view scheme = "Bearer ";
  if (authorization.size() <= scheme.size() || authorization.compare(0, scheme.size(), scheme) != 0)
    return false;
  const std::string given = sha256(authorization.substr(scheme.size()));
  return CRYPTO_memcmp(given.data(), digest_.data(), digest_.size()) == 0;
}

void AdminRefusals::refused(const std::string& remote) {
  total_.fetch_add(1);
  std::optional<std::uint64_t> report;
  {
    std::lock_guard lock(mutex_);
    report = log_limit_.add(log::RateLimitedCounter::Clock::now());
  }
  if (!report) return;
  log::warning("",
               *report == 1
                   ? "refused an admin request without the right token, from " + remote
                   : "refused " + std::to_string(*report) +
                         " admin requests without the right token since the last such line, "
                         "the last from " +
                         remote,
               {{"HB_REMOTE", remote}});
}

bool refuse_admin_request(const Admin* admin, const httplib::Request& req, httplib::Response& res) {
  if (!admin) {
    send_error(res, 404,
               "no such path: " + req.path +
                   " (the admin endpoints are off: hb.conf "
                   "[status] admin)");
    return true;
  }
  if (req.method != "POST") {
    res.set_header("Allow", "POST");
    send_error(res, 405, "method " + req.method + " is not allowed: admin requests are POSTs");
    return true;
  }
  if (!admin->token.admits(req.get_header_value("Authorization"))) {
    admin->refusals->refused(req.remote_addr);
    res.set_header("WWW-Authenticate", "Bearer realm=\"hb-statusd admin\"");
    send_error(res, 401, "an admin request needs Authorization: Bearer <the admin token>");
    return true;
  }
  return false;
}

void install_admin_routes(httplib::Server& server, Admin& admin) {
  server.Post("/api/v1/admin/standby",
              [&admin](const httplib::Request& req, httplib::Response& res) {
                scoped(admin, "Standby", "standby", req, res);
              });
  server.Post("/api/v1/admin/takeover",
              [&admin](const httplib::Request& req, httplib::Response& res) {
                scoped(admin, "Takeover", "takeover", req, res);
              });
  server.Post("/api/v1/admin/groups/(.+)/move", [&admin](const httplib::Request& req,
                                                         httplib::Response& res) {
    const std::string key = req.matches[1];
    auto node = parameter(req, res, "node", "");
    if (!node) return;
    if (node->empty()) {
      send_error(res, 400, "move needs the node to move the group to ({\"node\": \"ha2\"})");
      return;
    }
    log::notice("", "admin request over HTTP: move " + key + " to " + *node,
                {{"HB_GROUP", key}, {"HB_NODE", *node}, {"HB_REMOTE", req.remote_addr}});
    answer(res, admin.bridge->call("MoveGroup", {key, *node}),
           json{{"requested", "move"}, {"group", key}, {"node", *node}});
  });
  server.Post(".*", [](const httplib::Request& req, httplib::Response& res) {
    send_error(res, 404, "no such path: " + req.path);
  });
}

}  // namespace hb::statusd
