#include "serial_medium.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <boost/asio/write.hpp>
#include <cerrno>

namespace hb::linkd {

namespace asio = boost::asio;

namespace {

std::error_code last_error() {
  return {errno, std::system_category()};
}

speed_t speed_of(int baud) {
  switch (baud) {
    case 1200:
      return B1200;
    case 2400:
      return B2400;
    case 4800:
      return B4800;
    case 9600:
      return B9600;
    case 19200:
      return B19200;
    case 38400:
      return B38400;
    case 57600:
      return B57600;
    case 115200:
      return B115200;
    case 230400:
      return B230400;
    case 460800:
      return B460800;
    default:
      return B0;
  }
}

const char* cable_hint = " (no connection or bad cable?)";

}  // namespace

bool valid_baud(int baud) {
  return speed_of(baud) != B0;
}

std::shared_ptr<SerialMedium> SerialMedium::create(asio::io_context& io, Options options) {
  return std::shared_ptr<SerialMedium>(new SerialMedium(io, std::move(options)));
}

SerialMedium::SerialMedium(asio::io_context& io, Options options)
    : options_(std::move(options)),
      name_("serial " + options_.device),
      tty_(io),
      write_timer_(io),
      retry_timer_(io),
      framer_(options_.max_frame) {}

SerialMedium::~SerialMedium() {
  close();
}

std::error_code SerialMedium::open() {
  started_ = true;
  retry_timer_.cancel();
  const auto ec = open_tty();
  if (ec) {
    std::string message = "cannot open " + name_ + ": " + ec.message();
    if (lock_.holder() != 0) message += " (locked by pid " + std::to_string(lock_.holder()) + ")";
    report(Report::Kind::open_failed, message, ec);
    arm_retry();
  } else {
    report_recovered("open");
  }
  return ec;
}

std::error_code SerialMedium::open_tty() {
  close_tty();
  const speed_t speed = speed_of(options_.baud);
  if (speed == B0) return {EINVAL, std::system_category()};
  if (auto ec = lock_.acquire(options_.device, options_.lock_dir)) return ec;

  // O_NOCTTY: the line must never become our controlling terminal; O_NONBLOCK: no carrier wait.
  const int fd = ::open(options_.device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const auto ec = last_error();
    lock_.release();
    return ec;
  }
  termios tio{};
  if (::tcgetattr(fd, &tio) != 0) {
    const auto ec = last_error();
    ::close(fd);
    lock_.release();
    return ec;
  }
  // heartbeat's line: raw 8N1, receiver on, modem lines ignored, RTS/CTS flow control, CR
  // dropped on input. A PTY accepts and ignores the hardware bits.
  ::cfmakeraw(&tio);
  tio.c_cflag |= CS8 | CREAD | CLOCAL | CRTSCTS;
  tio.c_iflag |= IGNCR;
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 1;
  ::cfsetispeed(&tio, speed);
  ::cfsetospeed(&tio, speed);
  if (::tcsetattr(fd, TCSANOW, &tio) != 0) {
    const auto ec = last_error();
    ::close(fd);
    lock_.release();
    return ec;
  }
  ::tcflush(fd, TCIOFLUSH);  // stale bytes from before we owned the line

  boost::system::error_code bec;
  tty_.assign(fd, bec);
  if (bec) {
    ::close(fd);
    lock_.release();
    return {bec.value(), std::system_category()};
  }
  framer_ = SerialFramer(options_.max_frame);
  start_read();
  if (!queue_.empty()) start_write();
  return {};
}

void SerialMedium::close_tty() {
  ++generation_;
  boost::system::error_code ignored;
  write_timer_.cancel();
  tty_.close(ignored);
  writing_ = false;
  stuck_ = false;
  lock_.release();
}

void SerialMedium::close() {
  started_ = false;
  retry_timer_.cancel();
  close_tty();
  queue_.clear();
  queued_bytes_ = 0;
}

void SerialMedium::arm_retry() {
  if (!started_) return;
  retry_timer_.expires_after(options_.retry.interval);
  retry_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec || !self->started_ || self->tty_.is_open()) return;
    if (const auto open_ec = self->open_tty()) {
      self->report(Report::Kind::open_failed,
                   "cannot open " + self->name_ + ": " + open_ec.message(), open_ec);
      self->arm_retry();
    } else {
      self->report_recovered("reopened");
    }
  });
}

void SerialMedium::lost(const std::string& message, std::error_code ec) {
  report(Report::Kind::line_failed, message + cable_hint, ec);
  close_tty();
  queue_.clear();
  queued_bytes_ = 0;
  arm_retry();
}

void SerialMedium::start_read() {
  tty_.async_read_some(
      asio::buffer(read_buffer_), [weak = weak_from_this(), generation = generation_](
                                      const boost::system::error_code& ec, std::size_t size) {
        auto self = weak.lock();
        if (!self || generation != self->generation_ || ec == asio::error::operation_aborted)
          return;
        if (ec) {
          // A real port with CLOCAL never ends; a PTY whose other side went away does (EOF/EIO).
          return self->lost("TTY hangup on " + self->options_.device + ": " + ec.message(),
                            {ec.value(), std::system_category()});
        }
        for (const auto& frame :
             self->framer_.feed(std::string_view(self->read_buffer_.data(), size))) {
          self->deliver(frame, self->options_.device);
          if (generation != self->generation_) return;
        }
        self->start_read();
      });
}

void SerialMedium::send(std::string_view packet) {
  while (!packet.empty() && packet.back() == '\0') packet.remove_suffix(1);
  if (!tty_.is_open() || packet.empty()) return;
  if (stuck_ || queued_bytes_ + packet.size() > options_.max_queue_bytes) {
    ++dropped_;  // keepalives are periodic: a fresh one replaces a lost one
    return;
  }
  queue_.emplace_back(packet);
  queued_bytes_ += packet.size();
  if (!writing_) start_write();
}

void SerialMedium::start_write() {
  writing_ = true;
  write_timer_.expires_after(options_.write_timeout);
  write_timer_.async_wait(
      [weak = weak_from_this(), generation = generation_](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self || ec || generation != self->generation_ || !self->writing_) return;
        self->report(Report::Kind::line_failed,
                     "TTY write timeout on " + self->options_.device + cable_hint,
                     {ETIMEDOUT, std::system_category()});
        // Keep only the frame in flight (half of it may be on the wire); later ones are dropped
        // until the line drains, so the queue never grows while nobody listens.
        self->stuck_ = true;
        while (self->queue_.size() > 1) {
          self->queued_bytes_ -= self->queue_.back().size();
          self->queue_.pop_back();
          ++self->dropped_;
        }
      });
  asio::async_write(
      tty_, asio::buffer(queue_.front()),
      [weak = weak_from_this(), generation = generation_](const boost::system::error_code& ec,
                                                          std::size_t) {
        auto self = weak.lock();
        if (!self || generation != self->generation_ || ec == asio::error::operation_aborted)
          return;
        self->write_timer_.cancel();
        self->writing_ = false;
        if (ec) {
          return self->lost("TTY write error on " + self->options_.device + ": " + ec.message(),
                            {ec.value(), std::system_category()});
        }
        self->queued_bytes_ -= self->queue_.front().size();
        self->queue_.pop_front();
        self->stuck_ = false;
        self->report_recovered("line drains again");
        if (!self->queue_.empty()) self->start_write();
      });
}

}  // namespace hb::linkd
