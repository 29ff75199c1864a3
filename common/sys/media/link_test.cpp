#include "link_test.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <random>

#include "serial_medium.hpp"

namespace hb::linkd {

namespace {

// Probe frames use the classic framing so the receiving side needs nothing special:
// ">>>\nt=hb-link-test\nfrom=LABEL\nnonce=N\nheard=M\n<<<\n".
std::string field(std::string_view frame, std::string_view name) {
  const std::string key = "\n" + std::string(name) + "=";
  const auto at = frame.find(key);
  if (at == std::string_view::npos) return {};
  const auto start = at + key.size();
  return std::string(frame.substr(start, frame.find('\n', start) - start));
}

}  // namespace

LinkTestResult run_link_test(const LinkTestOptions& options) {
  namespace asio = boost::asio;
  asio::io_context io;
  SerialMedium::Options serial;
  serial.device = options.device;
  serial.baud = options.baud;
  serial.lock_dir = options.lock_dir;
  serial.retry.interval = options.timeout + options.timeout;  // one attempt: no retry inside
  auto medium = SerialMedium::create(io, serial);

  LinkTestResult result;
  std::string open_error;

  const std::string nonce = std::to_string(std::random_device{}());
  std::string peer_nonce = "-";
  bool heard = false, confirmed = false;

  auto probe = [&] {
    const std::string label = options.label.empty() ? "hb" : options.label;
    medium->send(">>>\nt=hb-link-test\nfrom=" + label + "\nnonce=" + nonce +
                 "\nheard=" + peer_nonce + "\n<<<\n");
  };
  asio::steady_timer ticker(io), deadline(io), finish(io);
  bool done = false;
  // Ends the test whatever is still pending (a timer completion already queued, a retry).
  auto stop = [&] {
    done = true;
    medium->close();
    io.stop();
  };
  medium->set_handlers({[&](std::string_view frame, const std::string&) {
                          if (field(frame, "t") != "hb-link-test") return;
                          const auto their = field(frame, "nonce");
                          if (their.empty() || their == nonce) return;  // our own echo
                          heard = true;
                          peer_nonce = their;
                          result.peer_label = field(frame, "from");
                          if (field(frame, "heard") == nonce && !confirmed) {
                            confirmed = true;
                            // Tell the peer we heard it too, then finish.
                            probe();
                            ticker.cancel();
                            finish.expires_after(options.interval);
                            finish.async_wait([&](const boost::system::error_code& ec) {
                              if (!ec) stop();
                            });
                          }
                        },
                        [&](const Report& report) {
                          if (report.kind == Report::Kind::open_failed) open_error = report.message;
                        }});

  if (medium->open()) {
    result.outcome = LinkTestResult::Outcome::open_failed;
    result.message = open_error;
    return result;
  }
  std::function<void()> tick = [&] {
    if (confirmed || done) return;
    probe();
    ticker.expires_after(options.interval);
    ticker.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) tick();
    });
  };
  tick();
  deadline.expires_after(options.timeout);
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) stop();
  });
  io.run();

  const std::string who = result.peer_label.empty() ? "the peer" : result.peer_label;
  if (confirmed) {
    result.outcome = LinkTestResult::Outcome::both_ways;
    result.message = options.device + ": " + who + " heard in both directions";
  } else if (heard) {
    result.outcome = LinkTestResult::Outcome::receive_only;
    result.message = options.device + ": receiving from " + who +
                     ", but it does not hear us (check our transmit line / its receive line)";
  } else {
    result.outcome = LinkTestResult::Outcome::nothing;
    result.message = options.device + ": nothing heard within the timeout (no peer running " +
                     "link-test, wrong baud, or bad cable?)";
  }
  return result;
}

}  // namespace hb::linkd
