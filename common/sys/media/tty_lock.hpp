// The UUCP lock convention every serial program honours (minicom, cu, heartbeat): a file
// LCK..<device name> in /run/lock (or /var/lock) holding the owner's pid as ten ASCII digits and
// a newline. A lock whose process is gone is stale and taken over.
#pragma once

#include <string>
#include <system_error>

namespace hb::linkd {

class TtyLock {
 public:
  TtyLock() = default;
  TtyLock(const TtyLock&) = delete;
  TtyLock& operator=(const TtyLock&) = delete;
  ~TtyLock() { release(); }

  // lock_dir empty: /run/lock, else /var/lock. EBUSY when another live process (or this one,
  // through another medium) holds the device; `holder()` then names its pid.
  std::error_code acquire(const std::string& device, const std::string& lock_dir = {});
  void release();

  bool held() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  long holder() const { return holder_; }

  // "/dev/ttyS0" -> "LCK..ttyS0"
  static std::string lock_name(const std::string& device);
  static std::string default_lock_dir();

 private:
  std::string path_;
  long holder_ = 0;
};

}  // namespace hb::linkd
