// Resource monitoring: every monitor_interval (hb.conf), each heartbeat resource script of a
// group that runs here is asked whether its product still runs, as a transient oneshot unit
// running `hb-resource-script NAME ARGS status` (heartbeat's status rule; bounded by
// monitor_timeout). A check whose job fails (stopped, failed, timed out) is reported, and
// GroupRunner takes it as a failed resource. heartbeat never asked; systemd cannot see a crash
// behind a oneshot unit that stays "active", so this is how hb notices one.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "systemd_client.hpp"
#include "unit_map.hpp"

namespace hb::resourced {

class ResourceMonitor {
 public:
  struct Events {
    // Whether `key`'s resources may be checked now (it runs here and nothing of ours is under
    // way), and the generation of its current run: a check begun in another run is ignored.
    std::function<bool(const std::string& key)> checkable;
    std::function<unsigned(const std::string& key)> generation;
    // A check said the product of resource `index` of `key` does not run.
    std::function<void(const std::string& key, std::size_t index, const std::string& why)> failed;
  };

  ResourceMonitor(boost::asio::io_context& io, SystemdClient& systemd, Events events);

  // Starts checking resource `index` of `key` with `plan` (its exec_status and settings);
  // nothing for plans without a status check or with monitor_interval 0.
  void watch(const std::string& key, std::size_t index, const UnitPlan& plan);

 private:
  struct Watched {
    std::string key, unit_stem;
    std::size_t index = 0;
    UnitPlan plan;
    std::unique_ptr<boost::asio::steady_timer> timer;
    bool checking = false;
  };

  void arm(Watched& w);
  void check(Watched& w);

  boost::asio::io_context& io_;
  SystemdClient& systemd_;
  Events events_;
  std::map<std::pair<std::string, std::size_t>, Watched> watched_;
  unsigned long checks_ = 0;  // makes each check's unit name unique
};

}  // namespace hb::resourced
