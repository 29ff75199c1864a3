// This node's sbd fencing disks (ha.cf's `sbd_device=a;b;c`), one FencingDisk each, and what they
// decide together: a disk that cannot be read ends in a self-fence only once too few of them are
// read (fence::too_few_read, sbd's rule), the marker of a pill obeyed before the reboot goes once
// every disk had its first read (each may still hold that pill), and one Warnings text.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "fencing_disk.hpp"

namespace hb::resourced {

class FencingDisks {
 public:
  // `devices`: fence::sbd_disks (empty: no disk to watch).
  FencingDisks(boost::asio::io_context& io, const std::vector<std::string>& devices,
               const std::string& node, const std::string& state_dir,
               const std::string& runtime_dir, FencingDisk::Events events);

  // Why some disks are not being read now, as a Warnings text; empty while all are.
  std::string trouble() const;

 private:
  bool too_few_read(const FencingDisk& past_bound) const;
  void first_read() const;

  // Pointers: each disk's reader thread calls back into it, so it never moves.
  std::vector<std::unique_ptr<FencingDisk>> disks_;
};

}  // namespace hb::resourced
