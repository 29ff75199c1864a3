// Reads this node's mailbox on the sbd fencing disk (core/fence/sbd_disk.hpp) every `loop` of the
// disk's header, on a thread of its own: a read of a disk that is gone can block in the kernel
// for minutes, and hb-resourced's loop must go on meanwhile, to notice that reads stopped
// (core/fence/disk_watch.hpp) and fence itself. Each result is handed to the Asio loop.
//
// At its first contact it reads the header and finds this node's slot, claiming a free one as
// sbd does when there is none (write, wait the header's allocate time, read it back). Reads and
// writes use O_DIRECT: the disk is shared with the other nodes, a cached sector would hide their
// writes.
#pragma once

#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "core/fence/sbd_disk.hpp"

namespace hb::resourced {

class DiskMailbox {
 public:
  struct Events {
    // The header was read and this node's slot found (or claimed): slot number, whether claimed.
    std::function<void(const fence::sbd::Header&, unsigned slot, bool claimed)> ready;
    std::function<void(const fence::sbd::Mail&)> mail;
    std::function<void(const std::string& error)> failed;
  };

  DiskMailbox(boost::asio::io_context& io, std::string device, std::string node, Events events);
  ~DiskMailbox();
  DiskMailbox(const DiskMailbox&) = delete;
  DiskMailbox& operator=(const DiskMailbox&) = delete;

  // Empties the mailbox at the next read (a test answered, a pill from before this start).
  void clear();
  const std::string& device() const { return device_; }

 private:
  void run(std::stop_token stop);
  // One contact: header and slot if not known yet, then the mailbox; false on failure (error set).
  bool read_once(int& fd, std::string& error);
  template <class F>
  void post(F f);

  boost::asio::io_context& io_;
  std::string device_;
  std::string node_;
  // Shared with the handlers posted to the loop, which may run after this object is gone.
  std::shared_ptr<const Events> events_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool clear_ = false;
  // Known once the header is read (reader thread only).
  fence::sbd::Header header_;
  bool have_slot_ = false;
  unsigned slot_ = 0;
  std::jthread thread_;  // last: started once the rest exists
};

}  // namespace hb::resourced
