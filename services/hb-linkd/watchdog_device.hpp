// The watchdog device of ha.cf's `watchdog PATH` as a file: who else holds it (/proc), opening it
// with its timeout, one byte per feed, and the magic 'V' that disarms it on a clean stop. A path
// that is not a watchdog device (the FIFO tests/tools/hb-test-watchdog reads) takes all of this
// but the timeout ioctl, which it refuses with ENOTTY.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace hb::linkd {

struct WatchdogHolder {
  int pid = 0;
  std::string command;  // /proc/PID/comm, e.g. "sbd"
};

// A process other than this one that has `path` open for writing, as far as /proc shows this
// process (under ProtectProc=invisible: its own user's processes only; a real watchdog device
// then answers EBUSY instead). nullopt when none is seen.
std::optional<WatchdogHolder> find_watchdog_holder(const std::string& path);

class WatchdogDevice {
 public:
  enum class Outcome { opened, busy, failed };
  struct OpenResult {
    Outcome outcome = Outcome::failed;
    // opened: how the timeout went ("timeout 2 s", "no timeout ioctl: not a watchdog device");
    // otherwise why it did not open (strerror and what it means).
    std::string detail;
  };

  WatchdogDevice() = default;
  // Closes WITHOUT the magic character: a device whose hb-linkd crashed or hung keeps counting
  // and resets the node unless a new hb-linkd opens and feeds it in time.
  ~WatchdogDevice();
  WatchdogDevice(const WatchdogDevice&) = delete;
  WatchdogDevice& operator=(const WatchdogDevice&) = delete;

  // Opens `path` (write-only, close-on-exec, non-blocking so that a FIFO without its reader
  // fails at once instead of hanging the daemon) and sets its timeout, rounded up to whole
  // seconds, where the device takes it. Opening a real device starts its countdown.
  OpenResult open(const std::string& path, std::chrono::milliseconds timeout);
  bool is_open() const { return fd_ >= 0; }
  // One byte: the device restarts its countdown. "" or what went wrong.
  std::string feed();
  // The magic 'V', then close: the driver stops counting (unless built with nowayout).
  std::string disarm();

 private:
  int fd_ = -1;
};

}  // namespace hb::linkd
