// hb-linkd's wiring: media in, packet pipeline, bus objects and the journal out, one asio loop.
// Timers: the keepalive, and ONE deadline timer armed at the pipeline's next deadline (link
// liveness, retransmission requests, given-up gaps).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/link/packet_pipeline.hpp"
#include "core/link/reliable_messages.hpp"
#include "core/proto/control.hpp"
#include "core/proto/packet.hpp"
#include "keepalive.hpp"
#include "linkd_bus.hpp"
#include "media_factory.hpp"
#include "sys/config/load.hpp"
#include "sys/dbus/bus.hpp"
#include "sys/heartbeat_beacon.hpp"
#include "sys/log.hpp"
#include "sys/rate_limit.hpp"
#include "watchdog_feeder.hpp"

namespace hb::linkd {

struct LinkdOptions {
  std::string state_dir;  // where hb_generation lives
  // Reads the files again for Reload (sys::DaemonContext::load_again); empty: Reload is not
  // supported.
  std::function<config::LoadResult()> load_again;
  // The same with authkeys read from a descriptor root's hbctl handed over
  // (sys::DaemonContext::load_again_with_keys).
  std::function<config::LoadResult(int authkeys_fd)> load_again_with_keys;
};

class Linkd {
 public:
  Linkd(boost::asio::io_context& io, dbus::Bus& bus, const config::Config& config,
        LinkdOptions options, std::function<void(const std::string&)> set_status);
  ~Linkd();
  Linkd(const Linkd&) = delete;
  Linkd& operator=(const Linkd&) = delete;

  // "2 links up to 1 peer; generation 17"
  std::string status() const;
  // For the watchdog: the keepalives are going out on time.
  bool healthy() const;
  // A clean stop (SIGTERM): disarms ha.cf's watchdog device, if armed.
  void stop();

 private:
  struct Noisy {
    log::RateLimitedCounter counter;
    log::Level level = log::Level::warning;
    const char* message_id = "";
    std::string text;  // the last one
    std::string node;
    std::string medium;
  };
  static void write_noisy(const Noisy& n, const std::string& line, std::uint64_t count);
  struct MediumEntry {
    std::shared_ptr<Medium> medium;
    std::string link;  // heartbeat's link name: the interface or the device
    bool serial = false;
    std::string key;  // medium_key() of its line: a reload keeps it while the key stays
  };
  // A medium of make_media() as an entry, its packets and reports routed here by link name (never
  // by position: a reload reorders media_).
  MediumEntry attach(std::shared_ptr<Medium> medium, std::string key);
  // Reload's media part, against `next`'s media lines. Check (apply false): each new medium's
  // device or interface exists. Apply: the removed media closed, the new ones opened, media_
  // replaced; when one cannot open, all of that is undone. Returns the refusal (empty: fine) and
  // adds what changed to `said` ("bcast lan1 opened").
  std::string reload_media(const config::Config& next, bool apply, std::string& said);
  // After reload_media applied: one Link per peer and link name of the new configuration, the
  // new ones published and started fresh, the removed ones gone without a transition.
  void reload_links(const config::Config& next);

  proto::ControlFields control() const;
  void send_keepalive();
  std::uint64_t send_cluster_message(const std::string& destination, const std::string& type,
                                     const std::map<std::string, std::string>& fields);
  // False when `message` could not be signed (nothing sent).
  bool send_everywhere(const proto::Message& message);
  // Manager.HeartbeatBeacon: a read-only descriptor of beacon_ and the keepalive in force.
  Beacon heartbeat_beacon() const;
  void on_packet(const std::string& link, std::string_view bytes);
  void reject(const std::string& link, const std::string& peer, Reject reason,
              const std::string& detail);
  void apply(const liveness::Transition& t);
  void deliver(const proto::Message& m);
  void arm_deadline();
  void on_deadline();
  void flush_reject_logs();
  void update_status();
  void forget_generation(const std::string& node);
  // Manager.Reload: the files read again; the timings applied live, or nothing (a D-Bus error
  // naming every change it refuses). Returns the settings applied. apply false (CheckReload):
  // the same check and answer, nothing applied.
  // keys_fd: authkeys as hbctl opened it (-1: read as at start).
  std::vector<std::string> reload(bool apply = true, int keys_fd = -1);
  // state_.configuration from config_ (the Configuration property).
  void describe_configuration();
  // weak-auth-crc-udp and crc-beside-strong-keys for the keys in force.
  void refresh_security_warnings();
  // A peer's hb_config: the `config-differs` Warning names every peer whose digest is not ours.
  void note_config_digest(const std::string& peer, const std::string& digest);
  void refresh_config_warning();
  void persist_peer_generations(bool now_or_later = false);
  // One journal entry per `key` at once, then at most one per 10 s saying how many followed:
  // every line a packet can cause goes through here (or through reject()).
  // `node` goes to HB_NODE; for a medium's reports `medium` is given, and `node` holds the link
  // name (HB_LINK, HB_MEDIUM).
  void noisy(const std::string& key, log::Level level, const char* message_id,
             const std::string& text, const std::string& node, const std::string& medium = "");
  void flush_noisy();
  Link* find_link(const std::string& node, const std::string& medium);
  Peer* find_peer(const std::string& node);

  boost::asio::io_context& io_;
  // The configuration in force: the one loaded at start, with what Reload applied since.
  config::Config config_;
  std::function<config::LoadResult()> load_again_;
  std::function<config::LoadResult(int)> load_again_with_keys_;
  std::function<void(const std::string&)> set_status_;
  State state_;
  std::unique_ptr<BusObjects> bus_objects_;
  config::AuthKeys keys_;
  int ttl_ = 0;
  std::chrono::milliseconds deadtime_;
  std::unique_ptr<PacketPipeline> pipeline_;
  ReliableSender sender_;
  std::vector<MediumEntry> media_;
  boost::asio::steady_timer deadline_timer_;
  std::optional<TimePoint> armed_;
  std::unique_ptr<KeepaliveTimer> keepalive_;
  // When this node's heartbeats last left, for hb-resourced (null: it could not be made).
  std::unique_ptr<sys::BeaconWriter> beacon_;
  std::unique_ptr<WatchdogFeeder> watchdog_;
  std::string load_ = "n/a";
  std::map<std::string, log::RateLimitedCounter> reject_logs_;  // reason -> limiter
  std::map<std::string, std::string> reject_details_;           // reason -> last detail
  std::string last_status_;
  std::string state_dir_;
  // hb_peer_generations is written at once, but at most once a second (a forger on crc could
  // otherwise make us fsync per packet); a newer adoption within that second is written at
  // the next keepalive after it.
  std::optional<std::chrono::steady_clock::time_point> persisted_at_;
  bool persist_pending_ = false;
  std::map<std::string, Noisy> noisy_;
  // This node's cluster-wide configuration digest (sent on every status packet), and the last
  // one each peer sent.
  std::string config_digest_;
  std::map<std::string, std::string> peer_config_digests_;
};

}  // namespace hb::linkd
