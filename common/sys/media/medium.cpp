#include "medium.hpp"

namespace hb::linkd {

const char* to_string(Report::Kind kind) {
  switch (kind) {
    case Report::Kind::open_failed:
      return "open-failed";
    case Report::Kind::send_failed:
      return "send-failed";
    case Report::Kind::receive_failed:
      return "receive-failed";
    case Report::Kind::line_failed:
      return "line-failed";
    case Report::Kind::recovered:
      return "recovered";
  }
  return "unknown";
}

void Medium::report(Report::Kind kind, std::string message, std::error_code error) {
  // One line per episode: a dead interface must not log at the keepalive rate.
  const unsigned bit = 1u << static_cast<unsigned>(kind);
  if (kind != Report::Kind::recovered) {
    if (failing_ & bit) return;
    failing_ |= bit;
  }
  if (handlers_.on_report) handlers_.on_report(Report{kind, name(), std::move(message), error});
}

void Medium::report_recovered(const std::string& what) {
  if (failing_ == 0) return;
  failing_ = 0;
  report(Report::Kind::recovered, name() + ": " + what);
}

void Medium::deliver(std::string_view packet, const std::string& source) const {
  if (handlers_.on_packet) handlers_.on_packet(packet, source);
}

}  // namespace hb::linkd
