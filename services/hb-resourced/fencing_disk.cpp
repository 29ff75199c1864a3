// This node's side of sbd fencing: its mailbox watched, a pill or a lost disk ends in a
// self-fence.
#include "fencing_disk.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "core/log/message_ids.hpp"
#include "sys/log.hpp"

namespace hb::resourced {

namespace {
// sbd's default watchdog timeout: the bound until the disk's own header has been read.
constexpr std::chrono::seconds default_watchdog{5};
// How often the bound is checked between reads.
constexpr std::chrono::milliseconds check_every{250};
}  // namespace

FencingDisk::FencingDisk(boost::asio::io_context& io, const std::string& device,
                         const std::string& node, std::string state_dir, std::string runtime_dir,
                         std::size_t disk_count, Events events)
    : device_(device),
      state_marker_(std::move(state_dir) + "/obeyed-poison-pill"),
      runtime_marker_(std::move(runtime_dir) + "/obeyed-poison-pill"),
      disk_count_(disk_count),
      events_(std::move(events)),
      watch_(default_watchdog, Clock::now()),
      timer_(io),
      mailbox_(io, device, node,
               DiskMailbox::Events{[this](const fence::sbd::Header& h, unsigned slot,
                                          bool claimed) { on_ready(h, slot, claimed); },
                                   [this](const fence::sbd::Mail& m) { on_mail(m); },
                                   [this](const std::string& e) { on_failed(e); }}) {
  arm();
}

std::string FencingDisk::trouble() const {
  if (watch_.trouble().empty()) return {};
  const auto bound = std::to_string((header_ ? header_->watchdog : default_watchdog).count());
  const std::string when = disk_count_ > 1 ? "once more than half of its " +
                                                 std::to_string(disk_count_) + " fencing disks went"
                                           : "after";
  return "the fencing disk " + device_ + " cannot be read (" + watch_.trouble() +
         "): a peer's poison pill " + (disk_count_ > 1 ? "there " : "") +
         "would not reach this node; holding resources, it fences itself " + when + " " + bound +
         " s without a read";
}

bool FencingDisk::lost() const {
  // A disk read as it should be is never lost, even in the moment its next read is due (the
  // disks are read in step, so a lost one reaches its bound just as the others near theirs).
  return !watch_.trouble().empty() &&
         watch_.check(Clock::now(), true).verdict == fence::DiskWatch::Verdict::self_fence;
}

void FencingDisk::forget_obeyed_pill() {
  std::error_code ec;
  std::filesystem::remove(state_marker_, ec);
}

void FencingDisk::on_ready(const fence::sbd::Header& h, unsigned slot, bool claimed) {
  header_ = h;
  log::info(log::msgid::fencing_disk,
            std::string(claimed ? "claimed" : "found") + " slot " + std::to_string(slot) +
                " of the fencing disk " + device_ + "; reading it every " +
                std::to_string(h.loop.count()) + " s (watchdog " +
                std::to_string(h.watchdog.count()) + " s, msgwait " +
                std::to_string(h.msgwait.count()) + " s)",
            {{"HB_DEVICE", device_}});
}

void FencingDisk::on_mail(const fence::sbd::Mail& mail) {
  const bool had_trouble = !watch_.trouble().empty();
  // The disk's own bound from now on; the read just done counts.
  if (header_ && first_mail_) watch_ = fence::DiskWatch(header_->watchdog, Clock::now());
  const auto out = watch_.on_mail(mail, Clock::now());
  const bool first = std::exchange(first_mail_, false);
  if (had_trouble) {
    last_error_.clear();
    log::notice(log::msgid::fencing_disk, "the fencing disk " + device_ + " is read again",
                {{"HB_DEVICE", device_}});
    events_.changed();
  }
  act_on(out, first);
  if (first) events_.first_read();
}

void FencingDisk::act_on(const fence::DiskWatch::Outcome& out, bool first) {
  switch (out.verdict) {
    case fence::DiskWatch::Verdict::carry_on:
      return;
    case fence::DiskWatch::Verdict::answer_test:
      return mailbox_.clear();
    case fence::DiskWatch::Verdict::self_fence:
      if (first && !events_.holding() && obeyed_before_reboot()) {
        log::warning(log::msgid::poison_pill_cleared,
                     out.reason +
                         " rebooted this node (it was obeyed before the last boot); it is "
                         "cleared, and this node carries on",
                     {{"HB_DEVICE", device_}, {"HB_REASON", out.reason}});
        return mailbox_.clear();
      }
      return leave(out.reason, true);
  }
}

bool FencingDisk::obeyed_before_reboot() const {
  std::error_code ec;
  return std::filesystem::exists(state_marker_, ec) &&
         !std::filesystem::exists(runtime_marker_, ec);
}

namespace {
// Written and flushed before the reboot: a marker lost in the crash makes the next boot obey the
// same pill once more (one more reboot), never clear a fresh one.
void write_marker(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  [[maybe_unused]] const auto n = ::write(fd, text.data(), text.size());
  ::fsync(fd);
  ::close(fd);
}
}  // namespace

void FencingDisk::on_failed(const std::string& error) {
  watch_.on_read_failed(error);
  if (error != last_error_) {
    last_error_ = error;
    log::error(log::msgid::fencing_disk, "the fencing disk cannot be read: " + error,
               {{"HB_DEVICE", device_}});
    events_.changed();
  }
  check();
}

void FencingDisk::check() {
  const auto out = watch_.check(Clock::now(), events_.holding());
  if (out.verdict == fence::DiskWatch::Verdict::self_fence && events_.too_few_read(*this))
    leave(disk_count_ > 1 ? out.reason + ", and more than half of the " +
                                std::to_string(disk_count_) + " fencing disks with it"
                          : out.reason,
          false);
}

void FencingDisk::leave(const std::string& reason, bool pill) {
  if (std::exchange(leaving_, true)) return;
  if (pill) {
    write_marker(runtime_marker_, reason + "\n");
    write_marker(state_marker_, reason + "\n");
  }
  log::error(log::msgid::poison_pill, "this node leaves the cluster now: " + reason,
             {{"HB_DEVICE", device_}, {"HB_REASON", reason}});
  events_.self_fence(reason);
}

void FencingDisk::arm() {
  timer_.expires_after(check_every);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    check();
    arm();
  });
}

}  // namespace hb::resourced
