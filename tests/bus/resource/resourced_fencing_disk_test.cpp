// hb-resourced, the real binary on a private dbus-daemon, on an sbd fencing disk (ha.cf's
// `stonith_host * external/sbd sbd_device=...`; here a file formatted as `sbd create` formats a
// disk): it claims its slot, leaves the cluster (a self-fence, through the fake systemd) on a
// poison pill (also one found at its first read), clears at its next start the pill that rebooted
// it, and fences itself when the disk cannot be read while it holds the group, saying so in the
// Warnings first. With three disks (`sbd_device=a;b;c`): a pill on any one is obeyed, one lost
// disk is a warning and two a self-fence, and a pill left on all three by the fence that rebooted
// the node is cleared from each at its next start without a second reboot.
#include <algorithm>
#include <cstring>
#include <iterator>

#include "resourced_fencing_fixture.hpp"

namespace hb::test {
namespace {

constexpr std::size_t sector = 512;
const std::string self_fence_units = "hb-self-fence-";

class ResourcedFencingDisk : public ResourcedFencingFixture {
 protected:
  void SetUp() override {
    ResourcedFencingFixture::SetUp();
    if (IsSkipped()) return;
    disk_ = tmp_.path() / "sbd.img";
    format_disk();
    // Where hb-resourced keeps the marker of a pill it obeyed: the state directory survives a
    // reboot, the runtime directory does not (a reboot is simulated by emptying it).
    state_ = tmp_.path() / "state";
    runtime_ = tmp_.path() / "run";
    fs::create_directories(state_);
    fs::create_directories(runtime_);
    daemon_env_ = {"STATE_DIRECTORY=" + state_.string(), "RUNTIME_DIRECTORY=" + runtime_.string()};
    std::ofstream(conf_ / "ha.cf", std::ios::app)
        << "stonith_host * external/sbd sbd_device=" << disk_.string() << " timeout_bypass=yes\n";
    fs::permissions(conf_ / "ha.cf", fs::perms::owner_read | fs::perms::owner_write);
  }

  // sbd's version 2 header with 255 slots, timeouts watchdog 1 s, allocate 0, loop 1 s, msgwait 2
  // s.
  void format_disk() { format_disk(disk_); }
  void format_disk(const fs::path& disk) {
    std::vector<char> image(sector * (2 + 2 * 255), 0);
    std::memcpy(image.data(), "SBD_SBD_", 8);
    image[8] = 2;
    image[9] = char(255);
    auto be32 = [&](std::size_t at, std::uint32_t v) {
      for (int i = 0; i < 4; ++i) image[at + i] = char((v >> (24 - 8 * i)) & 0xff);
    };
    be32(12, sector);
    be32(16, 1);
    be32(20, 0);
    be32(24, 1);
    be32(28, 2);
    image[32] = 1;  // minor version
    std::ofstream(disk, std::ios::binary).write(image.data(), std::streamsize(image.size()));
  }

  std::string sector_at(std::size_t index) { return sector_at(disk_, index); }
  std::string sector_at(const fs::path& disk, std::size_t index) {
    std::ifstream f(disk, std::ios::binary);
    std::string s(sector, '\0');
    f.seekg(std::streamoff(index * sector));
    f.read(s.data(), sector);
    return f ? s : std::string();
  }
  void write_sector(std::size_t index, const std::string& bytes) {
    write_sector(disk_, index, bytes);
  }
  void write_sector(const fs::path& disk, std::size_t index, const std::string& bytes) {
    std::fstream f(disk, std::ios::binary | std::ios::in | std::ios::out);
    std::string s = bytes;
    s.resize(sector, '\0');
    f.seekp(std::streamoff(index * sector));
    f.write(s.data(), sector);
  }
  // Slot 0's name (sector 1), and its mailbox (sector 2): a command byte, then the sender.
  std::string slot0_name() { return slot0_name(disk_); }
  std::string slot0_name(const fs::path& disk) {
    const std::string s = sector_at(disk, 1);
    return s.empty() || s[0] == 0 ? std::string() : std::string(s.c_str() + 1);
  }
  void pill_from(const std::string& sender) { pill_from(disk_, sender); }
  void pill_from(const fs::path& disk, const std::string& sender) {
    write_sector(disk, 2, std::string("\x02") + sender);
  }

