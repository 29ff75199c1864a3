// hbctl reload: checks the files first (a bad one: every error as "file:line: message", exit 65,
// no daemon asked), then has every running daemon check them (Manager.CheckReload, root only)
// and, only when none refuses, apply them (Manager.Reload): what reloads live or nothing, naming
// every refused setting and why. Exits 0 only when everything was applied (or nothing changed).
#include <fcntl.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "core/config/reload_plan.hpp"
#include "hb_build_config.hpp"
#include "sys/config/load.hpp"
#include "sys/dbus/names.hpp"

namespace hb::hbctl {
namespace {

constexpr int exit_privilege = 4;     // LSB: insufficient privilege
constexpr int exit_unavailable = 69;  // EX_UNAVAILABLE: the daemon is not on the bus

void usage(std::ostream& out) {
  out << "Usage: hbctl reload [--config-dir DIR] [--node NAME] [--daemon NAME]\n\n"
         "Checks ha.cf, hb.conf, authkeys and haresources in DIR (default "
      << HB_HA_D
      << "), then has the running\n"
         "daemons apply them: what reloads live at once, nothing if any change cannot (each\n"
         "refused setting is named, with why). --daemon asks only that daemon (hb-linkd,\n"
         "hb-resourced, hb-membershipd, ipfaild): each unit's ExecReload=, for\n"
         "\"systemctl reload hb.target\". Root only.\n\n"
         "Exit status: 0 applied (or nothing changed), 1 refused, 4 not root, 64 usage error,\n"
         "65 invalid configuration (nothing applied), 69 hb-linkd (or the --daemon) is not\n"
         "running.\n";
}

// The daemons that take part, in the order they apply: hb-linkd must be running (the others
// may be stopped, or ipfaild idle, and then have nothing to apply). With --daemon, only that
// one: each refuses what any daemon cannot follow (reload_plan.hpp), so daemons that run the
// same configuration, reloaded one by one by systemd, all apply a change or all refuse it.
struct Daemon {
  const char* name;
  const char* bus;
  const char* root;
  const char* manager;
  bool required;
  bool takes_keys;  // hb-linkd: authkeys as a descriptor (it may not open the file itself)
};
namespace names = hb::dbus::names;
constexpr Daemon daemons[] = {
    {"hb-linkd", names::link1::bus, names::link1::root, names::link1::manager, true, true},
    {"hb-resourced", names::resource1::bus, names::resource1::root, names::resource1::manager,
     false, false},
    {"hb-membershipd", names::membership1::bus, names::membership1::root,
     names::membership1::manager, false, false},
    {"ipfaild", names::ipfail1::bus, names::ipfail1::root, names::ipfail1::manager, false, false},
};

struct Answer {
  int rc = exit_ok;
  std::string applied;  // "keepalive, deadtime"
  std::string pending;  // "haresources": accepted, in force once the node holds no group
  std::string error;
};

// `method`: CheckReload or Reload (both answer the settings applied, or would be).
// `keys_fd`: authkeys opened by this (root) process, for the daemon that takes it.
Answer ask(sd_bus* bus, const Daemon& d, const char* method, int keys_fd) {
  Answer a;
  sd_bus_error error = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r =
      d.takes_keys
          ? sd_bus_call_method(bus, d.bus, d.root, d.manager, method, &error, &reply, "h", keys_fd)
          : sd_bus_call_method(bus, d.bus, d.root, d.manager, method, &error, &reply, "");
  if (r < 0) {
    a.error = error.message ? error.message : std::strerror(-r);
    if (sd_bus_error_has_name(&error, SD_BUS_ERROR_ACCESS_DENIED) || r == -EPERM || r == -EACCES)
      a.rc = exit_privilege;
    else if (sd_bus_error_has_name(&error, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
             sd_bus_error_has_name(&error, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
      a.rc = exit_unavailable;
    else if (sd_bus_error_has_name(&error, hb::dbus::names::error_invalid_configuration))
      a.rc = exit_bad_config;
    else
      a.rc = exit_error;
  } else {
    char** applied = nullptr;
    if (sd_bus_message_read_strv(reply, &applied) < 0) {
      a.error = "answered something unexpected";
      a.rc = exit_error;
    } else {
      for (char** s = applied; s != nullptr && *s != nullptr; ++s) {
        // A pending setting comes as "haresources" + config::pending_answer.
        std::string_view line = *s;
        const bool pending = line.ends_with(config::pending_answer);
        if (pending) line.remove_suffix(config::pending_answer.size());
        std::string& list = pending ? a.pending : a.applied;
        list += (list.empty() ? "" : ", ") + std::string(line);
        std::free(*s);
      }
      std::free(applied);
    }
  }
  sd_bus_error_free(&error);
  sd_bus_message_unref(reply);
  return a;
}

// Closes the key file on every way out.
struct KeyFile {
  int fd;
  ~KeyFile() {
    if (fd >= 0) ::close(fd);
  }
};

// What the loader demands of authkeys, checked again on the descriptor handed over (the file
// may have been replaced since it was read): root's, closed to group and others. "" when fine.
std::string unsafe_key_file(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::string("cannot be checked: ") + std::strerror(errno);
  if (!S_ISREG(st.st_mode)) return "is not a regular file";
  if (st.st_uid != 0) return "is not owned by root";
  if ((st.st_mode & 0077) != 0) return "is open to group or others (chmod 600)";
  return "";
}

}  // namespace

int reload(const std::vector<std::string>& args) {
  config::LoadOptions options;
  options.dir = HB_HA_D;
  std::string only;  // --daemon
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      usage(std::cout);
      return exit_ok;
    }
    if ((a == "--config-dir" || a == "--node") && i + 1 < args.size()) {
      (a == "--node" ? options.local_node : options.dir) = args[++i];
      continue;
    }
    if (a == "--daemon" && i + 1 < args.size()) {
      only = args[++i];
      if (std::none_of(std::begin(daemons), std::end(daemons),
                       [&](const Daemon& d) { return only == d.name; })) {
        std::cerr << "hbctl reload: no daemon \"" << only << "\" takes a reload\n";
        return exit_usage;
      }
      continue;
    }
    std::cerr << "hbctl reload: unexpected argument \"" << a << "\"\n";
    usage(std::cerr);
    return exit_usage;
  }

  // Root's: the key file is read and handed over (`hbctl config check` checks as anyone).
  if (::geteuid() != 0) {
    std::cerr << "hbctl reload: only root may reload (the key file is root's)\n";
    return exit_privilege;
  }
  // The check, with the rules the daemons load with.
  options.read_authkeys = true;
  const config::LoadResult checked = config::load(options);
  for (const auto& d : checked.diagnostics) std::cerr << d.str() << "\n";
  if (!checked.ok()) {
    std::cerr << "hbctl reload: nothing applied: the configuration in " << options.dir
              << " has errors\n";
    return exit_bad_config;
  }

  // The key file as checked above (root's, mode 600), handed to hb-linkd, which reads the keys
  // from it: it runs as its own user and may not open the file.
  const KeyFile keys{::open((options.dir + "/authkeys").c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)};
  if (keys.fd < 0) {
    std::cerr << "hbctl reload: cannot open " << options.dir
              << "/authkeys: " << std::strerror(errno) << "\n";
    return exit_bad_config;
  }
  if (std::string why = unsafe_key_file(keys.fd); !why.empty()) {
    std::cerr << "hbctl reload: " << options.dir << "/authkeys " << why << "; nothing applied\n";
    return exit_bad_config;
  }
  sd_bus* bus = nullptr;
  if (int r = sd_bus_open_system(&bus); r < 0) {
    std::cerr << "hbctl: cannot connect to the system bus: " << std::strerror(-r) << "\n";
    return exit_unavailable;
  }
  // Every running daemon checks first; only when none refuses is each asked to apply, so a
  // setting two daemons use never ends up applied by one of them alone.
  std::vector<Daemon> running;
  int rc = exit_ok;
  for (const Daemon& d : daemons) {
    if (!only.empty() && only != d.name) continue;
    Answer a = ask(bus, d, "CheckReload", keys.fd);
    // Not running here: nothing to apply (unless it is the one asked for).
    if (a.rc == exit_unavailable && !d.required && only.empty()) continue;
    if (a.rc != exit_ok) {
      std::cerr << "hbctl reload: " << d.name << ": " << a.error << "\n";
      if (rc == exit_ok || rc == exit_error) rc = a.rc;
      continue;
    }
    running.push_back(d);
  }
  if (rc != exit_ok) {
    std::cerr << "hbctl reload: nothing applied\n";
  } else {
    for (std::size_t i = 0; i < running.size(); ++i) {
      const Daemon& d = running[i];
      Answer a = ask(bus, d, "Reload", keys.fd);
      if (a.rc != exit_ok) {
        // Checked a moment ago: a medium hb-linkd could not open, the files changed in between,
        // or the daemon restarted. The daemons after it are not asked, so none applies alone a
        // setting it shares with this one (hb-linkd, first, applies nothing when it refuses).
        std::cerr << "hbctl reload: " << d.name << ": " << a.error << "\n";
        std::string skipped;
        for (std::size_t j = i + 1; j < running.size(); ++j)
          skipped += std::string(skipped.empty() ? "" : ", ") + running[j].name;
        if (!skipped.empty()) std::cerr << "hbctl reload: not applied by " << skipped << "\n";
        rc = a.rc;
        break;
      }
      std::string said = a.applied.empty() ? "" : "applied " + a.applied;
      if (!a.pending.empty())
        said += (said.empty() ? "" : "; ") + a.pending + " pending, " +
                std::string(config::pending_when);
      std::cout << d.name << ": " << (said.empty() ? "nothing changed" : said) << "\n";
    }
  }
  sd_bus_flush_close_unref(bus);
  return rc;
}

}  // namespace hb::hbctl
