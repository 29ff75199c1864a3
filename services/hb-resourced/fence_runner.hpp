// Carries out the failover engine's fencing. A Fence tries each fence device of ha.cf that serves
// this node (core/fence/commands.hpp), in order, until one resets the node: each try is a
// transient oneshot unit (hb-fence-NODE-….service) running hb-fence-device, bounded by a timeout,
// its output in that unit's journal. A SelfFence reboots this node at once, without stopping
// anything first (`systemctl reboot --force --force`): whatever it could not stop must end now.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/fence/commands.hpp"
#include "systemd_client.hpp"

namespace hb::resourced {

class FenceRunner {
 public:
  // ok: the node was reset. detail: why not, device by device (for the journal and Warnings).
  using Done = std::function<void(bool ok, const std::string& detail)>;

  struct Settings {
    std::string fence_device = "/usr/lib/hb/hb-fence-device";
    std::string stonith = "/usr/sbin/stonith";
    std::chrono::seconds timeout{60};  // per device
  };

  FenceRunner(SystemdClient& systemd, const config::Config& config, Settings settings);

  void fence(const std::string& node, Done done);
  void self_fence(const std::string& reason);

 private:
  struct Attempt {
    std::string node;
    std::vector<fence::FenceCommand> devices;
    std::size_t next = 0;
    std::string failures;
    Done done;
  };
  void try_next(std::shared_ptr<Attempt> attempt);
  std::string unit_name(const std::string& node);

  SystemdClient& systemd_;
  const config::Config& config_;
  Settings settings_;
  unsigned serial_ = 0;
};

}  // namespace hb::resourced
