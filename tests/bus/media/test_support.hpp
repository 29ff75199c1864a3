// Shared by the media bus tests: an io_context running on its own thread (optionally inside a
// network namespace) and a thread-safe record of what the media reported, to wait on.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "medium.hpp"

namespace hb::linkd::test {

using namespace std::chrono_literals;

// Runs an io_context on a thread that first joins `netns` (a name under /run/netns; empty: stay
// in ours), so every socket the media open or reopen there belongs to that namespace.
class Loop {
 public:
  explicit Loop(const std::string& netns = {}) : work_(io_.get_executor()) {
    std::promise<bool> entered;
    auto ready = entered.get_future();
    thread_ = std::thread([this, netns, &entered] {
      if (!netns.empty()) {
        const int fd = ::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
        const bool ok = fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
        if (fd >= 0) ::close(fd);
        entered.set_value(ok);
        if (!ok) return;
      } else {
        entered.set_value(true);
      }
      io_.run();
    });
    ok_ = ready.get();
  }
  ~Loop() { stop(); }

  bool ok() const { return ok_; }
  boost::asio::io_context& io() { return io_; }

  // Runs `fn` on the loop's thread and waits for its result.
  template <class F>
  auto call(F fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return result.get();
  }

  void stop() {
    if (!thread_.joinable()) return;
    work_.reset();
    io_.stop();
    thread_.join();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
  bool ok_ = false;
};

struct Packet {
  std::string medium;
  std::string data;
  std::string source;
};

// What media delivered and reported, for the test thread to wait on.
class Record {
 public:
  MediumHandlers handlers_for(const std::string& medium) {
    return {[this, medium](std::string_view data, const std::string& source) {
              std::lock_guard lock(mutex_);
              packets_.push_back({medium, std::string(data), source});
              changed_.notify_all();
            },
            [this](const Report& report) {
              // In the test log, so a failure shows what the media said.
              std::fprintf(stderr, "[report] %s: %s\n", to_string(report.kind),
                           report.message.c_str());
              std::lock_guard lock(mutex_);
              reports_.push_back(report);
              changed_.notify_all();
            }};
  }

  // Waits (bounded) until `pred(packets, reports)` holds; returns whether it did.
  bool wait(const std::function<bool(const std::vector<Packet>&, const std::vector<Report>&)>& pred,
            std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return pred(packets_, reports_); });
  }

  bool wait_packet(const std::string& data, std::chrono::milliseconds timeout = 10s) {
    return wait(
        [&](const auto& packets, const auto&) {
          for (const auto& p : packets)
            if (p.data == data) return true;
          return false;
        },
        timeout);
  }

  bool wait_report(Report::Kind kind, std::chrono::milliseconds timeout = 10s) {
    return wait(
        [&](const auto&, const auto& reports) {
          for (const auto& r : reports)
            if (r.kind == kind) return true;
          return false;
        },
        timeout);
  }

  std::vector<Packet> packets() {
    std::lock_guard lock(mutex_);
    return packets_;
  }
  std::vector<Report> reports() {
    std::lock_guard lock(mutex_);
    return reports_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    packets_.clear();
    reports_.clear();
  }
  // Wakes waiters so they re-evaluate a predicate that looks at something else (e.g. time).
  void poke() { changed_.notify_all(); }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Packet> packets_;
  std::vector<Report> reports_;
};

// Runs a shell command; true on exit status 0.
inline bool sh(const std::string& command) {
  return std::system(command.c_str()) == 0;
}

inline bool have_tool(const std::string& tool) {
  return sh("command -v " + tool + " >/dev/null 2>&1");
}

}  // namespace hb::linkd::test
