// Reads this node's mailbox on the sbd fencing disk, on a thread of its own.
#include "disk_mailbox.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/config/node_name.hpp"

namespace hb::resourced {

namespace {

namespace sbd = fence::sbd;

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

// One sector at a time, in a buffer aligned as O_DIRECT needs.
class SectorIo {
 public:
  SectorIo(int fd, std::size_t size) : fd_(fd), size_(size) {
    void* p = nullptr;
    if (::posix_memalign(&p, 4096, size) == 0) buffer_.reset(p);
  }
  bool read(std::uint64_t sector, std::vector<std::byte>& out, std::string& error) {
    if (!buffer_) return fail("out of memory", error);
    const ssize_t n = ::pread(fd_, buffer_.get(), size_, static_cast<off_t>(sector * size_));
    if (n < 0) return fail(std::string("read: ") + std::strerror(errno), error);
    if (static_cast<std::size_t>(n) != size_)
      return fail("short read of sector " + std::to_string(sector), error);
    auto* b = static_cast<const std::byte*>(buffer_.get());
    out.assign(b, b + size_);
    return true;
  }
  bool write(std::uint64_t sector, const std::vector<std::byte>& data, std::string& error) {
    if (!buffer_) return fail("out of memory", error);
    std::memcpy(buffer_.get(), data.data(), size_);
    const ssize_t n = ::pwrite(fd_, buffer_.get(), size_, static_cast<off_t>(sector * size_));
    if (n < 0) return fail(std::string("write: ") + std::strerror(errno), error);
    if (static_cast<std::size_t>(n) != size_)
      return fail("short write of sector " + std::to_string(sector), error);
    return true;
  }

 private:
  static bool fail(std::string what, std::string& error) {
    error = std::move(what);
    return false;
  }
  int fd_;
  std::size_t size_;
  std::unique_ptr<void, FreeDeleter> buffer_;
};

std::size_t sector_size_of(int fd) {
  int size = 0;
  // A regular file (tests) has no logical block size: sbd's default, 512.
  if (::ioctl(fd, BLKSSZGET, &size) != 0 || size <= 0) return 512;
  return static_cast<std::size_t>(size);
}

}  // namespace

DiskMailbox::DiskMailbox(boost::asio::io_context& io, std::string device, std::string node,
                         Events events)
    : io_(io),
      device_(std::move(device)),
      node_(std::move(node)),
      events_(std::make_shared<const Events>(std::move(events))),
      thread_([this](std::stop_token stop) { run(stop); }) {}

DiskMailbox::~DiskMailbox() {
  thread_.request_stop();
  wake_.notify_all();
}

void DiskMailbox::clear() {
  std::lock_guard lock(mutex_);
  clear_ = true;
}

template <class F>
void DiskMailbox::post(F f) {
  boost::asio::post(io_, std::move(f));
}

void DiskMailbox::run(std::stop_token stop) {
  int fd = -1;
  while (!stop.stop_requested()) {
    std::string error;
    if (!read_once(fd, error)) {
      post([events = events_, error] { events->failed(error); });
      // A failed contact starts afresh: the disk may have been replaced or reformatted.
      if (fd >= 0) ::close(fd);
      fd = -1;
      have_slot_ = false;
    }
    const auto pause =
        have_slot_ ? std::chrono::milliseconds(header_.loop) : std::chrono::milliseconds(1000);
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, stop, pause, [] { return false; });
  }
  if (fd >= 0) ::close(fd);
}

bool DiskMailbox::read_once(int& fd, std::string& error) {
  if (fd < 0) {
    fd = ::open(device_.c_str(), O_RDWR | O_DIRECT | O_SYNC | O_CLOEXEC);
    // A file system without O_DIRECT (a test's tmpfs file) is read through the cache: one
    // machine, one cache, nothing hidden.
    if (fd < 0 && errno == EINVAL) fd = ::open(device_.c_str(), O_RDWR | O_SYNC | O_CLOEXEC);
    if (fd < 0) {
      error = "cannot open " + device_ + ": " + std::strerror(errno);
      return false;
    }
  }
  const std::size_t size = sector_size_of(fd);
  SectorIo io(fd, size);
  std::vector<std::byte> sector;
  if (!have_slot_) {
    if (!io.read(0, sector, error)) return false;
    auto header = sbd::parse_header(sector, error);
    if (!header) {
      error = device_ + ": " + error;
      return false;
    }
    header_ = *header;
    // Find this node's slot, or the first free one to claim.
    std::optional<unsigned> free_slot;
    for (unsigned i = 0; i < header_.slots && !have_slot_; ++i) {
      if (!io.read(sbd::slot_sector(i), sector, error)) return false;
      const sbd::Slot s = sbd::parse_slot(sector);
      if (s.in_use && config::same_node_name(s.name, node_)) {
        slot_ = i;
        have_slot_ = true;
      } else if (!s.in_use && !free_slot) {
        free_slot = i;
      }
    }
    bool claimed = false;
    if (!have_slot_) {
      if (!free_slot) {
        error = device_ + ": no free slot for " + node_ + " (all " + std::to_string(header_.slots) +
                " are in use)";
        return false;
      }
      if (!io.write(sbd::slot_sector(*free_slot), sbd::encode_slot(node_, size), error) ||
          !io.write(sbd::mailbox_sector(*free_slot), sbd::empty_mail(size), error))
        return false;
      // Two nodes may claim the same free slot at once: the later write wins, and the loser
      // finds out on reading it back after the allocate time (sbd's rule).
      std::this_thread::sleep_for(header_.allocate);
      if (!io.read(sbd::slot_sector(*free_slot), sector, error)) return false;
      const sbd::Slot s = sbd::parse_slot(sector);
      if (!s.in_use || !config::same_node_name(s.name, node_)) {
        error = device_ + ": slot " + std::to_string(*free_slot) + " was claimed by " + s.name +
                " at the same time; trying again";
        return false;
      }
      slot_ = *free_slot;
      have_slot_ = true;
      claimed = true;
    }
    post([events = events_, h = header_, slot = slot_, claimed] {
      events->ready(h, slot, claimed);
    });
  }
  bool clear = false;
  {
    std::lock_guard lock(mutex_);
    clear = std::exchange(clear_, false);
  }
  if (clear && !io.write(sbd::mailbox_sector(slot_), sbd::empty_mail(size), error)) {
    std::lock_guard lock(mutex_);
    clear_ = true;  // asked again at the next contact
    return false;
  }
  if (!io.read(sbd::mailbox_sector(slot_), sector, error)) return false;
  post([events = events_, mail = sbd::parse_mail(sector)] { events->mail(mail); });
  return true;
}

}  // namespace hb::resourced
