#include "linkd.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <list>
#include <set>
#include <system_error>

#include "core/config/cluster_digest.hpp"
#include "core/config/lexical.hpp"
#include "core/config/reload_plan.hpp"
#include "core/config/security.hpp"
#include "core/liveness/names.hpp"
#include "core/liveness/peers.hpp"
#include "core/proto/node_list.hpp"
#include "generation_file.hpp"
#include "interfaces.hpp"
#include "sys/dbus/error.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"

namespace hb::linkd {
namespace {

namespace msgid = log::msgid;

using liveness::LinkState;

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::uint64_t monotonic_usec(TimePoint t) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

// "bcast eth0", "serial /dev/ttyS0" -> "eth0", "/dev/ttyS0"
std::string link_name_of(const std::string& medium_name) {
  auto a = medium_name.find(' ');
  if (a == std::string::npos) return medium_name;
  auto b = medium_name.find(' ', a + 1);
  return medium_name.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
}

// The settings whose change opens or closes media (udpport and baud are part of each line's).
bool is_media_setting(std::string_view setting) {
  static constexpr std::string_view media[] = {"bcast",  "mcast",  "mcast6",  "ucast",
                                               "ucast6", "serial", "udpport", "baud"};
  return std::find(std::begin(media), std::end(media), setting) != std::end(media);
}

// heartbeat's ttl: hopfudge + every node, ping nodes and ping groups included.
int heartbeat_ttl(const config::HaCf& cf) {
  return cf.hopfudge +
         static_cast<int>(cf.nodes.size() + cf.ping_nodes.size() + cf.ping_groups.size());
}

}  // namespace

Linkd::Linkd(boost::asio::io_context& io, dbus::Bus& bus, const config::Config& config,
             LinkdOptions options, std::function<void(const std::string&)> set_status)
    : io_(io),
      config_(config),
      load_again_(std::move(options.load_again)),
      load_again_with_keys_(std::move(options.load_again_with_keys)),
      set_status_(std::move(set_status)),
      deadtime_(config.ha_cf.deadtime),
      deadline_timer_(io),
      state_dir_(options.state_dir),
      config_digest_(config::cluster_digest(config)) {
  const auto now = std::chrono::steady_clock::now();
  keys_ = config.authkeys.value_or(config::AuthKeys{});

  GenerationResult g =
      next_generation(options.state_dir, static_cast<std::int64_t>(::time(nullptr)),
                      generation_method(config.ha_cf.hbgenmethod));
  if (!g.problem.empty()) log::warning(msgid::generation_file_problem, "generation: " + g.problem);
  if (!g.note.empty()) log::notice(msgid::generation_file_problem, "generation: " + g.note);
  PeerGenerations known = load_peer_generations(options.state_dir);
  if (!known.problem.empty())
    log::warning(msgid::generation_file_problem, "peer generations: " + known.problem);

  state_ = initial_state(config);
  state_.generation = g.generation;
  if (!g.persisted) {
    state_.warnings.set("generation-not-durable",
                        "this node's generation could not be written to " + options.state_dir +
                            " (" + g.problem + "); peers may take a later restart for a replay");
  }
  for (const auto& w : config::security_warnings(config)) {
    state_.warnings.set(w.code, w.text);
    log::warning(msgid::weak_authentication, w.text + " [" + w.code + "]",
                 {{"HB_WARNING", w.code}});
  }
  describe_configuration();
  bus_objects_ = std::make_unique<BusObjects>(
      bus, state_,
      [this](const std::string& d, const std::string& t,
             const std::map<std::string, std::string>& f) { return send_cluster_message(d, t, f); },
      [this](const std::string& node) { forget_generation(node); },
      [this](bool apply, int keys_fd) { return reload(apply, keys_fd); },
      [this] { return heartbeat_beacon(); });

  // After the bus objects: its first change (PID 1 holds the device) may come at any time.
  watchdog_ = std::make_unique<WatchdogFeeder>(bus, config, state_.warnings,
                                               [this](const std::string& watchdog_state) {
                                                 state_.watchdog = watchdog_state;
                                                 bus_objects_->watchdog_changed();
                                                 bus_objects_->warnings_changed();
                                               });
  state_.watchdog = watchdog_->state();

  ttl_ = heartbeat_ttl(config.ha_cf);

  PipelineOptions po;
  po.local_node = config.local_node;
  po.keys = keys_;
  po.timing = liveness::timing_from_config(config.ha_cf);
  // Ping nodes are not carried by these media (no ICMP medium here): only cluster nodes.
  for (auto& p : liveness::peers_from_config(config.ha_cf, config.local_node))
    if (p.kind == liveness::PeerKind::node) po.peers.push_back(std::move(p));
  po.known_generations = std::move(known.generations);
  // The generation bound's wall clock (docs/wire-rules.md, rule 3).
  po.unix_clock = [] { return static_cast<std::int64_t>(::time(nullptr)); };
  pipeline_ = std::make_unique<PacketPipeline>(std::move(po), now);

  MediaSet set = make_media(io, config.ha_cf, local_addresses());
  for (const auto& s : set.skipped) log::info("", s);
  for (std::size_t i = 0; i < set.media.size(); ++i)
    media_.push_back(attach(set.media[i], set.keys[i]));
  // A medium that does not open now reports it and keeps retrying on its own.
  for (auto& e : media_) e.medium->open();

  try {
    beacon_ = std::make_unique<sys::BeaconWriter>();
  } catch (const std::system_error& e) {
    // hb-resourced then falls back to pinging hb-linkd over the bus.
    log::warning("", std::string("no heartbeat beacon: ") + e.what());
  }
  keepalive_ =
      std::make_unique<KeepaliveTimer>(io, config.ha_cf.keepalive, [this] { send_keepalive(); });
  arm_deadline();
  last_status_ = status();
}

Linkd::MediumEntry Linkd::attach(std::shared_ptr<Medium> medium, std::string key) {
  MediumEntry e;
  e.medium = std::move(medium);
  e.link = link_name_of(e.medium->name());
  e.serial = e.medium->name().rfind("serial ", 0) == 0;
  e.key = std::move(key);
  // A closed medium never calls these again (its receives in flight end aborted).
  e.medium->set_handlers({[this, link = e.link](std::string_view packet, const std::string&) {
                            on_packet(link, packet);
                          },
                          [this](const Report& r) {
                            // One line per episode already (Medium::report); a medium that flaps
                            // between failing and recovering at the packet rate is rate-limited
                            // here.
                            const bool ok = r.kind == Report::Kind::recovered;
                            noisy("medium " + r.medium + " " + to_string(r.kind),
                                  ok ? log::Level::info : log::Level::warning,
                                  msgid::medium_problem, r.message, link_name_of(r.medium),
                                  r.medium);
                          }});
  return e;
}

void Linkd::stop() {
  if (watchdog_) watchdog_->stop();
}

Linkd::~Linkd() {
  keepalive_.reset();
  deadline_timer_.cancel();
  for (auto& e : media_) e.medium->close();
}

bool Linkd::healthy() const {
  return keepalive_ && keepalive_->on_time(std::chrono::steady_clock::now());
}

std::string Linkd::status() const {
  std::size_t links_up = 0;
  std::size_t peers_up = 0;
  for (const auto& p : state_.peers) {
    bool any = false;
    for (const auto& l : state_.links) {
      if (l.node != p.name || (l.state != "up" && l.state != "late")) continue;
      ++links_up;
      any = true;
    }
    if (any) ++peers_up;
  }
  return plural(links_up, "link") + " up to " + plural(peers_up, "peer") + " of " +
         std::to_string(state_.peers.size()) + "; generation " + std::to_string(state_.generation);
}

void Linkd::update_status() {
  std::string s = status();
  if (s == last_status_) return;
  last_status_ = s;
  if (set_status_) set_status_(s);
}

proto::ControlFields Linkd::control() const {
  proto::ControlFields c;
  c.node = config_.local_node;
  c.generation = state_.generation;
  c.unix_time = static_cast<std::int64_t>(::time(nullptr));
  c.load = load_;
  c.ttl = ttl_;
  return c;
}

Link* Linkd::find_link(const std::string& node, const std::string& medium) {
  for (auto& l : state_.links)
    if (liveness::same_name(l.node, node) && l.medium == medium) return &l;
  return nullptr;
}

Peer* Linkd::find_peer(const std::string& node) {
  for (auto& p : state_.peers)
    if (liveness::same_name(p.name, node)) return &p;
  return nullptr;
}

bool Linkd::send_everywhere(const proto::Message& message) {
  std::optional<std::string> udp;
  std::optional<std::string> serial;
  for (auto& e : media_) {
    std::optional<std::string>& bytes = e.serial ? serial : udp;
    if (!bytes) {
      proto::SealOptions so;
      if (e.serial) {
        // heartbeat's serial plugin always writes the classic text, without the NUL.
        so.format = proto::WireFormat::classic;
        so.trailing_nul = false;
      }
      auto sealed = proto::seal(message, keys_, so);
      if (!sealed) {
        // At the keepalive rate (and for every answer to a request): rate-limited.
        noisy("sign", log::Level::err, msgid::cannot_sign,
              "cannot sign a " + std::string(message.type()) + " message: " +
                  std::string(proto::to_string(sealed.problem())) + " " + sealed.error().detail,
              config_.local_node);
        return false;
      }
      bytes = std::move(*sealed);
    }
    e.medium->send(*bytes);
    for (auto& l : state_.links)
      if (l.medium == e.link) ++l.packets_sent;
  }
  return true;
}

Beacon Linkd::heartbeat_beacon() const {
  if (!beacon_) dbus::throw_not_supported("HeartbeatBeacon");
  const auto keepalive =
      std::chrono::duration_cast<std::chrono::microseconds>(config_.ha_cf.keepalive);
  return Beacon{beacon_->open_read_only(), static_cast<std::uint64_t>(keepalive.count())};
}

void Linkd::send_keepalive() {
  load_ = read_load_average();
  proto::StatusOptions so;
  so.deadtime = deadtime_;
  so.config_digest = config_digest_;
  // The beacon says the heartbeats left once every medium has them (hb-resourced's hang check
  // reads it: heartbeat_beacon.hpp); a tick that could not sign them sent nothing.
  if (send_everywhere(sender_.status(so, control())) && beacon_) beacon_->mark_sent();
  watchdog_->tick(std::chrono::steady_clock::now());
  flush_reject_logs();
  flush_noisy();
  if (persist_pending_) persist_peer_generations(/*now_or_later=*/true);
}

void Linkd::write_noisy(const Noisy& n, const std::string& line, std::uint64_t count) {
  const std::string c = std::to_string(count);
  if (n.medium.empty())
    log::write(n.level, n.message_id, line, {{"HB_NODE", n.node}, {"HB_COUNT", c}});
  else
    log::write(n.level, n.message_id, line,
               {{"HB_LINK", n.node}, {"HB_MEDIUM", n.medium}, {"HB_COUNT", c}});
}

void Linkd::noisy(const std::string& key, log::Level level, const char* message_id,
                  const std::string& text, const std::string& node, const std::string& medium) {
  auto [it, inserted] = noisy_.try_emplace(key);
  (void)inserted;
  Noisy& n = it->second;
  n.level = level;
  n.message_id = message_id;
  n.text = text;
  n.node = node;
  n.medium = medium;
  if (auto count = n.counter.add(std::chrono::steady_clock::now())) {
    std::string line = text;
    if (*count > 1) line += " (" + std::to_string(*count) + " times in the last 10 s)";
    write_noisy(n, line, *count);
  }
}

void Linkd::flush_noisy() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [key, n] : noisy_) {
    if (auto count = n.counter.flush(now))
      write_noisy(n, std::to_string(*count) + " more like this in the last 10 s; last: " + n.text,
                  *count);
  }
}

