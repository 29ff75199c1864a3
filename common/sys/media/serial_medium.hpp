// serial DEV: a raw tty at `baud` carrying heartbeat's classic text frames.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "medium.hpp"
#include "serial_framer.hpp"
#include "tty_lock.hpp"

namespace hb::linkd {

class SerialMedium : public Medium, public std::enable_shared_from_this<SerialMedium> {
 public:
  struct Options {
    std::string device;  // /dev/ttyS0
    int baud = 19200;
    std::string lock_dir;  // empty: /run/lock, else /var/lock
    // heartbeat's 500 ms: a write that cannot finish means nobody is draining the line.
    std::chrono::milliseconds write_timeout{500};
    std::size_t max_frame = 64 * 1024;        // reader: bigger frames are dropped
    std::size_t max_queue_bytes = 64 * 1024;  // writer: never grows beyond this
    RetryPolicy retry;
  };

  static std::shared_ptr<SerialMedium> create(boost::asio::io_context& io, Options options);
  ~SerialMedium() override;

  const std::string& name() const override { return name_; }
  std::error_code open() override;
  // `packet` is the classic text; a trailing NUL is not sent (heartbeat's serial does not).
  void send(std::string_view packet) override;
  void close() override;
  bool is_open() const override { return tty_.is_open(); }

  // Frames the reader dropped for size, packets the writer dropped (queue full or line stuck).
  std::size_t oversized_frames() const { return framer_.oversized(); }
  std::size_t dropped_packets() const { return dropped_; }

 private:
  SerialMedium(boost::asio::io_context& io, Options options);

  std::error_code open_tty();
  void close_tty();
  void lost(const std::string& message, std::error_code ec);  // line trouble: report, reopen
  void start_read();
  void start_write();
  void arm_retry();

  Options options_;
  std::string name_;
  boost::asio::posix::stream_descriptor tty_;
  boost::asio::steady_timer write_timer_;
  boost::asio::steady_timer retry_timer_;
  TtyLock lock_;
  SerialFramer framer_;
  std::array<char, 4096> read_buffer_{};
  std::deque<std::string> queue_;  // front() is being written while writing_
  std::size_t queued_bytes_ = 0;
  std::size_t dropped_ = 0;
  bool writing_ = false;
  bool stuck_ = false;  // the write in flight outlived write_timeout
  bool started_ = false;
  unsigned generation_ = 0;
};

// Whether termios knows `baud` (9600, 19200, 38400, 57600, 115200, 230400, 460800...).
bool valid_baud(int baud);

}  // namespace hb::linkd
