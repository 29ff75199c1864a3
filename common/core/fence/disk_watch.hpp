// What a node does with what it reads from its own mailbox on the sbd fencing disk (the rules;
// the reads are hb-resourced's disk_mailbox.hpp). sbd's contract, which the sender relies on when
// it takes over `msgwait` after writing a pill: the target reads its mailbox every `loop` and
// leaves at once when it finds a pill; a target that cannot read the disk for `watchdog` while
// it holds anything leaves too, since a pill could be waiting unread (msgwait > watchdog).
// A node holding nothing needs not leave: it starts nothing without its peers (handover.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "core/fence/sbd_disk.hpp"

namespace hb::fence {

// sbd's rule for several disks: a fence succeeds once its pill is on more than half of them, so
// a node must read more than half. Whether `lost` disks of `disks` leave too few read.
inline bool too_few_read(std::size_t lost, std::size_t disks) {
  return lost > (disks - 1) / 2;
}

class DiskWatch {
 public:
  using Clock = std::chrono::steady_clock;

  // `watchdog`: the disk header's bound for a node that cannot read it.
  DiskWatch(std::chrono::milliseconds watchdog, Clock::time_point start);

  enum class Verdict { carry_on, answer_test, self_fence };
  struct Outcome {
    Verdict verdict = Verdict::carry_on;
    std::string reason;  // self_fence: why, for the journal
  };

  // The mailbox was read.
  Outcome on_mail(const sbd::Mail& mail, Clock::time_point now);
  // A read failed (or did not return yet: the reader is stuck in the kernel).
  void on_read_failed(const std::string& error);

  // Checked on every read and at deadline(): self-fence when no read succeeded for `watchdog`
  // and this node holds anything.
  Outcome check(Clock::time_point now, bool holding) const;
  Clock::time_point deadline() const { return last_read_ + watchdog_; }

  // Why the disk is not being read now (empty while it is): for Warnings.
  const std::string& trouble() const { return trouble_; }

 private:
  std::chrono::milliseconds watchdog_;
  Clock::time_point last_read_;
  std::string trouble_;
};

}  // namespace hb::fence
