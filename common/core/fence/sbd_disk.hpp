// The on-disk format of an sbd fencing disk (ClusterLabs' sbd, header version 2), as far as a
// node watching its own mailbox needs it: the header's timeouts, the node slots and their
// mailboxes. Facts of the format: sector 0 holds the header (magic "SBD_SBD_", version, number of
// slots, then sector size and the watchdog, allocate, loop and msgwait timeouts in seconds, each a
// 32-bit big-endian number at its natural alignment); slot i (a name, in use or not) is sector
// 1 + 2i and its mailbox (a command byte and the sender's name) sector 2 + 2i. Names are at most
// 63 bytes and compare without case.
//
// hb writes pills with sbd's own tool (cluster-glue's external/sbd plugin runs `sbd message`);
// it reads its own mailbox itself (services/hb-resourced/disk_mailbox.hpp), so no sbd daemon runs.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hb::fence::sbd {

using Bytes = std::span<const std::byte>;

inline constexpr std::size_t name_max = 63;

constexpr std::uint64_t slot_sector(unsigned slot) {
  return 1 + 2 * std::uint64_t{slot};
}
constexpr std::uint64_t mailbox_sector(unsigned slot) {
  return 2 + 2 * std::uint64_t{slot};
}

struct Header {
  unsigned version = 0;
  unsigned slots = 0;
  std::uint32_t sector_size = 0;
  std::chrono::seconds watchdog{0};  // a node that cannot read the disk this long must be gone
  std::chrono::seconds allocate{0};  // wait after claiming a slot before trusting the claim
  std::chrono::seconds loop{0};      // how often a node reads its mailbox
  std::chrono::seconds msgwait{0};   // a sender waits this long after a pill: the target is gone
};

// The header of sector 0, or nullopt with `why` ("not an sbd disk", "version 1", ...).
std::optional<Header> parse_header(Bytes sector, std::string& why);

struct Slot {
  bool in_use = false;
  std::string name;
};
Slot parse_slot(Bytes sector);
// A whole sector claiming a slot for `name` (cut to name_max bytes).
std::vector<std::byte> encode_slot(const std::string& name, std::size_t sector_size);

// sbd's mailbox commands, by their byte on disk.
enum class Command : int { empty = 0, test = 1, reset = 2, off = 3, exit = 4, crashdump = 5 };

struct Mail {
  int command = 0;  // a Command's value; other values are kept to be reported
  std::string from;
};
Mail parse_mail(Bytes sector);
// A whole sector with no message (how a node clears its mailbox, and answers a test).
std::vector<std::byte> empty_mail(std::size_t sector_size);

// "reset", "off", ... or "unknown (7)".
std::string command_name(int command);
// Whether the command orders the node that reads it out of the cluster now.
bool is_pill(int command);

}  // namespace hb::fence::sbd
