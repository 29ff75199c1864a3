// The heartbeat beacon: one shared memory page in which hb-linkd writes when this node's
// heartbeats last left, so that hb-resourced can tell they still leave by reading memory
// instead of waiting for a bus round trip (docs/handover.md, "Own hb-linkd gone or hung").
//
// The page is a sealed memfd holding one lock-free std::atomic<std::uint64_t>: CLOCK_MONOTONIC
// in µs (0 = no heartbeat yet). hb-linkd owns the writer and hands out read-only descriptors
// (over D-Bus: link1.Manager.HeartbeatBeacon); the reader maps one of them. The seals (no
// shrink, no grow, no more seals) mean a mapped reader can never be made to fault by the page
// shrinking under it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace hb::sys {

// Both sides agree on this layout; a whole cache line, so nothing else shares it.
inline constexpr std::size_t beacon_size = 64;
using BeaconWord = std::atomic<std::uint64_t>;
static_assert(BeaconWord::is_always_lock_free,
              "a reader in another process must never see a torn or locked word");

// CLOCK_MONOTONIC now, in µs: the beacon's unit, and std::chrono::steady_clock's epoch on Linux.
std::uint64_t monotonic_usec();

class BeaconWriter {
 public:
  // Creates the sealed page; throws std::system_error when it cannot.
  BeaconWriter();
  ~BeaconWriter();
  BeaconWriter(const BeaconWriter&) = delete;
  BeaconWriter& operator=(const BeaconWriter&) = delete;

  // The heartbeats of this tick have left now.
  void mark_sent(std::uint64_t usec = monotonic_usec());
  std::uint64_t last_sent_usec() const;

  // A new read-only descriptor of the page (O_CLOEXEC), owned by the caller; throws
  // std::system_error when it cannot (no /proc, out of descriptors).
  int open_read_only() const;

 private:
  int fd_ = -1;
  BeaconWord* word_ = nullptr;
};

class BeaconReader {
 public:
  // Maps the page `fd` names (the descriptor stays the caller's); throws std::system_error
  // when `fd` is not a sealed beacon of the right size or cannot be mapped.
  explicit BeaconReader(int fd);
  ~BeaconReader();
  BeaconReader(const BeaconReader&) = delete;
  BeaconReader& operator=(const BeaconReader&) = delete;

  // When the heartbeats last left (CLOCK_MONOTONIC µs; 0 = none yet).
  std::uint64_t last_sent_usec() const;

 private:
  const BeaconWord* word_ = nullptr;
};

}  // namespace hb::sys
