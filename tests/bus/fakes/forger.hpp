// An unprivileged local user forging signals: a child process that drops to uid/gid 65534
// (nobody), opens its own connection to the bus and sends each signal *directly* to one
// connection (a destination set, as `busctl emit --destination=` does), which reaches it whatever
// its match rules say. Between signals of one forgery the connection stays the same, so it can
// first claim a name with a forged NameOwnerChanged naming itself, then speak "as" that name.
#pragma once

#include <grp.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

namespace hb::test {

struct Forged {
  std::string path, interface, member;
  // Appends the arguments; `self` is the forger's own unique name (for a NameOwnerChanged).
  std::function<int(sd_bus_message* m, const std::string& self)> append;
};

inline constexpr uid_t nobody = 65534;

// Sends `signals` to `destination` as uid `as`; true when the child could send them all.
inline bool forge(const std::string& address, const std::string& destination,
                  const std::vector<Forged>& signals, uid_t as = nobody) {
  const pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setresgid(as, as, as) != 0 ||
        ::setresuid(as, as, as) != 0)
      ::_exit(2);
    sd_bus* bus = nullptr;
    if (sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, address.c_str()) < 0 ||
        sd_bus_set_bus_client(bus, 1) < 0 || sd_bus_start(bus) < 0)
      ::_exit(3);
    const char* self = nullptr;
    if (sd_bus_get_unique_name(bus, &self) < 0) ::_exit(4);
    for (const auto& f : signals) {
      sd_bus_message* m = nullptr;
      if (sd_bus_message_new_signal(bus, &m, f.path.c_str(), f.interface.c_str(),
                                    f.member.c_str()) < 0 ||
          sd_bus_message_set_destination(m, destination.c_str()) < 0 || f.append(m, self) < 0 ||
          sd_bus_send(bus, m, nullptr) < 0)
        ::_exit(5);
      sd_bus_message_unref(m);
    }
    sd_bus_flush(bus);
    sd_bus_flush_close_unref(bus);
    ::_exit(0);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The unique name that owns `name` on the bus of `conn`.
inline std::string owner_of(sd_bus* conn, const std::string& name) {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  std::string out;
  if (sd_bus_call_method(conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                         "org.freedesktop.DBus", "GetNameOwner", &e, &reply, "s",
                         name.c_str()) >= 0) {
    const char* s = nullptr;
    if (sd_bus_message_read(reply, "s", &s) >= 0 && s) out = s;
  }
  sd_bus_error_free(&e);
  sd_bus_message_unref(reply);
  return out;
}

}  // namespace hb::test