void Linkd::persist_peer_generations(bool now_or_later) {
  const auto now = std::chrono::steady_clock::now();
  if (now_or_later && persisted_at_ && now - *persisted_at_ < std::chrono::seconds(1)) {
    persist_pending_ = true;
    return;
  }
  persist_pending_ = false;
  persisted_at_ = now;
  std::string failed = save_peer_generations(state_dir_, pipeline_->known_generations());
  if (!failed.empty())
    noisy("persist", log::Level::warning, msgid::generation_file_problem,
          "peer generations: " + failed + "; after a restart an older run may be accepted", "");
}

void Linkd::forget_generation(const std::string& node) {
  const auto before = pipeline_->known_generations();
  pipeline_->forget_generation(node);
  persist_peer_generations();
  std::uint64_t old = 0;
  for (const auto& [name, g] : before)
    if (liveness::same_name(name, node)) old = g;
  log::notice(msgid::generation_forgotten,
              "forgot generation " + std::to_string(old) + " of node " + node +
                  " (hbctl forget-generation): its next status starts over",
              {{"HB_NODE", node}, {"HB_GENERATION", std::to_string(old)}});
  if (Peer* p = find_peer(node)) p->last_seq = 0;
}

std::vector<std::string> Linkd::reload(bool apply, int keys_fd) {
  if (!load_again_ || !load_again_with_keys_) dbus::throw_not_supported("Reload");
  // The keys from what root's hbctl opened: under systemd hb-linkd may not open authkeys, and
  // the copy it was handed at start is never renewed.
  config::LoadResult loaded = keys_fd >= 0 ? load_again_with_keys_(keys_fd) : load_again_();
  if (!loaded.ok()) {
    std::string errors;
    for (const auto& d : loaded.diagnostics)
      if (d.severity == config::Diagnostic::Severity::error)
        errors += (errors.empty() ? "" : "\n") + d.str();
    log::warning(msgid::reload_refused,
                 "reload refused, the configuration stays as it was:\n" + errors);
    throw dbus::Error(dbus::names::error_invalid_configuration, errors);
  }
  const auto changes = config::config_changes(config_, loaded.config);
  // Also refused: what another daemon uses and cannot follow live yet (reload_plan.hpp).
  const auto refused = config::refusals(changes);
  if (!refused.empty()) {
    const std::string why = config::to_string(refused);
    log::warning(msgid::reload_refused,
                 "reload refused, the configuration stays as it was: " + why);
    throw dbus::Error(dbus::names::error_reload_refused, why);
  }
  if (changes.empty()) return {};
  // The media lines, and udpport and baud, which are part of each line's medium.
  const bool media_changed = std::any_of(changes.begin(), changes.end(),
                                         [](const auto& c) { return is_media_setting(c.setting); });
  std::string said;
  if (media_changed) {
    // Applying opens the new media before anything else changes: a refusal leaves all as it was.
    const std::string why = reload_media(loaded.config, apply, said);
    if (!why.empty()) {
      log::warning(msgid::reload_refused,
                   "reload refused, the configuration stays as it was: " + why);
      throw dbus::Error(dbus::names::error_reload_refused, why);
    }
  }
  if (!apply) {  // CheckReload: what Reload would apply
    std::vector<std::string> would;
    for (const auto& c : changes) {
      const auto users = config::users_of(c.setting);
      if (std::find(users.begin(), users.end(), "hb-linkd") != users.end())
        would.push_back(config::answer_line("hb-linkd", c));
    }
    return would;
  }
  // Nothing refused: every change is applied live by each daemon that uses it, so the new
  // files are the configuration in force. hb-linkd's part is the timings and the keys; what
  // only other daemons use is theirs to apply and say.
  const config::HaCf& before = config_.ha_cf;
  const config::HaCf& after = loaded.config.ha_cf;
  std::vector<std::string> applied;
  for (const auto& c : changes) {
    const auto users = config::users_of(c.setting);
    if (std::find(users.begin(), users.end(), "hb-linkd") == users.end()) continue;
    // The node list waits for hb-resourced, which restarts hb-linkd once it holds no group.
    if (config::is_pending("hb-linkd", c)) {
      applied.push_back(config::answer_line("hb-linkd", c));
      continue;
    }
    applied.push_back(c.setting);
    if (is_media_setting(c.setting)) continue;  // reload_media said what it opened and closed
    if (c.setting == "authkeys") {
      said += std::string(said.empty() ? "" : ", ") + "authkeys (signing with key " +
              std::to_string(loaded.config.authkeys->active_index) + ", " +
              std::to_string(loaded.config.authkeys->keys.size()) + " accepted)";
      continue;
    }
    if (c.setting == "ping" || c.setting == "ping_group") {
      said += (said.empty() ? "" : ", ") + c.setting + " (ttl " +
              std::to_string(heartbeat_ttl(after)) + ")";
      continue;
    }
    // The only other settings of hb-linkd's that get here (config::applied_live_by).
    const auto times = c.setting == "keepalive"  ? std::pair{before.keepalive, after.keepalive}
                       : c.setting == "deadtime" ? std::pair{before.deadtime, after.deadtime}
                                                 : std::pair{before.warntime, after.warntime};
    said += (said.empty() ? "" : ", ") + c.setting + " " + std::to_string(times.first.count()) +
            " ms -> " + std::to_string(times.second.count()) + " ms";
  }
  config_ = config::keep_pending_as_running(std::move(loaded.config), config_, "hb-linkd");
  deadtime_ = config_.ha_cf.deadtime;   // advertised (dt) from the next status on
  ttl_ = heartbeat_ttl(config_.ha_cf);  // it counts the ping nodes
  // The times derived from deadtime follow it, as they would at a start.
  pipeline_->set_timing(liveness::timing_from_config(config_.ha_cf));
  keepalive_->set_interval(config_.ha_cf.keepalive);
  if (config_.authkeys) {
    // Heartbeat's rotation: a peer's packet is checked with the key its index names, so a key
    // added here before the peer signs with it, and removed after, never drops a packet.
    keys_ = *config_.authkeys;
    pipeline_->set_keys(keys_);
    refresh_security_warnings();
  }
  if (media_changed) reload_links(config_);
  arm_deadline();
  // The digest covers the timings: peers compare the new one from the next status on.
  config_digest_ = config::cluster_digest(config_);
  describe_configuration();
  bus_objects_->configuration_changed();
  refresh_config_warning();
  if (!applied.empty()) log::notice(msgid::reload_applied, "reloaded: " + said);
  return applied;
}

