// The failover engine's log events as journal entries (see engine_journal.hpp).
#include "engine_journal.hpp"

#include <map>
#include <string>
#include <vector>

#include "sys/log.hpp"

namespace hb::resourced {
namespace {

// log::write takes its fields as an initializer_list: spell out the few sizes the engine uses.
void write(log::Level level, const std::string& text,
           const std::map<std::string, std::string>& fields) {
  std::vector<log::Field> f;
  for (const auto& [k, v] : fields) f.push_back({k, v});
  switch (f.size()) {
    case 0:
      return log::write(level, "", text);
    case 1:
      return log::write(level, "", text, {f[0]});
    case 2:
      return log::write(level, "", text, {f[0], f[1]});
    case 3:
      return log::write(level, "", text, {f[0], f[1], f[2]});
    default:
      return log::write(level, "", text, {f[0], f[1], f[2], f[3]});
  }
}

log::Level level_of(failover::LogKind k) {
  using K = failover::LogKind;
  switch (k) {
    case K::start_failed:
    case K::stop_failed:
    case K::split_brain:
    case K::daemons_lost:
      return log::Level::err;
    case K::refused:
    case K::standby_cancelled:
    case K::peer_dead:
    case K::peer_returned:
      return log::Level::warning;
    case K::waiting:
      return log::Level::info;
    default:
      return log::Level::notice;
  }
}

}  // namespace

void journal(const failover::LogEvent& event) {
  auto fields = event.fields;
  fields.erase("HB_KIND");
  write(level_of(event.kind), event.text, fields);
}

}  // namespace hb::resourced