  // ha.cf's sbd line lists three disks: disk_ and two more, formatted alike.
  std::vector<fs::path> three_disks() {
    std::vector<fs::path> disks{disk_, tmp_.path() / "sbd2.img", tmp_.path() / "sbd3.img"};
    format_disk(disks[1]);
    format_disk(disks[2]);
    std::ifstream in(conf_ / "ha.cf");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string one = "sbd_device=" + disk_.string();
    text.replace(text.find(one), one.size(),
                 one + ";" + disks[1].string() + ";" + disks[2].string());
    std::ofstream(conf_ / "ha.cf", std::ios::trunc) << text;
    return disks;
  }
  bool all_claimed(const std::vector<fs::path>& disks) {
    return std::all_of(disks.begin(), disks.end(),
                       [&](const fs::path& d) { return slot0_name(d) == "ha2"; });
  }
  // ha1 dies and is fenced (through the fake systemd: the pill's unit succeeds): ha2 holds the
  // group.
  void take_the_group() {
    membership_->set_state("ha1", "dead", "links-dead");
    ASSERT_TRUE(wait([&] {
      return group_property("Owner") == "ha2" && group_property("State") == "running";
    })) << log();
  }
  void wait_past_the_watchdog() {  // the disks' watchdog (1 s), and then some
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2500);
    wait([&] { return std::chrono::steady_clock::now() > until; });
  }