std::string Linkd::reload_media(const config::Config& next, bool apply, std::string& said) {
  MediaSet set = make_media(io_, next.ha_cf, local_addresses());
  // Each medium of `next`: the running one with its key (socket, tty and lock kept), or new.
  std::vector<MediumEntry> next_media;
  std::vector<std::size_t> fresh;  // indices into next_media
  std::vector<bool> kept(media_.size(), false);
  for (std::size_t i = 0; i < set.media.size(); ++i) {
    std::size_t found = media_.size();
    for (std::size_t j = 0; j < media_.size() && found == media_.size(); ++j)
      if (!kept[j] && media_[j].key == set.keys[i]) found = j;
    if (found < media_.size()) {
      kept[found] = true;
      next_media.push_back(media_[found]);
      continue;
    }
    fresh.push_back(next_media.size());
    next_media.push_back(attach(set.media[i], set.keys[i]));
  }
  std::vector<MediumEntry*> removed;
  for (std::size_t j = 0; j < media_.size(); ++j)
    if (!kept[j]) removed.push_back(&media_[j]);

  if (!apply) {
    // What can be known without opening: the device or the interface is there.
    std::string missing;
    for (std::size_t i : fresh) {
      const MediumEntry& e = next_media[i];
      bool there = false;
      if (e.serial) {
        struct stat st {};
        there = ::stat(e.link.c_str(), &st) == 0;
      } else {
        InterfaceState iface;
        there = !read_interface(e.link, iface);
      }
      if (!there)
        missing += (missing.empty() ? "" : "; ") + e.medium->name() + ": no such " +
                   (e.serial ? "device" : "interface");
    }
    return missing;
  }
  if (fresh.empty() && removed.empty()) return {};

  // Closed first: a medium reopened with another baud or port takes the same tty lock or port.
  for (MediumEntry* e : removed) e->medium->close();
  std::string failed;
  for (std::size_t i : fresh) {
    if (auto ec = next_media[i].medium->open()) {
      failed = next_media[i].medium->name() + ": cannot open: " + ec.message();
      break;
    }
  }
  if (!failed.empty()) {
    for (std::size_t i : fresh) next_media[i].medium->close();
    // Back as they were; one that does not reopen at once retries on its own, as at a start.
    for (MediumEntry* e : removed) e->medium->open();
    return failed;
  }
  for (MediumEntry* e : removed)
    said += std::string(said.empty() ? "" : ", ") + e->medium->name() + " closed";
  for (std::size_t i : fresh)
    said += std::string(said.empty() ? "" : ", ") + next_media[i].medium->name() + " opened";
  media_ = std::move(next_media);
  return {};
}

