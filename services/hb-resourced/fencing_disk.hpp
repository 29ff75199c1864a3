// This node's side of sbd fencing, one fencing disk of ha.cf (`stonith_host * external/sbd
// sbd_device=/dev/...`, core/fence/commands.hpp; hb-resourced watches each disk listed): it
// watches its own mailbox there and leaves the cluster when it must (core/fence/disk_watch.hpp):
// a poison pill from a peer, or disks it cannot read while it holds resources. Leaving is a
// self-fence (FenceRunner::self_fence).
//
// With several disks (fencing_disks.hpp), a pill on any one is obeyed, and a disk that cannot be
// read counts only once too few of them are read.
//
// A pill already waiting at the first read is obeyed too (it may be a fence under way, whose
// sender takes over after msgwait), unless this node obeyed a pill before its last reboot: the
// pill is then the one that rebooted it, and it is cleared. What tells the two apart is a marker
// written when a pill is obeyed, once in the state directory (it survives the reboot) and once
// in the runtime directory (it does not): both there means hb-resourced restarted within the
// same boot, so the reboot did not happen and the pill is obeyed again.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <optional>
#include <string>

#include "core/fence/disk_watch.hpp"
#include "disk_mailbox.hpp"

namespace hb::resourced {

class FencingDisk {
 public:
  struct Events {
    std::function<bool()> holding;  // whether anything of a group is active here
    std::function<void(const std::string& reason)> self_fence;
    std::function<void()> changed;  // trouble() changed (Warnings)
    // Whether, this disk past its bound, too few of the node's fencing disks are read
    // (fence::too_few_read): a pill may then be on none that is read.
    std::function<bool(const FencingDisk& past_bound)> too_few_read;
    // The disk's first read was acted on. The marker of a pill obeyed before the reboot is
    // removed (forget_obeyed_pill) once every disk had its first read: each may hold that pill.
    std::function<void()> first_read;
  };

  // state_dir survives a reboot (/var/lib/hb), runtime_dir does not (/run/hb-resourced).
  // `disk_count`: how many fencing disks the node watches (for the Warnings text).
  FencingDisk(boost::asio::io_context& io, const std::string& device, const std::string& node,
              std::string state_dir, std::string runtime_dir, std::size_t disk_count,
              Events events);

  const std::string& device() const { return device_; }
  // Why the disk is not being read now, as a Warnings text; empty while it is.
  std::string trouble() const;
  // Reads fail (or hang), and none succeeded within the disk's bound (watchdog).
  bool lost() const;
  bool first_read_done() const { return !first_mail_; }
  void forget_obeyed_pill();

 private:
  using Clock = fence::DiskWatch::Clock;
  void on_ready(const fence::sbd::Header& header, unsigned slot, bool claimed);
  void on_mail(const fence::sbd::Mail& mail);
  void on_failed(const std::string& error);
  void act_on(const fence::DiskWatch::Outcome& out, bool first);
  void check();
  void leave(const std::string& reason, bool pill);
  // A pill obeyed before the last reboot (the markers above).
  bool obeyed_before_reboot() const;
  void arm();

  std::string device_;
  std::string state_marker_, runtime_marker_;
  std::size_t disk_count_;
  Events events_;
  fence::DiskWatch watch_;
  std::optional<fence::sbd::Header> header_;
  bool first_mail_ = true;
  bool leaving_ = false;
  std::string last_error_;  // as last logged (each new error once)
  boost::asio::steady_timer timer_;
  DiskMailbox mailbox_;  // last: its thread calls back into the rest
};

}  // namespace hb::resourced
