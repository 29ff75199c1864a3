// hb-statusd's optional admin endpoints (hb.conf [status] admin = yes): POST
// /api/v1/admin/standby, /api/v1/admin/takeover and /api/v1/admin/groups/{key}/move, each the
// hb-resourced method hbctl calls for the same command. Every request under /api/v1/admin/ needs
// `Authorization: Bearer <token>` with the token of the credential admin-token (401 otherwise);
// hb-resourced's D-Bus errors become HTTP statuses (400, 403, 404, 409, 503, 504).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "admin_bridge.hpp"
#include "sys/rate_limit.hpp"

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

// Admin requests refused for a missing or wrong token: each is counted (the metric
// hb_status_admin_refused_total) and logged, at most one line per 10 s with the number since the
// last one, so that guessing at the token is seen without flooding the journal. Called from the
// HTTP threads.
class AdminRefusals {
 public:
  void refused(const std::string& remote);
  std::uint64_t total() const { return total_.load(); }

 private:
  std::atomic<std::uint64_t> total_{0};
  std::mutex mutex_;
  log::RateLimitedCounter log_limit_;
};

struct Admin {
  AdminToken token;
  std::shared_ptr<AdminBridge> bridge;
  std::shared_ptr<AdminRefusals> refusals = std::make_shared<AdminRefusals>();
};

// The first word of every admin path.
inline constexpr const char* admin_prefix = "/api/v1/admin/";

// For the pre-routing handler: a request under admin_prefix is answered here unless it is a POST
// with the right token (then the routes take it). `admin` null: admin is off, 404.
bool refuse_admin_request(const Admin* admin, const httplib::Request& req, httplib::Response& res);

// Installs the three routes.
void install_admin_routes(httplib::Server& server, Admin& admin);

}  // namespace hb::statusd