void Linkd::reload_links(const config::Config& next) {
  const auto now = std::chrono::steady_clock::now();
  std::list<Link> wanted = initial_state(next).links;
  auto has = [](const std::list<Link>& links, const std::string& path) {
    return std::any_of(links.begin(), links.end(), [&](const Link& l) { return l.path == path; });
  };
  // The new links first, so a consumer never sees a peer with fewer links than it has.
  std::set<std::string> added_media;
  for (Link& l : wanted) {
    if (has(state_.links, l.path)) continue;
    if (added_media.insert(l.medium).second) pipeline_->add_link(l.medium, now);
    state_.links.push_back(l);  // a copy: `wanted` is read again below
    bus_objects_->link_added(state_.links.back());
    log::notice(msgid::reload_applied,
                "Link " + state_.links.back().node + ":" + state_.links.back().medium +
                    " added by a reload.",
                {{"HB_NODE", state_.links.back().node}, {"HB_LINK", state_.links.back().medium}});
  }
  std::set<std::string> removed_media;
  for (auto it = state_.links.begin(); it != state_.links.end();) {
    if (has(wanted, it->path)) {
      ++it;
      continue;
    }
    // Not a failure: no dead transition and no LinkChanged, the object goes.
    log::notice(msgid::reload_applied,
                "Link " + it->node + ":" + it->medium + " removed by a reload.",
                {{"HB_NODE", it->node}, {"HB_LINK", it->medium}});
    removed_media.insert(it->medium);
    bus_objects_->link_removed(*it);
    it = state_.links.erase(it);
  }
  for (const auto& medium : removed_media) {
    TimerEvents ev = pipeline_->remove_link(medium);
    for (const auto& [peer, seq] : ev.lost)
      noisy("lost " + peer, log::Level::warning, msgid::packets_lost,
            "irretrievably lost packet " + std::to_string(seq) + " from " + peer, peer);
    for (const auto& m : ev.deliver) deliver(m);
  }
  update_status();
}

