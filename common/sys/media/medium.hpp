// A heartbeat medium: one ha.cf media line (bcast, mcast, ucast, serial...) that carries opaque
// packets. Media neither encode nor authenticate: one UDP datagram or one serial frame is one
// packet. They heal themselves: a medium that cannot be opened, or whose interface or device
// goes away, is reported and retried until it works again, so the caller never reopens one.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace hb::linkd {

// Something the log should say about a medium. Each kind is reported once per episode (not per
// packet); `recovered` ends the episode.
struct Report {
  enum class Kind {
    open_failed,     // could not open (no such interface/device, busy, address missing...)
    send_failed,     // the kernel refused a packet (interface down, address gone...)
    receive_failed,  // reading failed; the medium reopens itself
    line_failed,     // serial: write timeout or error, hangup (no connection or bad cable?)
    recovered,       // working again after one of the above
  };
  Kind kind = Kind::open_failed;
  std::string medium;   // Medium::name()
  std::string message;  // complete sentence for the log, e.g. "TTY write timeout on /dev/ttyS0 ..."
  std::error_code error;
};

const char* to_string(Report::Kind kind);

struct MediumHandlers {
  // A packet arrived; `source` describes the sender ("192.0.2.12:694", "/dev/ttyS0"). Our own
  // looped-back broadcasts arrive here too: the caller drops them by the packet's src field.
  std::function<void(std::string_view packet, const std::string& source)> on_packet;
  std::function<void(const Report&)> on_report;
};

// How eagerly a broken medium is retried.
struct RetryPolicy {
  std::chrono::milliseconds interval{1000};
};

class Medium {
 public:
  virtual ~Medium() = default;

  // Set before open(). Handlers run on the medium's io_context.
  void set_handlers(MediumHandlers handlers) { handlers_ = std::move(handlers); }

  // "bcast eth0", "ucast eth0 192.0.2.12", "mcast eth0 239.0.0.1", "serial /dev/ttyS0": the
  // link's medium name on D-Bus.
  virtual const std::string& name() const = 0;

  // One attempt to open now. On failure the error is also reported (open_failed) and the medium
  // keeps retrying every RetryPolicy::interval until close(): packets flow once it succeeds.
  virtual std::error_code open() = 0;

  // Queue or send one packet without ever blocking the loop. Dropped (and reported once) while
  // the medium is not working.
  virtual void send(std::string_view packet) = 0;

  // Stop receiving, cancel retries, release the socket/tty (and its lock).
  virtual void close() = 0;

  virtual bool is_open() const = 0;

 protected:
  // Reports `kind` unless this episode already did; `recovered` is reported only after a failure.
  void report(Report::Kind kind, std::string message, std::error_code error = {});
  void report_recovered(const std::string& what);
  bool failing() const { return failing_ != 0; }
  void deliver(std::string_view packet, const std::string& source) const;

 private:
  MediumHandlers handlers_;
  unsigned failing_ = 0;  // bit per Report::Kind already reported in this episode
};

}  // namespace hb::linkd
