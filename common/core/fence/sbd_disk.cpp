// Reads and writes the sectors of an sbd fencing disk that a node's own mailbox needs.
#include "core/fence/sbd_disk.hpp"

#include <cstring>

namespace hb::fence::sbd {

namespace {

constexpr char magic[8] = {'S', 'B', 'D', '_', 'S', 'B', 'D', '_'};
constexpr unsigned format_version = 2;
// Where each header field lies (the C struct's natural alignment: two bytes of padding after
// the slot count).
constexpr std::size_t at_version = 8, at_slots = 9, at_sector_size = 12, at_watchdog = 16,
                      at_allocate = 20, at_loop = 24, at_msgwait = 28, header_size = 33;
// A slot's or mailbox's first byte (in_use, command), then a name of name_max + 1 bytes.
constexpr std::size_t record_size = 1 + name_max + 1;

std::uint32_t big_endian32(Bytes b, std::size_t at) {
  return (std::uint32_t(b[at]) << 24) | (std::uint32_t(b[at + 1]) << 16) |
         (std::uint32_t(b[at + 2]) << 8) | std::uint32_t(b[at + 3]);
}

// A NUL-terminated name of at most name_max bytes, from byte 1 of a record.
std::string record_name(Bytes b) {
  std::string out;
  for (std::size_t i = 1; i < record_size && i < b.size() && b[i] != std::byte{0}; ++i)
    out += static_cast<char>(b[i]);
  return out;
}

}  // namespace

std::optional<Header> parse_header(Bytes s, std::string& why) {
  if (s.size() < header_size) {
    why = "a sector of " + std::to_string(s.size()) + " bytes is too short for a header";
    return std::nullopt;
  }
  if (std::memcmp(s.data(), magic, sizeof magic) != 0) {
    why = "not an sbd disk (no SBD_SBD_ header: format it with `sbd -d DEVICE create`)";
    return std::nullopt;
  }
  Header h;
  h.version = static_cast<unsigned>(s[at_version]);
  if (h.version != format_version) {
    why = "sbd header version " + std::to_string(h.version) + " (hb reads version 2)";
    return std::nullopt;
  }
  h.slots = static_cast<unsigned>(s[at_slots]);
  h.sector_size = big_endian32(s, at_sector_size);
  h.watchdog = std::chrono::seconds(big_endian32(s, at_watchdog));
  h.allocate = std::chrono::seconds(big_endian32(s, at_allocate));
  h.loop = std::chrono::seconds(big_endian32(s, at_loop));
  h.msgwait = std::chrono::seconds(big_endian32(s, at_msgwait));
  if (h.sector_size != s.size()) {
    why = "the header says sectors of " + std::to_string(h.sector_size) +
          " bytes, the device has " + std::to_string(s.size());
    return std::nullopt;
  }
  if (h.loop.count() == 0 || h.watchdog.count() == 0 || h.msgwait <= h.watchdog) {
    why = "its timeouts cannot protect anything (loop " + std::to_string(h.loop.count()) +
          " s, watchdog " + std::to_string(h.watchdog.count()) + " s, msgwait " +
          std::to_string(h.msgwait.count()) + " s: msgwait must exceed watchdog)";
    return std::nullopt;
  }
  return h;
}

Slot parse_slot(Bytes s) {
  Slot slot;
  if (s.empty()) return slot;
  slot.in_use = s[0] != std::byte{0};
  slot.name = record_name(s);
  return slot;
}

std::vector<std::byte> encode_slot(const std::string& name, std::size_t sector_size) {
  std::vector<std::byte> s(sector_size);
  s[0] = std::byte{1};
  for (std::size_t i = 0; i < name.size() && i < name_max && 1 + i < sector_size; ++i)
    s[1 + i] = static_cast<std::byte>(name[i]);
  return s;
}

Mail parse_mail(Bytes s) {
  Mail m;
  if (s.empty()) return m;
  m.command = static_cast<signed char>(s[0]);
  m.from = record_name(s);
  return m;
}

std::vector<std::byte> empty_mail(std::size_t sector_size) {
  return std::vector<std::byte>(sector_size);
}

std::string command_name(int command) {
  switch (static_cast<Command>(command)) {
    case Command::empty:
      return "empty";
    case Command::test:
      return "test";
    case Command::reset:
      return "reset";
    case Command::off:
      return "off";
    case Command::exit:
      return "exit";
    case Command::crashdump:
      return "crashdump";
  }
  return "unknown (" + std::to_string(command) + ")";
}

bool is_pill(int command) {
  const auto c = static_cast<Command>(command);
  return c == Command::reset || c == Command::off || c == Command::crashdump;
}

}  // namespace hb::fence::sbd
