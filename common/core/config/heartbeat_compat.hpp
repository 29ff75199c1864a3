// What in a loaded configuration only hb understands: the words a node still running heartbeat
// 3.0.6 would refuse or read differently from the same /etc/ha.d files during a rolling upgrade
// (`hbctl config check --heartbeat`).
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/config/ha_cf_grammar.hpp"

namespace hb::config {

// What heartbeat 3.0.6 does with a word only hb understands.
enum class HeartbeatEffect {
  refuses_to_start,  // ha.cf or authkeys: heartbeat logs an error and does not start
  group_fails,       // haresources: the resource does not start, so heartbeat gives the group up
  ignored,           // heartbeat reads past it silently: it runs, but not as hb does
  note,              // nothing heartbeat reads changes (hb.conf): for the operator to know
};

struct HeartbeatFinding {
  Origin origin;
  std::string word;  // as the file has it
  HeartbeatEffect effect = HeartbeatEffect::note;
  std::string detail;  // why, in heartbeat's terms, and what to write instead when there is a way

  // "file:line: hb-only: WORD: what heartbeat does: DETAIL" (a finding about a whole file, line
  // 0, reads "file: hb-only: ...").
  std::string str() const;
};

// Whether heartbeat would refuse the files or read them otherwise than hb: any finding but notes.
bool heartbeat_misreads(const std::vector<HeartbeatFinding>& findings);

// What heartbeat's node offers besides the files.
struct HeartbeatHost {
  // Is NAME an executable file in /etc/ha.d/resource.d or /etc/init.d, where heartbeat's
  // ResourceManager looks for a resource's script (scriptpath: resource.d first)?
  std::function<bool(const std::string& name)> has_resource_script;
  // Is PATH an executable file? heartbeat checks each respawn program when it reads ha.cf.
  std::function<bool(const std::string& path)> is_executable;
  // hb.conf's path, named in the note when the configuration has one.
  std::string hb_conf_file = "hb.conf";
};

// Every hb-only word of `config`, in file order (ha.cf, authkeys, haresources, hb.conf).
// `grammar` is ha.cf's (its hb_only column); tests pass their own.
std::vector<HeartbeatFinding> heartbeat_findings(
    const Config& config, const HeartbeatHost& host,
    std::span<const HaCfDirective> grammar = ha_cf_grammar());

// Does the resource name end in a systemd unit type, or name a template instance ("@")? hb
// starts such a unit; heartbeat would look for a script of that name.
bool names_systemd_unit(const std::string& name);

}  // namespace hb::config