void Linkd::describe_configuration() {
  const config::HaCf& cf = config_.ha_cf;
  std::map<std::string, std::string> c{{"keepalive", config::format_time(cf.keepalive)},
                                       {"deadtime", config::format_time(cf.deadtime)},
                                       {"warntime", config::format_time(cf.warntime)},
                                       {"initdead", config::format_time(cf.initdead)},
                                       {"digest", config_digest_}};
  if (config_.authkeys) {
    c["auth"] = std::to_string(config_.authkeys->active_index);
    std::string keys;
    for (const auto& [index, key] : config_.authkeys->keys)
      keys += (keys.empty() ? "" : " ") + std::to_string(index);
    c["keys"] = keys;
  }
  state_.configuration = std::move(c);
}

void Linkd::refresh_security_warnings() {
  std::map<std::string, std::optional<std::string>> now{{"weak-auth-crc-udp", std::nullopt},
                                                        {"crc-beside-strong-keys", std::nullopt}};
  for (const auto& w : config::security_warnings(config_)) now[w.code] = w.text;
  bool changed = false;
  for (const auto& [code, text] : now) changed = state_.warnings.assign(code, text) || changed;
  if (changed) bus_objects_->warnings_changed();
}

void Linkd::note_config_digest(const std::string& peer, const std::string& digest) {
  // What a peer sends is shown to people: anything but a short hex digest is shown as such.
  const bool readable = !digest.empty() && digest.size() <= 64 &&
                        digest.find_first_not_of("0123456789abcdef") == std::string::npos;
  std::string& known = peer_config_digests_[peer];
  const std::string shown = readable ? digest : "unreadable";
  if (known == shown) return;
  known = shown;
  refresh_config_warning();
}

