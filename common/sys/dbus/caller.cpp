#include "sys/dbus/caller.hpp"

#include <pwd.h>

#include <string>
#include <vector>

#include "sys/dbus/error.hpp"
#include "sys/dbus/names.hpp"

namespace hb::dbus {

uid_t sender_uid(Message& call) {
  sd_bus_creds* creds = nullptr;
  check(sd_bus_query_sender_creds(call.get(), SD_BUS_CREDS_EUID, &creds),
        "query the caller's credentials");
  uid_t uid = 0;
  int r = sd_bus_creds_get_euid(creds, &uid);
  sd_bus_creds_unref(creds);
  check(r, "read the caller's uid");
  return uid;
}

void require_root(Message& call) {
  if (sender_uid(call) == 0) return;
  throw Error(SD_BUS_ERROR_ACCESS_DENIED, std::string("only root may call ") + call.member());
}

void require_root_or(Message& call, std::initializer_list<const char*> users) {
  uid_t uid = sender_uid(call);
  if (uid == 0) return;
  std::vector<std::string> allowed{"root"};
  for (const char* user : users) {
    passwd pw{};
    passwd* found = nullptr;
    char buf[1024];
    if (getpwnam_r(user, &pw, buf, sizeof buf, &found) == 0 && found && found->pw_uid == uid)
      return;
    allowed.emplace_back(user);
  }
  std::string who;  // "root and hacluster", "root, hacluster and hb-statusd"
  for (std::size_t i = 0; i < allowed.size(); ++i)
    who += (i == 0 ? "" : i + 1 == allowed.size() ? " and " : ", ") + allowed[i];
  throw Error(SD_BUS_ERROR_ACCESS_DENIED, "only " + who + " may call " + call.member());
}

void require_root_or_daemon_user(Message& call) {
  require_root_or(call, {names::daemon_user});
}

}  // namespace hb::dbus
