// Which systemd unit runs each haresources resource (see unit_map.hpp).
#include "unit_map.hpp"

#include <cstdio>

#include "core/resource/script_lookup.hpp"
#include "hb_build_config.hpp"

namespace hb::resourced {
namespace {

bool plain(char c, bool first) {
  if (c == '.' && first) return false;
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
         c == '_' || c == '.';
}

std::string hex(char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
  return buf;
}

UnitPlan script_plan(const std::string& name, const std::vector<std::string>& args,
                     const std::string& token, const Lookup& lookup) {
  UnitPlan p;
  p.kind = UnitPlan::Kind::transient_service;
  p.unit = "hb-resource-" + escape_unit_name(token) + ".service";
  p.description = "hb resource " + token + " (heartbeat resource script " + name + ")";
  std::vector<std::string> argv{resource_script_runner(), name};
  argv.insert(argv.end(), args.begin(), args.end());
  for (auto [action, exec] : {std::pair{"start", &p.exec_start}, std::pair{"stop", &p.exec_stop},
                              std::pair{"status", &p.exec_status}}) {
    *exec = argv;
    exec->push_back(action);
  }
  bool found = false;
  std::string where;
  for (const auto& path :
       resource::script_candidates(name, resource::default_script_directories())) {
    found = found || lookup.executable(path);
    where += (where.empty() ? "" : ", ") + path.substr(0, path.rfind('/'));
  }
  if (!found)
    p.warning = "Cannot locate resource script " + name + " (in " + where +
                ") yet: it is looked up again each time the resource starts";
  return p;
}

}  // namespace

std::string resource_script_runner() {
  return HB_LIBEXECDIR "/hb-resource-script";
}

const std::map<std::string, std::string>& service_aliases() {
  static const std::map<std::string, std::string> aliases = {
      {"httpd", "apache2.service"},   // Red Hat's Apache name -> Debian's
      {"named", "named.service"},     // bind9 ships named.service on Debian 12
      {"mysqld", "mariadb.service"},  // MySQL's daemon name -> Debian's MariaDB
      {"mysql", "mariadb.service"},   //
      {"postgresql", "postgresql.service"},
      {"nfs", "nfs-server.service"},  // Red Hat's nfs init script
      {"smb", "smbd.service"},        // Red Hat's Samba name -> Debian's
  };
  return aliases;
}

std::string escape_unit_name(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '/')
      out += '-';
    else if (plain(c, i == 0))
      out += c;
    else
      out += hex(c);
  }
  return out;
}

std::string escape_path(std::string_view path) {
  std::string trimmed;
  for (char c : path) {
    if (c == '/' && (trimmed.empty() || trimmed.back() == '/')) continue;
    trimmed += c;
  }
  while (!trimmed.empty() && trimmed.back() == '/') trimmed.pop_back();
  if (trimmed.empty()) return "-";
  return escape_unit_name(trimmed);
}

bool is_network_filesystem(std::string_view fstype) {
  return fstype == "nfs" || fstype == "nfs4" || fstype == "cifs" || fstype == "smb3" ||
         fstype == "fuse" || fstype.rfind("fuse.", 0) == 0;
}

std::vector<std::string> service_candidates(const std::string& name) {
  std::vector<std::string> out;
  bool has_suffix = name.find('.') != std::string::npos &&
                    (name.ends_with(".service") || name.ends_with(".target") ||
                     name.ends_with(".mount") || name.ends_with(".socket"));
  out.push_back(has_suffix ? name : name + ".service");
  auto a = service_aliases().find(name);
  if (a != service_aliases().end() && a->second != out.front()) out.push_back(a->second);
  return out;
}

UnitPlan plan_resource(const config::Resource& r, const Lookup& lookup) {
  using Kind = config::Resource::Kind;
  UnitPlan p;
  switch (r.kind) {
    case Kind::ip: {
      // The IP token without the IPaddr:: prefix: what hb-ipaddr parses.
      std::string spec = r.args.empty() ? r.token : r.args.front();
      p.kind = UnitPlan::Kind::existing;
      p.unit = std::string(ip_unit_prefix) + escape_unit_name(spec) + ".service";
      p.description = "hb cluster address " + spec;
      return p;
    }
    case Kind::filesystem: {
      const auto& fs = *r.filesystem;
      p.kind = UnitPlan::Kind::transient_mount;
      p.unit = escape_path(fs.mountpoint) + ".mount";
      p.description = "hb shared file system " + fs.device + " on " + fs.mountpoint;
      p.what = fs.device;
      p.where = fs.mountpoint;
      p.fstype = fs.fstype;
      p.options = fs.options;
      return p;
    }
    case Kind::service:
      for (const auto& unit : service_candidates(r.name)) {
        if (!lookup.unit_exists(unit)) continue;
        p.kind = UnitPlan::Kind::existing;
        p.unit = unit;
        p.description = unit;
        return p;
      }
      return script_plan(r.name, {}, r.token, lookup);
    case Kind::script:
      return script_plan(r.name, r.args, r.token, lookup);
  }
  return p;
}

void order_group(std::vector<UnitPlan>& plans) {
  for (size_t i = 0; i < plans.size(); ++i) {
    UnitPlan& p = plans[i];
    p.after.clear();
    p.before.clear();
    if (p.kind == UnitPlan::Kind::existing) continue;
    for (size_t j = 0; j < plans.size(); ++j) {
      // The same unit twice in a group (two words for one script) orders nothing.
      if (plans[j].unit == p.unit) continue;
      (j < i ? p.after : p.before).push_back(plans[j].unit);
    }
  }
}

}  // namespace hb::resourced
