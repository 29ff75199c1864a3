// When hb-linkd feeds the watchdog device of ha.cf's `watchdog` line, and what it says meanwhile:
// heartbeat's rule (one of this node's own status packets was heard back on a medium) joined
// with hb's (hb-resourced answered a recent D-Bus Ping). No I/O and no clock: the shell passes
// time in, opens the device at the first due feed, and writes one byte per feed.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace hb::watchdog {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Millis = std::chrono::milliseconds;

// The Watchdog property of link1.Manager, as its lowercase string.
enum class State {
  off,             // no watchdog line in ha.cf
  waiting,         // configured, not opened yet: waiting for the first due feed (or PID 1's answer)
  armed,           // open and fed
  starving,        // open, but no feed for longer than the answer bound: a reset is coming
  disarmed,        // closed with the magic 'V' on a clean stop
  held_by_pid1,    // systemd (RuntimeWatchdogSec=) runs the watchdog: hb does not open it
  held_elsewhere,  // another process (e.g. sbd) has it open: hb does not open it
  unavailable,     // it cannot be opened (missing, no permission, no reader for a test FIFO)
};
const char* to_string(State state);

struct FeedTiming {
  // hb-resourced's last answer to a Ping may be this old for a feed to be due (deadtime / 2).
  Millis answer_bound{500};
  // The device's timeout: a reset comes this long after the last feed.
  Millis timeout{2000};
};

class FeedRule {
 public:
  explicit FeedRule(FeedTiming timing);

  // hb-resourced answered a Ping at `now`.
  void resourced_answered(TimePoint now);
  // One of this node's own status packets came back at `now`. True when the device is to be
  // fed now (hb-resourced answered within the bound); the feed is then recorded.
  bool own_status_heard(TimePoint now);

  // True when no feed has been due for longer than the answer bound (or none ever, once one
  // was): the shell shows `starving` and says why.
  bool starving(TimePoint now) const;
  // Why feeds are withheld at `now`, for a person: "hb-resourced has not answered for 1200 ms",
  // "no own heartbeat heard back for 900 ms"; empty when nothing is missing.
  std::string why_withheld(TimePoint now) const;
  // When the device resets the node if nothing is fed from now on (nullopt before a first feed).
  std::optional<TimePoint> reset_at() const;
  std::optional<TimePoint> last_feed() const { return last_feed_; }
  const FeedTiming& timing() const { return timing_; }

 private:
  bool answer_fresh(TimePoint now) const;

  FeedTiming timing_;
  std::optional<TimePoint> last_answer_;
  std::optional<TimePoint> last_own_heard_;
  std::optional<TimePoint> last_feed_;
};

}  // namespace hb::watchdog
