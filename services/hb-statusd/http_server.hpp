// hb-statusd's HTTP side: one cpp-httplib server per configured listen address, all sharing one
// thread pool of request_workers + max_event_streams threads and one lobby where idle
// connections wait without a thread (connection_lobby.hpp), with hb.conf's read and write
// timeouts and request size limit, and TLS on every address when hb.conf names a certificate.
// Its threads only read the SnapshotStore and the EventHub (and wait for admin calls).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/config/config.hpp"

namespace httplib {
class Server;
class ThreadPool;
}  // namespace httplib

struct ssl_ctx_st;
using SSL_CTX = ssl_ctx_st;

namespace hb::statusd {

// TLS settings from hb.conf's tls_certificate and tls_key (or the credentials tls-certificate and
// tls-key a unit loads); null without TLS. Throws sys::ConfigError saying what is wrong.
std::shared_ptr<SSL_CTX> make_tls_context(const config::StatusSettings& settings);

class ConnectionLobby;
class GatedServer;

class HttpServer {
 public:
  // Called once per server to install the routes.
  using Routes = std::function<void(httplib::Server&)>;

  // Binds every address (throws std::runtime_error when none could be bound; an address that
  // fails beside others that work is logged and skipped). Serving starts with start().
  // `on_stop` runs first at destruction: it must end every long-lived response (event streams).
  HttpServer(const config::StatusSettings& settings, const Routes& routes,
             std::function<void()> on_stop = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  // The addresses actually bound, as "127.0.0.1:9694".
  const std::vector<std::string>& bound() const { return bound_; }
  bool tls() const { return tls_ != nullptr; }

 private:
  std::function<void()> on_stop_;
  std::shared_ptr<SSL_CTX> tls_;  // every connection's TLS settings; null: plain HTTP
  std::shared_ptr<httplib::ThreadPool> pool_;
  std::unique_ptr<ConnectionLobby> lobby_;
  std::vector<std::unique_ptr<GatedServer>> servers_;
  std::vector<std::thread> threads_;
  std::vector<std::string> bound_;
};

}  // namespace hb::statusd
