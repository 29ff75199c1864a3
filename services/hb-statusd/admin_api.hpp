// hb-statusd's optional admin endpoints (hb.conf [status] admin = yes): POST
// /api/v1/admin/standby, /api/v1/admin/takeover and /api/v1/admin/groups/{key}/move, each the
// hb-resourced method hbctl calls for the same command. Every request under /api/v1/admin/ needs
// `Authorization: Bearer <token>` with the token of the credential admin-token (401 otherwise);
// hb-resourced's D-Bus errors become HTTP statuses (400, 403, 404, 409, 503, 504).
#pragma once

#include <memory>
#include <string>

#include "admin_bridge.hpp"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace hb::statusd {

// The bearer token, held as its SHA-256 so that comparing it takes the same time whatever the
// candidate (no early exit on the first differing byte, no length leak).
class AdminToken {
 public:
  // Reads the credential admin-token ($CREDENTIALS_DIRECTORY); throws sys::ConfigError saying
  // how to provide it when it is missing, unreadable or shorter than 16 characters. One trailing
  // newline is not part of the token.
  static AdminToken from_credential();
  explicit AdminToken(const std::string& token);

  // Whether an Authorization header value is "Bearer <this token>".
  bool admits(const std::string& authorization) const;

 private:
  std::string digest_;
};

struct Admin {
  AdminToken token;
  std::shared_ptr<AdminBridge> bridge;
};

// The first word of every admin path.
inline constexpr const char* admin_prefix = "/api/v1/admin/";

// For the pre-routing handler: a request under admin_prefix is answered here unless it is a POST
// with the right token (then the routes take it). `admin` null: admin is off, 404.
bool refuse_admin_request(const Admin* admin, const httplib::Request& req, httplib::Response& res);

// Installs the three routes.
void install_admin_routes(httplib::Server& server, Admin& admin);

}  // namespace hb::statusd
