// The rules for a node's own mailbox on the sbd fencing disk.
#include "core/fence/disk_watch.hpp"

namespace hb::fence {

DiskWatch::DiskWatch(std::chrono::milliseconds watchdog, Clock::time_point start)
    : watchdog_(watchdog), last_read_(start) {}

DiskWatch::Outcome DiskWatch::on_mail(const sbd::Mail& mail, Clock::time_point now) {
  last_read_ = now;
  trouble_.clear();
  if (sbd::is_pill(mail.command))
    return {Verdict::self_fence,
            "a poison pill (" + sbd::command_name(mail.command) + ") from " +
                (mail.from.empty() ? std::string("an unnamed node") : mail.from) +
                " on the fencing disk"};
  if (mail.command == static_cast<int>(sbd::Command::test)) return {Verdict::answer_test, {}};
  return {};
}

void DiskWatch::on_read_failed(const std::string& error) {
  trouble_ = error;
}

DiskWatch::Outcome DiskWatch::check(Clock::time_point now, bool holding) const {
  if (!holding || now < last_read_ + watchdog_) return {};
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_read_).count();
  return {Verdict::self_fence, "the fencing disk has not been read for " + std::to_string(ms) +
                                   " ms while this node holds resources (" +
                                   (trouble_.empty() ? std::string("no answer") : trouble_) +
                                   "): a peer's poison pill could be waiting unread"};
}

}  // namespace hb::fence
