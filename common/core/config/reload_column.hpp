// The "reloads live" column both grammars share (ha.cf's HaCfDirective, hb.conf's settings):
// when a changed value takes effect on a running node, read by the man pages' test and by
// `hbctl reload`, which refuses a change that only a restart can apply and names the setting.
#pragma once

namespace hb::config {

enum class Reload {
  // Only when hb.target restarts: `hbctl reload` refuses a change, naming the setting. The
  // default of both tables, so a new row is refused until someone makes it reload.
  restart,
  // At once, without releasing any group.
  live,
  // At the next hand-over of the groups (or an explicit standby, takeover or move); until then
  // the change is shown as pending.
  handover,
};

// "restart", "live", "handover".
const char* to_string(Reload reload);

}  // namespace hb::config