void Linkd::refresh_config_warning() {
  std::vector<std::string> differing;
  for (const auto& [name, d] : peer_config_digests_)
    if (d != config_digest_) differing.push_back(name + " (" + d + ")");
  std::optional<std::string> text;
  if (!differing.empty()) {
    std::string names;
    for (const auto& d : differing) names += (names.empty() ? "" : ", ") + d;
    text = "the cluster-wide configuration of " + names + " differs from this node's (" +
           config_digest_ +
           "): compare ha.cf (timings, nodes, ping nodes, fence devices, auto_failback), "
           "haresources, authkeys and hb.conf's [fencing]";
  }
  if (state_.warnings.assign("config-differs", text)) bus_objects_->warnings_changed();
}

std::uint64_t Linkd::send_cluster_message(const std::string& destination, const std::string& type,
                                          const std::map<std::string, std::string>& fields) {
  proto::Message m = sender_.cluster_message(destination, type, fields, control());
  send_everywhere(m);
  return sender_.last_seq();
}

void Linkd::reject(const std::string& link, const std::string& peer, Reject reason,
                   const std::string& detail) {
  const std::string why(to_string(reason));
  // Counted on the link of the node the packet names, or on every link of the medium when it
  // names none we know (an unknown node has no Link object).
  bool counted = false;
  for (auto& l : state_.links) {
    if (l.medium != link) continue;
    if (!peer.empty() && !liveness::same_name(l.node, peer)) continue;
    ++l.rejected[why];
    counted = true;
  }
  (void)counted;
  reject_details_[why] = detail;
  auto [it, inserted] = reject_logs_.try_emplace(why, std::chrono::seconds(10));
  (void)inserted;
  if (auto n = it->second.add(std::chrono::steady_clock::now())) {
    log::write(log::Level::warning, msgid::packets_rejected,
               "dropped " + std::to_string(*n) + " packet" + (*n == 1 ? "" : "s") + " (" + why +
                   ") on " + link + (peer.empty() ? "" : " claiming to be from " + peer) + ": " +
                   detail,
               {{"HB_LINK", link}, {"HB_REJECT_REASON", why}, {"HB_COUNT", std::to_string(*n)}});
  }
}

