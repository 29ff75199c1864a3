#include "sys/log_files.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <utility>

namespace hb::log::files {
namespace {

constexpr std::size_t max_queued = 10000;

class Writer {
 public:
  ~Writer() {
    {
      std::lock_guard lock(mutex_);
      if (!started_) return;
      stop_ = true;
    }
    wake_.notify_all();
    ::pthread_join(thread_, nullptr);
    for (auto& [path, f] : open_)
      if (f.fd >= 0) ::close(f.fd);
  }

  void append(const std::string& path, std::string line) {
    {
      std::lock_guard lock(mutex_);
      if (!started_ && !start()) {
        write_line(path, line);  // no thread to be had: write it here, as before
        return;
      }
      if (queue_.size() >= max_queued) {
        ++dropped_[path];
        return;
      }
      queue_.emplace_back(path, std::move(line));
    }
    wake_.notify_one();
  }

  void flush() {
    std::unique_lock lock(mutex_);
    if (!started_) return;
    drained_.wait(lock, [this] { return queue_.empty() && !writing_; });
  }

 private:
  struct File {
    int fd = -1;
    unsigned checked = 0;  // the batch in which it was last checked for rotation
  };

  // A small stack: the daemons lock their memory (mlockall MCL_FUTURE) for real time, and a
  // default 8 MiB thread stack would be locked whole.
  bool start() {
    pthread_attr_t attr;
    if (::pthread_attr_init(&attr) != 0) return false;
    ::pthread_attr_setstacksize(&attr, 256 * 1024);
    started_ = ::pthread_create(
                   &thread_, &attr,
                   [](void* self) -> void* {
                     static_cast<Writer*>(self)->run();
                     return nullptr;
                   },
                   this) == 0;
    ::pthread_attr_destroy(&attr);
    return started_;
  }

  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty() && stop_) return;
      auto batch = std::exchange(queue_, {});
      auto dropped = std::exchange(dropped_, {});
      writing_ = true;
      ++batch_;
      lock.unlock();
      for (auto& [path, n] : dropped)
        write_line(path, "hb: " + std::to_string(n) +
                             " log lines dropped: the log file could not keep up\n");
      for (auto& [path, line] : batch) write_line(path, line);
      lock.lock();
      writing_ = false;
      drained_.notify_all();
    }
  }

  // Opens `path` if needed, or again when it was rotated away (its name now names another
  // file, or none).
  int fd_for(const std::string& path) {
    File& f = open_[path];
    if (f.fd >= 0 && f.checked != batch_) {
      f.checked = batch_;
      struct stat by_name {
      }, by_fd{};
      if (::stat(path.c_str(), &by_name) != 0 || ::fstat(f.fd, &by_fd) != 0 ||
          by_name.st_dev != by_fd.st_dev || by_name.st_ino != by_fd.st_ino) {
        ::close(f.fd);
        f.fd = -1;
      }
    }
    if (f.fd < 0) {
      // O_NOFOLLOW: /var/log is not writable by others, but a planted symlink must not make a
      // root daemon append to another file.
      f.fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
      f.checked = batch_;
    }
    return f.fd;
  }

  void write_line(const std::string& path, const std::string& line) {
    const int fd = fd_for(path);
    if (fd < 0) return;  // never fail a daemon over its optional log file
    ssize_t r;
    do r = ::write(fd, line.data(), line.size());
    while (r < 0 && errno == EINTR);
  }

  std::mutex mutex_;
  std::condition_variable wake_, drained_;
  std::deque<std::pair<std::string, std::string>> queue_;
  std::map<std::string, std::size_t> dropped_;
  bool stop_ = false;
  bool writing_ = false;
  bool started_ = false;
  unsigned batch_ = 0;  // the writer thread's own, like open_
  pthread_t thread_{};
  std::map<std::string, File> open_;  // the writer thread's own
};

Writer& writer() {
  static Writer w;
  return w;
}

}  // namespace

void append(const std::string& path, std::string line) {
  writer().append(path, std::move(line));
}

void flush() {
  writer().flush();
}

}  // namespace hb::log::files
