// hb-statusd's HTTP servers, their shared thread pool and limits (http_server.hpp).
#include "http_server.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <csignal>
#include <stdexcept>

#include "connection_lobby.hpp"
#include "core/config/hb_conf.hpp"
#include "sys/credentials.hpp"
#include "sys/daemon.hpp"
#include "sys/log.hpp"

namespace hb::statusd {
namespace {

// At most this many connections wait for a request at once (the lobby's bound). Far below
// FD_SETSIZE, which Debian's cpp-httplib (built with select()) cannot serve beyond.
constexpr std::size_t max_waiting_connections = 256;

// Runs the listener's hand-off at once on the listener's thread: GatedServer's hand-off only
// puts the connection in the lobby, so accepting never waits for a worker.
class InlineQueue : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {}
};

}  // namespace

// A cpp-httplib server whose accepted connections go to the lobby instead of a thread, and are
// served one request at a time on the shared pool when they have one.
class GatedServer : public httplib::Server {
 public:
  GatedServer(ConnectionLobby& lobby, const config::StatusSettings& s, SSL_CTX* tls)
      : lobby_(lobby), read_timeout_(s.read_timeout), write_timeout_(s.write_timeout), tls_(tls) {
    new_task_queue = [] { return new InlineQueue; };
  }

  // On a pool thread: one request and its response, then back to the lobby (keep-alive).
  void serve(const ConnectionLobby::Connection& c) {
    bool closed = false;
    const bool last = c->requests_left <= 1;
    ClientConnection::set_serving(c.get());
    const bool ok = process_request(*c, last, closed, nullptr);
    ClientConnection::set_serving(nullptr);
    if (c->requests_left > 0) --c->requests_left;
    if (ok && !closed && !last && is_running()) lobby_.admit(c);
  }

 private:
  bool process_and_close_socket(int sock) override {
    // cpp-httplib writes a response's head and body apart: with Nagle's algorithm the body would
    // wait for the client's delayed ACK of the head (40 ms on Linux) on every kept-alive request.
    const int on = 1;
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    auto c = std::make_shared<ClientConnection>(sock, read_timeout_, write_timeout_, tls_);
    c->server = this;
    c->requests_left = keep_alive_max_count_;
    lobby_.admit(std::move(c));
    return true;
  }

  ConnectionLobby& lobby_;
  std::chrono::milliseconds read_timeout_, write_timeout_;
  SSL_CTX* tls_;  // null: plain HTTP
};

namespace {

template <class D>
std::pair<time_t, time_t> sec_usec(D d) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return {static_cast<time_t>(us / 1'000'000), static_cast<time_t>(us % 1'000'000)};
}

// The file systemd handed over as credential `name` (LoadCredential=), else the configured one
// (hb-statusd started by hand, as a user who may read it).
std::string credential_or(const char* name, const std::string& configured) {
  const std::string credential = sys::credential_path(name);
  return credential.empty() ? configured : credential;
}

std::string openssl_error() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    out += (out.empty() ? "" : "; ") + std::string(text);
  }
  return out.empty() ? "unknown error" : out;
}

}  // namespace

std::shared_ptr<SSL_CTX> make_tls_context(const config::StatusSettings& s) {
  if (s.tls_certificate.empty()) return nullptr;
  std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  if (!ctx) throw sys::ConfigError("TLS: " + openssl_error());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // Partial writes: a response goes out as the socket takes it, under the write timeout.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  const std::string certificate = credential_or("tls-certificate", s.tls_certificate);
  const std::string key = credential_or("tls-key", s.tls_key);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), certificate.c_str()) != 1)
    throw sys::ConfigError("cannot use the TLS certificate " + certificate + ": " +
                           openssl_error());
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1)
    throw sys::ConfigError("cannot use the TLS key " + key + ": " + openssl_error());
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    throw sys::ConfigError("the TLS key " + key + " does not match the certificate " + certificate);
  // OpenSSL writes to the socket with write(2): a client gone mid-response must not kill us.
  ::signal(SIGPIPE, SIG_IGN);
  return ctx;
}

HttpServer::HttpServer(const config::StatusSettings& s, const Routes& routes,
                       std::function<void()> on_stop)
    : on_stop_(std::move(on_stop)), tls_(make_tls_context(s)) {
  // A request holds a thread while it is read and answered, an event stream while it lasts; an
  // idle connection holds none (it waits in the lobby). So request_workers threads stay for
  // ordinary requests however many of the max_event_streams streams are open.
  const auto threads = static_cast<std::size_t>(s.request_workers + s.max_event_streams);
  pool_ = std::make_shared<httplib::ThreadPool>(threads);
  lobby_ = std::make_unique<ConnectionLobby>(
      max_waiting_connections, s.read_timeout, [pool = pool_.get()](ConnectionLobby::Connection c) {
        pool->enqueue([c] { static_cast<GatedServer*>(c->server)->serve(c); });
      });
  std::vector<std::string> failed;
  for (const auto& address : s.listen) {
    auto server = std::make_unique<GatedServer>(*lobby_, s, tls_.get());
    const auto [rs, ru] = sec_usec(s.read_timeout);
    const auto [ws, wu] = sec_usec(s.write_timeout);
    server->set_read_timeout(rs, ru);
    server->set_write_timeout(ws, wu);
    // An idle keep-alive connection holds a thread: no longer than a read may take.
    server->set_keep_alive_timeout(std::max<time_t>(1, rs));
    server->set_payload_max_length(static_cast<std::size_t>(s.max_request_bytes));
    routes(*server);
    const std::string name = config::to_string(address);
    if (!server->bind_to_port(address.host, address.port)) {
      log::warning("", "cannot listen on " + name + " (in use, or no such address here)");
      failed.push_back(name);
      continue;
    }
    bound_.push_back(name);
    servers_.push_back(std::move(server));
  }
  if (servers_.empty()) {
    lobby_->stop();
    pool_->shutdown();
    std::string all;
    for (const auto& f : failed) all += (all.empty() ? "" : ", ") + f;
    throw std::runtime_error("cannot listen on any configured address (" + all + ")");
  }
}

void HttpServer::start() {
  for (auto& server : servers_) {
    threads_.emplace_back([s = server.get()] { s->listen_after_bind(); });
  }
}

HttpServer::~HttpServer() {
  if (on_stop_) on_stop_();  // long-lived responses end, so their threads come back
  for (auto& server : servers_) server->stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  lobby_->stop();
  pool_->shutdown();  // before the servers whose routes the queued requests use go
}

}  // namespace hb::statusd
