// The cluster configuration as the /etc/ha.d files describe it: heartbeat's ha.cf, authkeys and
// haresources, and hb's own hb.conf, parsed into plain values. Pure data: the parsers live beside
// this file, the file reading (and authkeys' mode check) in load.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hb::config {

using Millis = std::chrono::milliseconds;

// Where a value came from, so every later message can say "file:line".
struct Origin {
  std::string file;
  int line = 0;
};

struct Diagnostic {
  enum class Severity { error, warning };
  Severity severity = Severity::error;
  Origin origin;
  std::string message;

  // "file:line: message" (warnings say "warning: " before the message). A diagnostic about the
  // file as a whole (line 0, e.g. its permissions) reads "file: message".
  std::string str() const;
};

bool has_errors(const std::vector<Diagnostic>& diagnostics);

// One heartbeat medium line of ha.cf.
struct Medium {
  enum class Kind { bcast, mcast, mcast6, ucast, ucast6, serial };
  Kind kind = Kind::bcast;
  std::string interface;   // bcast/mcast/ucast: the interface; serial: the device (/dev/ttyS0)
  std::string address;     // mcast: the group; ucast: the peer address
  std::uint16_t port = 0;  // bcast/ucast: udpport at the time of the line; mcast: its own port
  int ttl = 1;             // mcast only
  int loop = 0;            // mcast only
  int baud = 19200;        // serial only: baud at the time of the line
  Origin origin;
};

struct PingGroup {
  std::string name;
  std::vector<std::string> addresses;
  Origin origin;
};

struct Respawn {
  std::string user;
  std::vector<std::string> argv;  // argv[0] is the program
  Origin origin;
};

// A fence device (heartbeat's STONITH) from ha.cf: `stonith TYPE FILE` (any node may use it; the
// plugin reads its parameters from FILE) or `stonith_host FROM TYPE PARAMS...` (used only on
// node FROM, `*` = every node; PARAMS is the plugin's parameter string). TYPE names one of
// cluster-glue's STONITH plugins (`stonith -L`), e.g. external/ipmi or rhcs/ipmilan.
struct StonithDevice {
  std::string from = "*";
  std::string type;
  std::string params;       // stonith_host: the rest of the line
  std::string config_file;  // stonith: the plugin's configuration file
  Origin origin;
};

enum class AutoFailback { on, off, legacy };

// A word of ha.cf that hb reads but heartbeat 3.0.6 refuses (its config.c counts an error, and
// heartbeat does not start): noted while parsing, since the parsed values no longer show it.
// `hbctl config check --heartbeat` lists them (core/config/heartbeat_compat.hpp).
struct HeartbeatRefusal {
  Origin origin;
  std::string word;    // as written, e.g. "500 ms"
  std::string reason;  // what heartbeat makes of it
};

// ha.cf: the directives hb acts on, with heartbeat's defaults and derived defaults already
// applied. Directives hb accepts but does not implement are listed in `ignored` (each also
// produced a warning).
struct HaCf {
  Millis keepalive{1000};
  Millis deadtime{30000};
  Millis warntime{15000};
  Millis initdead{30000};
  Millis deadping{30000};
  std::uint16_t udpport = 694;
  int baud = 19200;
  std::vector<Medium> media;
  std::vector<std::string> nodes;  // in ha.cf order
  std::vector<std::string> ping_nodes;
  std::vector<PingGroup> ping_groups;
  std::vector<Respawn> respawns;
  std::vector<StonithDevice> stonith_devices;  // in ha.cf order
  AutoFailback auto_failback = AutoFailback::legacy;
  int hopfudge = 1;
  std::string logfile;
  std::string debugfile;
  std::string logfacility;  // e.g. "local0"; "none" = no syslog facility
  bool use_logd = false;
  bool realtime = true;
  int debug = 0;
  std::string msgfmt = "classic";
  // Where this node's generation comes from (heartbeat's hbgenmethod): "file" counts starts in
  // the state directory, "time" uses the wall clock; both persist it and never go backwards.
  std::string hbgenmethod = "file";
  // heartbeat's `watchdog PATH`: the watchdog device hb-linkd feeds (docs/fencing.md,
  // "Watchdog"); empty: none.
  std::string watchdog;
  std::vector<std::string> ignored;  // directive names accepted without effect, in file order
  std::vector<HeartbeatRefusal> heartbeat_refusals;  // in file order
  // Where each directive was last set ("keepalive" -> ha.cf:19), for later messages.
  std::map<std::string, Origin> origins;
};

struct AuthKey {
  // crc, md5 (HMAC-MD5) and sha1 (HMAC-SHA1) are heartbeat's; sha256 (HMAC-SHA256) is an hb-only
  // extension that a heartbeat peer does not understand.
  enum class Method { crc, md5, sha1, sha256 };
  Method method = Method::crc;
  std::string secret;  // empty for crc
  Origin origin;
};

// authkeys: `auth N` picks the key that signs; any listed index verifies.
struct AuthKeys {
  int active_index = -1;
  std::map<int, AuthKey> keys;  // index 0..15
  Origin origin;                // of the `auth N` line
};