  fs::path disk_, state_, runtime_;
};

TEST_F(ResourcedFencingDisk, ClaimsItsSlotAndLeavesOnAPoisonPill) {
  start_standby();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(wait([&] { return slot0_name() == "ha2"; })) << log();
  ASSERT_TRUE(wait([&] { return log().find("claimed slot 0") != std::string::npos; })) << log();
  EXPECT_EQ(systemd_->count("StartTransientUnit", self_fence_units), 0u);

  pill_from("ha1");
  // Read within the disk's loop (1 s): this node reboots at once.
  ASSERT_TRUE(wait([&] { return systemd_->count("StartTransientUnit", self_fence_units) == 1; }))
      << log();
  EXPECT_NE(log().find("a poison pill (reset) from ha1 on the fencing disk"), std::string::npos)
      << log();
}

TEST_F(ResourcedFencingDisk, ThePillThatRebootedTheNodeIsClearedAtItsNextStart) {
  start_standby();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(wait([&] { return slot0_name() == "ha2"; })) << log();
  pill_from("ha1");
  ASSERT_TRUE(wait([&] { return systemd_->count("StartTransientUnit", self_fence_units) == 1; }))
      << log();
  // The marker of the pill obeyed, in both places.
  EXPECT_TRUE(fs::exists(state_ / "obeyed-poison-pill"));
  EXPECT_TRUE(fs::exists(runtime_ / "obeyed-poison-pill"));

  // The reboot: the daemon gone, the runtime directory emptied; the pill is still on the disk.
  daemon_.signal(SIGKILL);
  int status = 0;
  wait([&] { return daemon_.try_wait(status); });
  fs::remove(runtime_ / "obeyed-poison-pill");
  start_standby();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(wait([&] { return sector_at(2) == std::string(sector, '\0'); })) << log();
  EXPECT_NE(log().find("rebooted this node"), std::string::npos) << log();
  EXPECT_EQ(systemd_->count("StartTransientUnit", self_fence_units), 1u) << log();
  EXPECT_FALSE(fs::exists(state_ / "obeyed-poison-pill"));
}

// A pill waiting at the first read without the marker may be a fence under way (its sender takes
// over after msgwait): it is obeyed.
TEST_F(ResourcedFencingDisk, APillFoundAtStartWithoutTheMarkerIsObeyed) {
  write_sector(1, std::string("\x01") + "ha2");
  pill_from("ha1");
  start_standby();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(wait([&] { return systemd_->count("StartTransientUnit", self_fence_units) == 1; }))
      << log();
  EXPECT_NE(log().find("a poison pill (reset) from ha1"), std::string::npos) << log();
}

TEST_F(ResourcedFencingDisk, ALostDiskWhileHoldingTheGroupEndsInASelfFence) {
  start_standby();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(wait([&] { return slot0_name() == "ha2"; })) << log();
  // ha1 dies: fenced (through the fake systemd: the pill's unit succeeds), then taken over.
  membership_->set_state("ha1", "dead", "links-dead");
  ASSERT_TRUE(wait([&] {
    return group_property("Owner") == "ha2" && group_property("State") == "running";
  })) << log();
  EXPECT_EQ(systemd_->count("StartTransientUnit", "hb-fence-ha1-"), 1u) << log();

  fs::resize_file(disk_, 0);  // the disk is gone: every read comes back short
  ASSERT_TRUE(wait([&] { return warnings().count("fencing-disk") == 1; })) << log();
  EXPECT_NE(warnings()["fencing-disk"].find("cannot be read"), std::string::npos);
  ASSERT_TRUE(wait([&] { return systemd_->count("StartTransientUnit", self_fence_units) == 1; }))
      << log();
  EXPECT_NE(log().find("while this node holds resources"), std::string::npos) << log();
}

TEST_F(ResourcedFencingDisk, ALostDiskWithNothingHeldIsAWarningOnly) {
  start_standby();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(wait([&] { return slot0_name() == "ha2"; })) << log();
  fs::resize_file(disk_, 0);
  ASSERT_TRUE(wait([&] { return warnings().count("fencing-disk") == 1; })) << log();
  // Past the disk's watchdog (1 s) and then some: still here.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2500);
  wait([&] { return std::chrono::steady_clock::now() > until; });
  EXPECT_EQ(systemd_->count("StartTransientUnit", self_fence_units), 0u) << log();
  // The disk back: read again, the warning goes.
  format_disk();
  ASSERT_TRUE(wait([&] { return warnings().count("fencing-disk") == 0; })) << log();
}

TEST_F(ResourcedFencingDisk, APillOnAnyOfThreeDisksIsObeyed) {
  const auto disks = three_disks();
  start_standby();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(wait([&] { return all_claimed(disks); })) << log();
  EXPECT_EQ(systemd_->count("StartTransientUnit", self_fence_units), 0u);
  pill_from(disks[1], "ha1");
  ASSERT_TRUE(wait([&] { return systemd_->count("StartTransientUnit", self_fence_units) == 1; }))
      << log();
  EXPECT_NE(log().find("a poison pill (reset) from ha1 on the fencing disk"), std::string::npos)
      << log();
}

// sbd's rule: a fence writes its pill to more than half of the disks, so a node that still reads
// more than half of them carries on; once it cannot, it leaves.
TEST_F(ResourcedFencingDisk, OneLostDiskOfThreeIsAWarningTwoEndInASelfFence) {
  const auto disks = three_disks();
  start_standby();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(wait([&] { return all_claimed(disks); })) << log();
  take_the_group();
  if (HasFatalFailure()) return;

  fs::resize_file(disks[0], 0);
  ASSERT_TRUE(wait([&] { return warnings().count("fencing-disk") == 1; })) << log();
  EXPECT_NE(warnings()["fencing-disk"].find("more than half of its 3 fencing disks"),
            std::string::npos)
      << warnings()["fencing-disk"];
  wait_past_the_watchdog();
  EXPECT_EQ(systemd_->count("StartTransientUnit", self_fence_units), 0u) << log();

  fs::resize_file(disks[2], 0);
  ASSERT_TRUE(wait([&] { return systemd_->count("StartTransientUnit", self_fence_units) == 1; }))
      << log();
  EXPECT_NE(log().find("more than half of the 3 fencing disks"), std::string::npos) << log();
}

TEST_F(ResourcedFencingDisk, ThePillOnEveryDiskIsClearedFromEachAfterTheReboot) {
  const auto disks = three_disks();
  start_standby();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(wait([&] { return all_claimed(disks); })) << log();
  for (const auto& d : disks) pill_from(d, "ha1");
  ASSERT_TRUE(wait([&] { return systemd_->count("StartTransientUnit", self_fence_units) == 1; }))
      << log();

  daemon_.signal(SIGKILL);  // the reboot, as above
  int status = 0;
  wait([&] { return daemon_.try_wait(status); });
  fs::remove(runtime_ / "obeyed-poison-pill");
  start_standby();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(wait([&] {
    return std::all_of(disks.begin(), disks.end(), [&](const fs::path& d) {
      return sector_at(d, 2) == std::string(sector, '\0');
    });
  })) << log();
  EXPECT_EQ(systemd_->count("StartTransientUnit", self_fence_units), 1u) << log();
  ASSERT_TRUE(wait([&] { return !fs::exists(state_ / "obeyed-poison-pill"); })) << log();
}

}  // namespace
}  // namespace hb::test
