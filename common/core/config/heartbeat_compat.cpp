// What in a loaded configuration only hb understands (see heartbeat_compat.hpp). The facts about
// heartbeat are those of its 3.0.6 release, Debian's: config.c (directives, values), auth.c
// (authkeys), the HBcomm media plugins and ResourceManager (haresources). The host's part (which
// scripts and programs exist) is HeartbeatHost's.
#include "core/config/heartbeat_compat.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <string_view>
#include <utility>

namespace hb::config {
namespace {

const char* effect_text(HeartbeatEffect effect) {
  switch (effect) {
    case HeartbeatEffect::refuses_to_start:
      return "heartbeat 3.0.6 does not start";
    case HeartbeatEffect::group_fails:
      return "heartbeat 3.0.6 gives the group up";
    case HeartbeatEffect::ignored:
      return "heartbeat 3.0.6 ignores it";
    case HeartbeatEffect::note:
      return "note";
  }
  return "note";
}

// Findings of one file, in line order (each part below adds them in its own order).
void sort_by_line(std::vector<HeartbeatFinding>& findings, std::size_t from) {
  std::stable_sort(findings.begin() + static_cast<std::ptrdiff_t>(from), findings.end(),
                   [](const HeartbeatFinding& a, const HeartbeatFinding& b) {
                     return a.origin.line < b.origin.line;
                   });
}

// heartbeat's add_client_child refuses a respawn program that is not a full path or not an
// executable file when it reads ha.cf; hb reads the line anyway, and takes any program ending in
// /ipfail for its own ipfaild.
void check_respawns(const std::vector<Respawn>& respawns, const HeartbeatHost& host,
                    std::vector<HeartbeatFinding>& out) {
  for (const auto& r : respawns) {
    if (r.argv.empty()) continue;
    const std::string& program = r.argv.front();
    if (program.empty() || program.front() != '/') {
      out.push_back({r.origin, program, HeartbeatEffect::refuses_to_start,
                     "heartbeat runs respawn programs by full path only (Client child command [" +
                         program + "] is not full pathname)"});
    } else if (!host.is_executable || !host.is_executable(program)) {
      out.push_back({r.origin, program, HeartbeatEffect::refuses_to_start,
                     "no executable file there (Client child command [" + program +
                         "] is not executable); give the path heartbeat's package installs it "
                         "at (dpkg -L heartbeat)"});
    }
  }
}

void check_ha_cf(const HaCf& cf, std::span<const HaCfDirective> grammar, const HeartbeatHost& host,
                 std::vector<HeartbeatFinding>& out) {
  const std::size_t from = out.size();
  for (const auto& d : grammar) {
    if (!d.hb_only) continue;
    auto used = cf.origins.find(std::string(d.name));
    if (used == cf.origins.end()) continue;
    out.push_back(
        {used->second, std::string(d.name), HeartbeatEffect::refuses_to_start,
         "heartbeat has no such directive (Illegal directive [" + std::string(d.name) + "])"});
  }
  check_respawns(cf.respawns, host, out);
  for (const auto& r : cf.heartbeat_refusals) {
    out.push_back({r.origin, r.word, HeartbeatEffect::refuses_to_start, r.reason});
  }
  // heartbeat's ucast and ucast6 plugins read the interface and one peer, and drop the rest of
  // the line without a word; hb makes a link of every peer.
  std::set<std::pair<std::string, int>> lines_seen;
  for (const auto& m : cf.media) {
    if (m.kind != Medium::Kind::ucast && m.kind != Medium::Kind::ucast6) continue;
    if (lines_seen.insert({m.origin.file, m.origin.line}).second) continue;
    const std::string directive = m.kind == Medium::Kind::ucast ? "ucast" : "ucast6";
    out.push_back({m.origin, m.address, HeartbeatEffect::ignored,
                   "heartbeat's " + directive +
                       " takes one peer per line and sends nothing to the others; write \"" +
                       directive + " " + m.interface + " " + m.address +
                       "\" on a line of its own"});
  }
  sort_by_line(out, from);
}

void check_authkeys(const AuthKeys& keys, std::vector<HeartbeatFinding>& out) {
  const std::size_t from = out.size();
  for (const auto& [index, key] : keys.keys) {
    if (key.method != AuthKey::Method::sha256) continue;
    // auth.c loads the method of every key line, not only the one `auth N` selects.
    out.push_back({key.origin, "sha256", HeartbeatEffect::refuses_to_start,
                   "heartbeat has crc, md5 and sha1 only, and checks every key line, not just the "
                   "active one (Invalid authtype [sha256]); use sha1 while any node runs "
                   "heartbeat"});
  }
  sort_by_line(out, from);
}

void check_haresources(const std::vector<ResourceGroup>& groups, const HeartbeatHost& host,
                       std::vector<HeartbeatFinding>& out) {
  const std::size_t from = out.size();
  auto has_script = [&](const std::string& name) {
    return host.has_resource_script && host.has_resource_script(name);
  };
  for (const auto& group : groups) {
    for (const auto& r : group.resources) {
      // IP addresses and Filesystem are heartbeat's own scripts (IPaddr, IPaddr2, Filesystem).
      if (r.kind != Resource::Kind::service && r.kind != Resource::Kind::script) continue;
      const std::string where = "heartbeat looks for the script /etc/ha.d/resource.d/" + r.name +
                                ", then /etc/init.d/" + r.name +
                                " (Cannot locate resource script " + r.name + ")";
      if (names_systemd_unit(r.name)) {
        out.push_back({r.origin, r.token, HeartbeatEffect::group_fails,
                       "a systemd unit, which only hb starts: " + where});
      } else if (r.kind == Resource::Kind::service && !has_script(r.name)) {
        // hb starts NAME.service (or its Debian name); heartbeat knows only scripts.
        out.push_back(
            {r.origin, r.token, HeartbeatEffect::group_fails,
             "hb starts it as a systemd service, but there is no script of that name: " + where +
                 "; name a script heartbeat has instead (Debian's Apache is apache2, not httpd), "
                 "or install one in resource.d"});
      }
    }
  }
  sort_by_line(out, from);
}

}  // namespace

std::string HeartbeatFinding::str() const {
  std::string out = origin.file;
  if (origin.line > 0) out += ":" + std::to_string(origin.line);
  out += ": hb-only: " + word + ": " + effect_text(effect) + ": " + detail;
  return out;
}

bool heartbeat_misreads(const std::vector<HeartbeatFinding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const HeartbeatFinding& f) { return f.effect != HeartbeatEffect::note; });
}

bool names_systemd_unit(const std::string& name) {
  if (name.find('@') != std::string::npos) return true;
  static constexpr std::array<std::string_view, 11> types = {
      ".service", ".socket", ".target", ".mount",  ".automount", ".timer",
      ".path",    ".swap",   ".slice",  ".device", ".scope"};
  return std::any_of(types.begin(), types.end(),
                     [&](std::string_view suffix) { return name.ends_with(suffix); });
}

std::vector<HeartbeatFinding> heartbeat_findings(const Config& config, const HeartbeatHost& host,
                                                 std::span<const HaCfDirective> grammar) {
  std::vector<HeartbeatFinding> out;
  check_ha_cf(config.ha_cf, grammar, host, out);
  if (config.authkeys) check_authkeys(*config.authkeys, out);
  check_haresources(config.groups, host, out);
  if (config.hb_conf.present) {
    out.push_back({Origin{host.hb_conf_file, 0}, "hb.conf", HeartbeatEffect::note,
                   "heartbeat never reads it: its settings (status server, fencing, watchdog, "
                   "resource timeouts) do nothing on a node running heartbeat"});
  }
  return out;
}

}  // namespace hb::config
