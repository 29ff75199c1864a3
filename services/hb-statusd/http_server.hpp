// hb-statusd's HTTP side: one cpp-httplib server per configured listen address, all sharing one
// thread pool of request_workers + max_event_streams threads and one lobby where idle
// connections wait without a thread (connection_lobby.hpp), with hb.conf's read and write
// timeouts and request size limit. Its threads only read the SnapshotStore and the EventHub.
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

namespace hb::statusd {

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

 private:
  std::function<void()> on_stop_;
  std::shared_ptr<httplib::ThreadPool> pool_;
  std::unique_ptr<ConnectionLobby> lobby_;
  std::vector<std::unique_ptr<GatedServer>> servers_;
  std::vector<std::thread> threads_;
  std::vector<std::string> bound_;
};

}  // namespace hb::statusd
