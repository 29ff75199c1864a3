#include "sys/dbus/caller.hpp"

#include <pwd.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sys/dbus/error.hpp"
#include "sys/dbus/names.hpp"

namespace hb::dbus {

namespace {

// The bus daemon does not pass a caller's credentials along with its call: sd-bus asks for them
// (GetConnectionCredentials) with a blocking call. In hb-linkd that stalled the heartbeats for
// as long as the bus daemon was slow (a loaded machine) or stopped, whenever hb-resourced sent a
// message. A unique name (":1.42") is one connection's for its whole life and never given again
// on that bus, and its uid is fixed when it connects, so each caller is asked about once; only
// a connection's first call still waits for the bus daemon.
class UidCache {
 public:
  std::optional<uid_t> find(sd_bus* bus, const char* sender) {
    std::lock_guard lock(mutex_);
    auto it = uids_.find({bus, sender});
    if (it == uids_.end()) return std::nullopt;
    return it->second;
  }
  void remember(sd_bus* bus, const char* sender, uid_t uid) {
    std::lock_guard lock(mutex_);
    if (uids_.size() >= max_callers) uids_.clear();  // hbctl runs: each a new connection
    uids_[{bus, sender}] = uid;
  }

 private:
  static constexpr std::size_t max_callers = 256;
  std::mutex mutex_;
  std::map<std::pair<sd_bus*, std::string>, uid_t> uids_;
};

UidCache& uid_cache() {
  static UidCache cache;
  return cache;
}

}  // namespace

uid_t sender_uid(Message& call) {
  sd_bus* bus = sd_bus_message_get_bus(call.get());
  const char* sender = sd_bus_message_get_sender(call.get());
  if (sender)
    if (auto uid = uid_cache().find(bus, sender)) return *uid;
  sd_bus_creds* creds = nullptr;
  check(sd_bus_query_sender_creds(call.get(), SD_BUS_CREDS_EUID, &creds),
        "query the caller's credentials");
  uid_t uid = 0;
  int r = sd_bus_creds_get_euid(creds, &uid);
  sd_bus_creds_unref(creds);
  check(r, "read the caller's uid");
  if (sender) uid_cache().remember(bus, sender, uid);
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