void Linkd::flush_reject_logs() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [why, limiter] : reject_logs_) {
    if (auto n = limiter.flush(now)) {
      log::write(
          log::Level::warning, msgid::packets_rejected,
          "dropped " + std::to_string(*n) + " more packet" + (*n == 1 ? "" : "s") + " (" + why +
              ") in the last " +
              std::to_string(
                  std::chrono::duration_cast<std::chrono::seconds>(limiter.window()).count()) +
              " s; last: " + reject_details_[why],
          {{"HB_REJECT_REASON", why}, {"HB_COUNT", std::to_string(*n)}});
    }
  }
}

void Linkd::on_packet(const std::string& link, std::string_view bytes) {
  const auto now = std::chrono::steady_clock::now();
  PacketEvents ev = pipeline_->on_packet(bytes, link, now);
  if (ev.own) {
    // heartbeat's rule: the watchdog is fed when this node hears its own heartbeat come back
    // (only this run's: an old one replayed is not proof that this run is alive).
    if (ev.own_status == state_.generation) watchdog_->own_status_heard(now);
    return;
  }
  if (ev.rejected) {
    reject(link, ev.peer, *ev.rejected, ev.detail);
    return;
  }
  if (!ev.heard) return;
  Peer* peer = find_peer(ev.peer);
  if (peer != nullptr) {
    if (ev.restarted) {
      // Before the link transition the same packet causes: consumers reset the node first.
      peer->generation = *ev.restarted;
      noisy("restart " + peer->name, log::Level::notice, msgid::peer_restarted,
            "heartbeat restart on node " + peer->name + " (generation " +
                std::to_string(*ev.restarted) + ")",
            peer->name);
      bus_objects_->peer_restarted(*peer);
    } else if (ev.generation && *ev.generation != peer->generation) {
      peer->generation = *ev.generation;
      bus_objects_->peer_generation_changed(*peer);
    }
    peer->last_seq = pipeline_->last_seq(peer->name);
    if (ev.config_digest) note_config_digest(peer->name, *ev.config_digest);
  }
  if (ev.adopted) persist_peer_generations(/*now_or_later=*/true);
  if (Link* l = find_link(ev.peer, link)) {
    ++l->packets_received;
    if (ev.status) l->last_heard_usec = monotonic_usec(now);  // liveness: status packets only
  }
  if (ev.deadtime_clamped_from)
    noisy("dt " + ev.peer, log::Level::warning, msgid::deadtime_clamped,
          "node " + ev.peer + " advertises a deadtime of " +
              std::to_string(*ev.deadtime_clamped_from) + " ms, outside [" +
              std::to_string(deadtime_.count() / 2) + ", " + std::to_string(deadtime_.count() * 4) +
              "] ms around ours: clamped",
          ev.peer);
  if (ev.healed_partition)
    noisy("partition " + ev.peer, log::Level::warning, msgid::partition_healed,
          "cluster node " + ev.peer + " returning after partition", ev.peer);
  if (ev.lost_a_lot)
    noisy("lost-a-lot " + ev.peer, log::Level::warning, msgid::packets_lost,
          "lost a lot of packets from " + ev.peer + "; sequence tracking restarted", ev.peer);
  for (auto s : ev.lost)
    noisy("lost " + ev.peer, log::Level::warning, msgid::packets_lost,
          "irretrievably lost packet " + std::to_string(s) + " from " + ev.peer, ev.peer);
  if (ev.transition) apply(*ev.transition);
  if (ev.rexmit_request) {
    bool limited = false;
    for (auto& m : sender_.answer(*ev.rexmit_request, now, control(), &limited)) send_everywhere(m);
    if (limited)
      reject(link, ev.peer, Reject::rexmit_rate,
             "a retransmission request held back (each message once a second, 3 times in all, "
             "50 packets a second per peer)");
  }
  for (const auto& m : ev.deliver) deliver(m);
  arm_deadline();
}