// An IP resource in heartbeat's shorthand: a.b.c.d[/prefix[/iface[:label]][/broadcast]].
struct IpSpec {
  std::string address;
  std::optional<int> prefix_length;
  std::string interface;
  std::string label;
  std::string broadcast;
};

// Filesystem::device::mountpoint::fstype::options
struct FilesystemSpec {
  std::string device;
  std::string mountpoint;
  std::string fstype;
  std::string options;
};

struct Resource {
  enum class Kind {
    ip,          // a bare address, IPaddr::..., IPaddr2::...
    filesystem,  // Filesystem::...
    service,     // a bare name (httpd): a systemd service or a script without arguments
    script,      // any other Name::arg::arg...: a heartbeat resource script
  };
  Kind kind = Kind::service;
  std::string token;              // as written in haresources
  std::string name;               // "IPaddr", "IPaddr2", "Filesystem", "httpd", ...
  std::vector<std::string> args;  // the ::-separated arguments
  std::optional<IpSpec> ip;
  std::optional<FilesystemSpec> filesystem;
  Origin origin;
};

struct ResourceGroup {
  std::string preferred_node;  // spelled as in ha.cf's `node` line (matched case-insensitively)
  std::vector<Resource> resources;  // in start order
  Origin origin;

  // heartbeat names a group by its first resource token (e.g. "9.22.7.46").
  const std::string& key() const { return resources.front().token; }
};

// One address hb-statusd listens on: a literal IPv4 or IPv6 address (without brackets) and a port.
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
  bool operator==(const ListenAddress&) const = default;
};

// hb.conf [status]: hb-statusd's HTTP server (docs/hb.conf.5.md).
struct StatusSettings {
  std::vector<ListenAddress> listen{{"127.0.0.1", 9694}, {"::1", 9694}};
  int max_event_streams = 16;  // long-lived streams served at once (the event stream, later)
  int request_workers = 4;     // threads for ordinary requests
  Millis read_timeout{5000};
  Millis write_timeout{5000};
  int max_request_bytes = 8192;   // request body limit
  Millis healthz_max_age{10000};  // /healthz: a followed daemon's snapshot may be this old
  Millis refresh_interval{2000};  // every daemon is re-read this often (counters have no signal)
  // TLS on every listen address: the PEM certificate chain and private key (both or neither).
  // Under systemd hb-statusd reads the credentials tls-certificate and tls-key instead, which a
  // drop-in loads from these files (docs/hb.conf.5.md).
  std::string tls_certificate, tls_key;
  // POST /api/v1/admin/...: standby, takeover, move, with the bearer token of the credential
  // admin-token; hb-resourced must also admit hb-statusd's user (a policy drop-in).
  bool admin = false;
};

// hb.conf [fencing]: how hb-resourced fences a dead peer with ha.cf's fence devices
// (stonith, stonith_host; docs/handover.md has the rules).
struct FencingSettings {
  // The two-node race: the node that served less waits this long before fencing the other.
  // Longer than a fence device takes to cut the power.
  Millis race_delay{5000};
  Millis retry{5000};     // a failed fence is tried again this much later (heartbeat: 5 s)
  Millis timeout{60000};  // one fence device's try, at most
};

// hb.conf [watchdog]: the watchdog device of ha.cf's `watchdog` line (docs/fencing.md).
struct WatchdogSettings {
  // How long the device waits for a feed before it resets the node; unset: twice deadtime
  // (watchdog_timeout() in core/config/watchdog.hpp gives the value in force).
  std::optional<Millis> timeout;
};

// hb.conf [resources] and [resource TOKEN]: how long hb-resourced lets a resource start and stop
// (its unit's TimeoutStartSec/TimeoutStopSec), and how often it asks a resource script whether
// its product still runs (docs/resources.md). heartbeat had no such limits: a script that hung
// held the group, and nothing noticed a crashed product.
struct ResourceSettings {
  Millis start_timeout{300000};    // DB2 or WebSphere may take minutes to start
  Millis stop_timeout{300000};     // includes the runner's ten retries, a second apart
  Millis monitor_interval{30000};  // 0: not checked
  Millis monitor_timeout{60000};   // one status check, at most
  bool operator==(const ResourceSettings&) const = default;
};

// One [resource TOKEN] section: what it sets for that haresources word; the rest comes from
// [resources].
struct ResourceOverride {
  std::optional<Millis> start_timeout, stop_timeout, monitor_interval, monitor_timeout;
  Origin origin;  // the first header naming the word
};

// hb.conf: hb's own settings, which heartbeat's files have no place for. A missing file is all
// defaults.
struct HbConf {
  bool present = false;  // the file existed
  StatusSettings status;
  FencingSettings fencing;
  WatchdogSettings watchdog;
  ResourceSettings resources;                                  // [resources]: every resource's
  std::map<std::string, ResourceOverride> resource_overrides;  // [resource TOKEN], by token
  std::map<std::string, Origin> origins;                       // "status.listen" -> hb.conf:3
};

struct Config {
  std::string local_node;
  HaCf ha_cf;
  HbConf hb_conf;
  std::optional<AuthKeys> authkeys;  // only when the loader was asked to read it
  std::vector<ResourceGroup> groups;
};

}  // namespace hb::config
