// Carries out the failover engine's fencing through transient systemd units.
#include "fence_runner.hpp"

#include <unistd.h>

#include "core/log/message_ids.hpp"
#include "sys/log.hpp"

namespace hb::resourced {

namespace {

// Unit names allow [A-Za-z0-9:_.-]; a node name is a host name, but be safe.
std::string unit_safe(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    out += ok ? c : '_';
  }
  return out;
}

}  // namespace

FenceRunner::FenceRunner(SystemdClient& systemd, const config::Config& config, Settings settings)
    : systemd_(systemd), config_(config), settings_(std::move(settings)) {}

std::string FenceRunner::unit_name(const std::string& node) {
  // Unique across this daemon's restarts too: systemd unloads each one when it ends.
  return "hb-fence-" + unit_safe(node) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(++serial_) + ".service";
}

void FenceRunner::fence(const std::string& node, Done done) {
  auto a = std::make_shared<Attempt>();
  a->node = node;
  a->devices =
      fence::fence_commands(config_.ha_cf.stonith_devices, config_.local_node, settings_.stonith);
  a->done = std::move(done);
  if (a->devices.empty()) return a->done(false, "no fence device of ha.cf serves this node");
  try_next(std::move(a));
}

void FenceRunner::try_next(std::shared_ptr<Attempt> a) {
  if (a->next >= a->devices.size()) return a->done(false, a->failures);
  const fence::FenceCommand& device = a->devices[a->next++];
  const std::string unit = unit_name(a->node);
  std::vector<std::string> argv{settings_.fence_device, a->node};
  argv.insert(argv.end(), device.stonith.begin(), device.stonith.end());
  log::info(log::msgid::fence_device,
            "fencing " + a->node + " with " + device.device + " (" + unit + ")",
            {{"HB_NODE", a->node}, {"HB_FENCE_DEVICE", device.device}, {"HB_UNIT", unit}});
  systemd_.run_once(
      unit, "hb: fence " + a->node + " with " + device.device, argv,
      [this, a, device, unit](bool ok, const std::string& result) {
        if (ok) return a->done(true, device.device);
        a->failures += (a->failures.empty() ? "" : "; ") + device.device + ": " + result +
                       " (journalctl -u " + unit + ")";
        try_next(a);
      },
      RunOptions{settings_.timeout, true, {}});
}

void FenceRunner::self_fence(const std::string& reason) {
  // The engine's entry (self_fence) said why; only the reboot is left.
  systemd_.run_once(
      "hb-self-fence-" + std::to_string(::getpid()) + ".service", "hb: self-fence (" + reason + ")",
      {"/usr/bin/systemctl", "reboot", "--force", "--force"}, [](bool, const std::string&) {},
      RunOptions{std::chrono::seconds(30), true, {}});
}

}  // namespace hb::resourced
