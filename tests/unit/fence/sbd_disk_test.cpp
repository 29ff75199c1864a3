// The sbd fencing disk's format as hb reads it: a header written as `sbd create` writes one
// (sbd 1.5's defaults: 255 slots, watchdog 5 s, allocate 2 s, loop 1 s, msgwait 10 s), slots,
// mailboxes and their commands; and the rules a node follows on what it reads.
#include "core/fence/sbd_disk.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "core/fence/commands.hpp"
#include "core/fence/disk_watch.hpp"

namespace hb::fence {
namespace {

using namespace std::chrono_literals;

std::vector<std::byte> header_sector(std::uint32_t sector_size = 512, unsigned version = 2,
                                     std::uint32_t watchdog = 5, std::uint32_t msgwait = 10) {
  std::vector<std::byte> s(sector_size);
  std::memcpy(s.data(), "SBD_SBD_", 8);
  s[8] = std::byte(version);
  s[9] = std::byte(255);
  auto be32 = [&](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) s[at + i] = std::byte((v >> (24 - 8 * i)) & 0xff);
  };
  be32(12, sector_size);
  be32(16, watchdog);
  be32(20, 2);
  be32(24, 1);
  be32(28, msgwait);
  s[32] = std::byte{1};
  return s;
}

std::vector<std::byte> record(char first, const std::string& name) {
  std::vector<std::byte> s(512);
  s[0] = std::byte(first);
  for (std::size_t i = 0; i < name.size(); ++i) s[1 + i] = std::byte(name[i]);
  return s;
}

TEST(SbdDisk, ReadsTheHeaderOfSbdCreate) {
  std::string why;
  auto h = sbd::parse_header(header_sector(), why);
  ASSERT_TRUE(h) << why;
  EXPECT_EQ(h->version, 2u);
  EXPECT_EQ(h->slots, 255u);
  EXPECT_EQ(h->sector_size, 512u);
  EXPECT_EQ(h->watchdog, 5s);
  EXPECT_EQ(h->allocate, 2s);
  EXPECT_EQ(h->loop, 1s);
  EXPECT_EQ(h->msgwait, 10s);
}

TEST(SbdDisk, RefusesWhatIsNotAUsableSbdHeader) {
  std::string why;
  EXPECT_FALSE(sbd::parse_header(std::vector<std::byte>(512), why));
  EXPECT_NE(why.find("not an sbd disk"), std::string::npos) << why;
  EXPECT_FALSE(sbd::parse_header(header_sector(512, 1), why));
  EXPECT_NE(why.find("version 1"), std::string::npos) << why;
  // The header's sector size must be the device's.
  auto s = header_sector(4096);
  s.resize(512);
  EXPECT_FALSE(sbd::parse_header(s, why));
  // A msgwait not above the watchdog protects nothing: the sender would take over too early.
  EXPECT_FALSE(sbd::parse_header(header_sector(512, 2, 5, 5), why));
  EXPECT_NE(why.find("msgwait must exceed watchdog"), std::string::npos) << why;
  EXPECT_FALSE(sbd::parse_header(std::vector<std::byte>(10), why));
}

TEST(SbdDisk, SlotsAndMailboxesInterleaveAfterTheHeader) {
  EXPECT_EQ(sbd::slot_sector(0), 1u);
  EXPECT_EQ(sbd::mailbox_sector(0), 2u);
  EXPECT_EQ(sbd::slot_sector(3), 7u);
  EXPECT_EQ(sbd::mailbox_sector(3), 8u);
}

TEST(SbdDisk, SlotsAndMailsRoundTrip) {
  auto slot = sbd::parse_slot(sbd::encode_slot("ha2", 512));
  EXPECT_TRUE(slot.in_use);
  EXPECT_EQ(slot.name, "ha2");
  EXPECT_FALSE(sbd::parse_slot(std::vector<std::byte>(512)).in_use);
  // A name longer than 63 bytes is cut, as sbd cuts it.
  EXPECT_EQ(sbd::parse_slot(sbd::encode_slot(std::string(80, 'n'), 512)).name.size(), 63u);

  auto mail = sbd::parse_mail(record(2, "ha1"));
  EXPECT_EQ(mail.command, 2);
  EXPECT_EQ(mail.from, "ha1");
  EXPECT_TRUE(sbd::is_pill(mail.command));
  EXPECT_EQ(sbd::parse_mail(sbd::empty_mail(512)).command, 0);
}

TEST(SbdDisk, OnlyResetOffAndCrashdumpArePills) {
  EXPECT_EQ(sbd::command_name(2), "reset");
  EXPECT_EQ(sbd::command_name(3), "off");
  EXPECT_EQ(sbd::command_name(9), "unknown (9)");
  for (int c : {2, 3, 5}) EXPECT_TRUE(sbd::is_pill(c)) << c;
  for (int c : {0, 1, 4, 9, -1}) EXPECT_FALSE(sbd::is_pill(c)) << c;
}

TEST(DiskWatch, APillMeansLeaveATestIsAnswered) {
  const auto t0 = DiskWatch::Clock::time_point{} + 100s;
  DiskWatch w(5s, t0);
  EXPECT_EQ(w.on_mail({0, ""}, t0 + 1s).verdict, DiskWatch::Verdict::carry_on);
  EXPECT_EQ(w.on_mail({1, "ha1"}, t0 + 2s).verdict, DiskWatch::Verdict::answer_test);
  auto out = w.on_mail({2, "ha1"}, t0 + 3s);
  EXPECT_EQ(out.verdict, DiskWatch::Verdict::self_fence);
  EXPECT_EQ(out.reason, "a poison pill (reset) from ha1 on the fencing disk");
  EXPECT_EQ(w.on_mail({4, "ha1"}, t0 + 4s).verdict, DiskWatch::Verdict::carry_on);  // exit
}

TEST(DiskWatch, AnUnreadableDiskEndsAHolderAfterTheWatchdogTimeOnly) {
  const auto t0 = DiskWatch::Clock::time_point{} + 100s;
  DiskWatch w(5s, t0);
  w.on_mail({0, ""}, t0);
  w.on_read_failed("read: Input/output error");
  EXPECT_EQ(w.trouble(), "read: Input/output error");
  EXPECT_EQ(w.deadline(), t0 + 5s);
  EXPECT_EQ(w.check(t0 + 4900ms, true).verdict, DiskWatch::Verdict::carry_on);
  auto out = w.check(t0 + 5s, true);
  EXPECT_EQ(out.verdict, DiskWatch::Verdict::self_fence);
  EXPECT_NE(out.reason.find("Input/output error"), std::string::npos) << out.reason;
  // Holding nothing, a node can wait for the disk: it starts nothing without its peers.
  EXPECT_EQ(w.check(t0 + 60s, false).verdict, DiskWatch::Verdict::carry_on);
  // A read again: the clock starts afresh, the trouble is gone.
  w.on_mail({0, ""}, t0 + 61s);
  EXPECT_TRUE(w.trouble().empty());
  EXPECT_EQ(w.check(t0 + 62s, true).verdict, DiskWatch::Verdict::carry_on);
}

TEST(SbdDisk, TheDiskOfTheExternalSbdLineThatServesThisNode) {
  auto line = [](std::string from, std::string type, std::string params) {
    config::StonithDevice d;
    d.from = std::move(from);
    d.type = std::move(type);
    d.params = std::move(params);
    return d;
  };
  std::vector<config::StonithDevice> devices = {
      line("ha1", "external/ipmi", "ha2 198.51.100.202 admin secret lan"),
      line("*", "external/sbd", "sbd_device=/dev/sdc;/dev/sdd timeout_bypass=yes"),
  };
  using Disks = std::vector<std::string>;
  EXPECT_EQ(sbd_disks(devices, "ha2"), (Disks{"/dev/sdc", "/dev/sdd"}));
  EXPECT_EQ(sbd_disks({devices[0]}, "ha1"), Disks{});
  EXPECT_EQ(sbd_disks({line("ha1", "external/sbd", "sbd_device=/dev/sdc")}, "ha2"), Disks{});
  EXPECT_EQ(sbd_disks({line("*", "external/sbd", "sbd_device=/dev/sdc")}, "ha2"),
            Disks{"/dev/sdc"});
}

}  // namespace
}  // namespace hb::fence