void Linkd::deliver(const proto::Message& m) {
  if (m.type() == proto::msgtype::node_list_request) {
    // A starting heartbeat peer waits on this answer before it becomes active
    // (core/proto/node_list.hpp); it is transport business, nothing for the bus.
    send_cluster_message(std::string(m.value_or_empty(proto::field::source)),
                         std::string(proto::msgtype::node_list_reply),
                         proto::node_list_reply_fields(config_.ha_cf.nodes));
    return;
  }
  static const char* const control_fields[] = {"t",  "src", "srcuuid", "seq",  "hg",
                                               "ts", "ld",  "ttl",     "dest", "destuuid"};
  std::map<std::string, std::string> fields;
  for (const auto& f : m.fields()) {
    if (f.type != proto::FieldType::string) continue;
    bool skip = false;
    for (const char* c : control_fields) skip = skip || f.name == c;
    if (!skip) fields.emplace(f.name, f.value);
  }
  auto seq = proto::parse_hex(m.value_or_empty(proto::field::seq)).value_or(0);
  bus_objects_->message_received(std::string(m.value_or_empty(proto::field::source)),
                                 std::string(m.type()), fields, seq);
}

void Linkd::apply(const liveness::Transition& t) {
  Link* l = find_link(t.peer, t.medium);
  const std::string from(liveness::to_string(t.from));
  const std::string to(liveness::to_string(t.to));
  const auto ms = std::to_string(t.silence.count());
  switch (t.to) {
    case LinkState::dead:
      // heartbeat's sentence, which admins' greps know; hb-linkd is the one daemon that logs
      // link entries (hb-membershipd logs the node's).
      log::warning(
          msgid::link_dead,
          "Link " + t.peer + ":" + t.medium + " dead. Nothing heard on it for " + ms + " ms.",
          {{"HB_NODE", t.peer}, {"HB_LINK", t.medium}, {"HB_SILENCE_MS", ms}});
      break;
    case LinkState::late:
      log::warning(
          msgid::link_late,
          "no heartbeat from " + t.peer + " on " + t.medium + " for " + ms + " ms (warntime)",
          {{"HB_NODE", t.peer}, {"HB_LINK", t.medium}, {"HB_SILENCE_MS", ms}});
      break;
    case LinkState::up:
      if (t.from == LinkState::late) {
        // heartbeat's "Late heartbeat" line, once per late episode, with how late it was.
        log::warning(
            msgid::link_late,
            "late heartbeat: node " + t.peer + " on " + t.medium + ": interval " + ms + " ms",
            {{"HB_NODE", t.peer}, {"HB_LINK", t.medium}, {"HB_LATE_MS", ms}});
      }
      if (t.from != LinkState::late)  // back from late: the line above said it
        log::info(msgid::link_up, "Link " + t.peer + ":" + t.medium + " up.",
                  {{"HB_NODE", t.peer}, {"HB_LINK", t.medium}});
      break;
    case LinkState::init:
      break;
  }
  if (l == nullptr) return;  // a link heartbeat would create on the fly: no bus object for it
  const std::string old = l->state;
  l->state = to;
  bus_objects_->link_changed(*l, old);
  update_status();
}

void Linkd::arm_deadline() {
  auto next = pipeline_->next_deadline();
  if (next == armed_) return;
  armed_ = next;
  deadline_timer_.cancel();
  if (!next) return;
  deadline_timer_.expires_at(*next);
  deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    armed_.reset();
    on_deadline();
  });
}

void Linkd::on_deadline() {
  const auto now = std::chrono::steady_clock::now();
  TimerEvents ev = pipeline_->advance(now, control());
  for (const auto& t : ev.transitions) apply(t);
  for (const auto& r : ev.requests) send_everywhere(r);
  for (const auto& [peer, seq] : ev.lost)
    noisy("lost " + peer, log::Level::warning, msgid::packets_lost,
          "irretrievably lost packet " + std::to_string(seq) + " from " + peer, peer);
  for (const auto& m : ev.deliver) deliver(m);
  arm_deadline();
}

}  // namespace hb::linkd
