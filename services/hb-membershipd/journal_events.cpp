#include "journal_events.hpp"

#include "sys/log.hpp"

namespace hb::membershipd {

void log_node_event(const membership::Event& e) {
  using membership::NodeState;
  using membership::Reason;
  const std::string node = e.node;
  const std::string from(membership::to_string(e.from));
  const std::string to(membership::to_string(e.to));
  const std::string reason(membership::to_string(e.reason));
  const std::string incarnation = std::to_string(e.incarnation);
  // The message texts stay close to heartbeat's, which CTS and admins' greps know.
  const char* id = msgid::node_up;
  std::string text;
  log::Level level = log::Level::info;
  if (e.reason == Reason::restarted) {
    id = msgid::node_restarted;
    text = "Heartbeat restart on node " + node;
  } else if (e.reason == Reason::shutdown) {
    id = msgid::node_shutdown;
    text = "Received shutdown notice from '" + node + "'.";
  } else if (e.to == NodeState::dead) {
    id = msgid::node_dead;
    level = log::Level::warning;
    text = "node " + node + ": is dead";
    if (e.reason == Reason::never_heard) text += " (never heard from it during initdead)";
  } else {
    text = "Status update for node " + node + ": status " + to;
    if (e.reason == Reason::returned) text += " (returning after partition)";
  }
  if (e.medium.empty()) {
    log::write(level, id, text,
               {{"HB_NODE", node},
                {"HB_OLD_STATE", from},
                {"HB_NEW_STATE", to},
                {"HB_INCARNATION", incarnation},
                {"HB_REASON", reason}});
  } else {
    log::write(level, id, text,
               {{"HB_NODE", node},
                {"HB_LINK", e.medium},
                {"HB_OLD_STATE", from},
                {"HB_NEW_STATE", to},
                {"HB_INCARNATION", incarnation},
                {"HB_REASON", reason}});
  }
}

}  // namespace hb::membershipd
