// The failover engine's log events as journal entries (see engine_journal.hpp).
#include "engine_journal.hpp"

#include <map>
#include <string>
#include <vector>

#include "sys/log.hpp"

namespace hb::resourced {
namespace {

// log::write takes its fields as an initializer_list: spell out the few sizes the engine uses.
void write(log::Level level, const char* id, const std::string& text,
           const std::map<std::string, std::string>& fields) {
  std::vector<log::Field> f;
  for (const auto& [k, v] : fields) f.push_back({k, v});
  switch (f.size()) {
    case 0:
      return log::write(level, id, text);
    case 1:
      return log::write(level, id, text, {f[0]});
    case 2:
      return log::write(level, id, text, {f[0], f[1]});
    case 3:
      return log::write(level, id, text, {f[0], f[1], f[2]});
    default:
      return log::write(level, id, text, {f[0], f[1], f[2], f[3]});
  }
}

log::Level level_of(failover::LogKind k) {
  using K = failover::LogKind;
  switch (k) {
    case K::start_failed:
    case K::stop_failed:
    case K::split_brain:
    case K::daemons_lost:
    case K::fence_failed:
      return log::Level::err;
    case K::self_fence:
      return log::Level::crit;
    case K::refused:
    case K::standby_cancelled:
    case K::peer_dead:
    case K::peer_returned:
    case K::fence:
    case K::wait_for_peer:
    case K::two_holder_window:
      return log::Level::warning;
    case K::waiting:
      return log::Level::info;
    default:
      return log::Level::notice;
  }
}

// The catalogued entries (units/catalog/hb.catalog): what an operator looks for or is told
// about. The start of a shutdown is the daemon's own "stopping" entry, and "waiting for a peer"
// is chatter; neither has an id of its own.
const char* id_of(failover::LogKind k) {
  using K = failover::LogKind;
  namespace id = log::msgid;
  switch (k) {
    case K::acquire:
      return id::group_starting;
    case K::acquired:
      return id::group_started;
    case K::release:
      return id::group_stopping;
    case K::released:
      return id::group_stopped;
    case K::start_failed:
      return id::group_start_failed;
    case K::stop_failed:
      return id::group_stop_failed;
    case K::initial_done:
      return id::initial_acquisition_done;
    case K::standby_request:
      return id::handover_requested;
    case K::standby_done:
      return id::handover_done;
    case K::standby_cancelled:
      return id::handover_cancelled;
    case K::refused:
      return id::request_refused;
    case K::peer_dead:
      return id::peer_dead;
    case K::peer_returned:
      return id::peer_returned;
    case K::split_brain:
      return id::split_brain;
    case K::shutdown_complete:
      return id::shutdown_complete;
    case K::daemons_lost:
      return id::linkd_lost_releasing;
    case K::daemons_back:
      return id::linkd_back;
    case K::fence:
      return id::node_fencing;
    case K::fenced:
      return id::node_fenced;
    case K::fence_failed:
      return id::fence_failed;
    case K::self_fence:
      return id::self_fence;
    case K::wait_for_peer:
      return id::wait_for_peer;
    case K::two_holder_window:
      return id::two_holder_window;
    case K::shutdown_begin:
    case K::waiting:
      return "";
  }
  return "";
}

}  // namespace

void journal(const failover::LogEvent& event) {
  auto fields = event.fields;
  fields.erase("HB_KIND");
  write(level_of(event.kind), id_of(event.kind), event.text, fields);
}

}  // namespace hb::resourced
