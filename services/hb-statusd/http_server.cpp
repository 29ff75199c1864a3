#include "http_server.hpp"

#include <httplib.h>

#include <stdexcept>

#include "core/config/hb_conf.hpp"
#include "sys/log.hpp"

namespace hb::statusd {
namespace {

// Lets several servers (one per address) hand their connections to one pool; the pool is shut
// down by its owner, not by whichever server stops first.
class SharedQueue : public httplib::TaskQueue {
 public:
  explicit SharedQueue(std::shared_ptr<httplib::ThreadPool> pool) : pool_(std::move(pool)) {}
  void enqueue(std::function<void()> fn) override { pool_->enqueue(std::move(fn)); }
  void shutdown() override {}

 private:
  std::shared_ptr<httplib::ThreadPool> pool_;
};

template <class D>
std::pair<time_t, time_t> sec_usec(D d) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return {static_cast<time_t>(us / 1'000'000), static_cast<time_t>(us % 1'000'000)};
}

}  // namespace

HttpServer::HttpServer(const config::StatusSettings& s, const Routes& routes) {
  // Every connection holds a thread while it lives (cpp-httplib is thread-per-connection), so
  // the pool is sized for the ordinary requests plus the long-lived streams.
  const auto threads = static_cast<std::size_t>(s.request_workers + s.max_event_streams);
  pool_ = std::make_shared<httplib::ThreadPool>(threads);
  std::vector<std::string> failed;
  for (const auto& address : s.listen) {
    auto server = std::make_unique<httplib::Server>();
    server->new_task_queue = [pool = pool_] { return new SharedQueue(pool); };
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
  for (auto& server : servers_) server->stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  if (pool_) pool_->shutdown();
}

}  // namespace hb::statusd
