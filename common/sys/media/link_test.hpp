// `hbctl link-test DEV`: heartbeat's serial cable check (cat on one node, echo on the other) done
// in both directions at once. Run it on both nodes while hb-linkd is not using the port: each
// side sends probes naming the last probe it heard, so each learns whether its own probes arrive.
#pragma once

#include <chrono>
#include <string>

namespace hb::linkd {

struct LinkTestOptions {
  std::string device;  // /dev/ttyS0
  int baud = 19200;
  std::chrono::milliseconds timeout{10000};  // give up after this long
  std::chrono::milliseconds interval{250};   // probe period
  std::string label;                         // names this side in the probes (e.g. the node name)
  std::string lock_dir;                      // empty: /run/lock, else /var/lock
};

struct LinkTestResult {
  enum class Outcome {
    both_ways,     // we hear the peer and the peer hears us
    receive_only,  // we hear the peer but it does not report hearing us
    nothing,       // nothing heard before the timeout
    open_failed,   // device missing, busy (locked) or not a tty
  };
  Outcome outcome = Outcome::nothing;
  std::string peer_label;  // the peer's label, once heard
  std::string message;     // one line for the user
};

// Blocks for at most options.timeout (plus a probe period to confirm to the peer).
LinkTestResult run_link_test(const LinkTestOptions& options);

}  // namespace hb::linkd
