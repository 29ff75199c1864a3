// `hbctl link-test DEV [--baud N] [--timeout SEC] [--label NAME]`: heartbeat's serial cable check
// (cat < /dev/ttyS0 on one node, echo > /dev/ttyS0 on the other) in both directions at once.
// Run it on both nodes together, with hb-linkd stopped (the port is locked while it runs).
// Exit 0 only when the peer's probes arrived and the peer confirmed ours.
#include "link_test.hpp"

#include <sys/utsname.h>

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"

namespace hb::hbctl {
namespace {

void usage(std::ostream& out) {
  out << "Usage: hbctl link-test DEVICE [--baud N] [--timeout SECONDS] [--label NAME]\n\n"
         "Tests a heartbeat serial cable in both directions. Run it on both nodes at the same\n"
         "time while hb-linkd is stopped; each side sends probes and waits for the other's.\n\n"
         "  --baud N           line speed (default 19200, as ha.cf's baud)\n"
         "  --timeout SECONDS  give up after this long (default 10)\n"
         "  --label NAME       how this side names itself in its probes (default: uname -n)\n";
}

bool parse_positive(const std::string& text, long& out) {
  try {
    std::size_t used = 0;
    out = std::stol(text, &used);
    return used == text.size() && out > 0;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

int link_test(const std::vector<std::string>& args) {
  linkd::LinkTestOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](long& out) {
      if (i + 1 >= args.size() || !parse_positive(args[i + 1], out)) return false;
      ++i;
      return true;
    };
    long n = 0;
    if (a == "--help" || a == "-h") {
      usage(std::cout);
      return exit_ok;
    } else if (a == "--baud") {
      if (!value(n)) return usage(std::cerr), exit_usage;
      options.baud = static_cast<int>(n);
    } else if (a == "--timeout") {
      if (!value(n)) return usage(std::cerr), exit_usage;
      options.timeout = std::chrono::seconds(n);
    } else if (a == "--label") {
      if (i + 1 >= args.size()) return usage(std::cerr), exit_usage;
      options.label = args[++i];
    } else if (!a.empty() && a[0] != '-' && options.device.empty()) {
      options.device = a;
    } else {
      std::cerr << "hbctl link-test: unexpected argument \"" << a << "\"\n";
      usage(std::cerr);
      return exit_usage;
    }
  }
  if (options.device.empty()) {
    usage(std::cerr);
    return exit_usage;
  }
  if (options.label.empty()) {
    utsname u{};
    if (::uname(&u) == 0) options.label = u.nodename;
  }
  std::cout << "hbctl link-test: probing " << options.device << " at " << options.baud
            << " baud for up to " << options.timeout.count() / 1000
            << " s; run the same on the other node now" << std::endl;
  const linkd::LinkTestResult r = linkd::run_link_test(options);
  (r.outcome == linkd::LinkTestResult::Outcome::both_ways ? std::cout : std::cerr)
      << r.message << "\n";
  return r.outcome == linkd::LinkTestResult::Outcome::both_ways ? exit_ok : exit_error;
}

}  // namespace hb::hbctl
