#include "ipfaild.hpp"

#include <strings.h>

#include <map>
#include <set>

#include "core/config/node_name.hpp"
#include "core/ipfail/ping_set.hpp"
#include "sys/dbus/error.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"

namespace hb::ipfaild {
namespace names = hb::dbus::names;
using ipfail::Action;

namespace {

// hb-linkd and hb-resourced answer from memory; a call that takes longer failed.
constexpr std::uint64_t call_timeout_usec = 10'000'000;

bool same_node(const std::string& a, const std::string& b) {
  return config::same_node_name(a, b);  // heartbeat's rule, without the locale
}

ipfail::Settings settings_of(const config::Config& config) {
  ipfail::Settings s;
  s.settle = 2 * config.ha_cf.keepalive;
  s.auto_failback = config.ha_cf.auto_failback == config::AutoFailback::on;
  s.ping_set = ipfail::ping_set_digest(config.ha_cf);
  return s;
}

bool has(const std::vector<std::string>& v, const char* s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

std::string reason_to_exit(const config::Config& config) {
  const auto& cf = config.ha_cf;
  if (cf.ping_nodes.empty() && cf.ping_groups.empty()) return "no ping nodes in ha.cf";
  if (cf.auto_failback == config::AutoFailback::legacy)
    return "auto_failback legacy (standby needs auto_failback on or off)";
  if (config.groups.empty()) return "no resource groups in haresources";
  if (peer_of(config).empty()) return "no other node in ha.cf";
  return "";
}

std::string peer_of(const config::Config& config) {
  for (const auto& n : config.ha_cf.nodes)
    if (!same_node(n, config.local_node)) return n;
  return "";
}

Ipfaild::Ipfaild(boost::asio::io_context& io, dbus::Bus& bus, const config::Config& config,
                 std::function<void(const std::string&)> set_status,
                 std::function<config::LoadResult()> load_again)
    : io_(io),
      bus_(bus),
      local_(config.local_node),
      peer_(peer_of(config)),
      set_status_(std::move(set_status)),
      state_(initial_state(config)),
      reload_("ipfaild", config, std::move(load_again)),
      engine_(settings_of(config)),
      timer_(io),
      link1_(bus, names::link1::bus, "hb-linkd"),
      membership1_(bus, names::membership1::bus, "hb-membershipd") {
  count_units(config.ha_cf);
  std::vector<std::string> addresses;
  for (const auto& p : state_.ping_nodes) addresses.push_back(p.address);
  objects_ =
      std::make_unique<BusObjects>(bus_, state_, [this](bool apply) { return reload(apply); });

  if (config.ha_cf.nodes.size() > 2)
    log::warning(log::msgid::ipfail_config_limited,
                 "ipfail decides between two nodes; using " + peer_ + " as the peer",
                 {{"HB_PEER", peer_}});

  // Only from the current owners of link1 and membership1 (sys/dbus/follower.hpp): a forged
  // you_are_dead or NodeChanged must not move the groups.
  link1_.on_signal(names::link1::root, names::link1::manager, "MessageReceived",
                   [this](dbus::Message& m) { on_message(m); });
  membership1_.on_signal(names::membership1::root, names::membership1::manager, "NodeChanged",
                         [this](dbus::Message& m) { on_node_changed(m); });
  // A (re)started hb-membershipd: read the peer's state again.
  membership1_.on_owner([this](const std::string& owner) {
    if (!owner.empty()) read_peer_state();
    // Without hb-membershipd ipfaild cannot tell whether the peer is up: no move is decided.
    if (state_.warnings.assign(
            "no-membership",
            owner.empty() ? std::optional<std::string>(
                                "hb-membershipd is not running: ipfaild cannot tell whether the "
                                "peer is up, so a lost ping node moves nothing")
                          : std::nullopt))
      objects_->warnings_changed();
  });
  link1_.on_owner([this](const std::string& owner) {
    if (state_.warnings.assign(
            "no-link", owner.empty()
                           ? std::optional<std::string>(
                                 "hb-linkd is not running: ping counts are not exchanged with the "
                                 "peer, so a lost ping node moves nothing")
                           : std::nullopt))
      objects_->warnings_changed();
  });
  link1_.start();
  membership1_.start();

  prober_ =
      std::make_unique<IcmpProber>(io_, addresses, config.ha_cf.keepalive, config.ha_cf.deadping,
                                   [this](std::size_t i, bool up) { ping_node_changed(i, up); });
  for (const auto& a : prober_->unusable())
    log::warning(log::msgid::ipfail_config_limited,
                 "ping node " + a + " is not an IPv4 address; it counts as dead",
                 {{"HB_PING_NODE", a}});
  prober_->start();
}

Ipfaild::~Ipfaild() = default;

void Ipfaild::count_units(const config::HaCf& cf) {
  // Counted units: each `ping` address alone, each ping_group as one.
  std::map<std::string, std::size_t> unit_by_address;
  units_ = 0;
  for (const auto& a : cf.ping_nodes)
    if (!unit_by_address.count(a)) unit_by_address[a] = units_++;
  for (const auto& g : cf.ping_groups) {
    const std::size_t u = units_++;
    for (const auto& a : g.addresses)
      if (!unit_by_address.count(a)) unit_by_address[a] = u;
  }
  unit_of_.clear();
  for (const auto& p : state_.ping_nodes) unit_of_.push_back(unit_by_address.at(p.address));
}

std::vector<std::string> Ipfaild::reload(bool apply) {
  auto plan = reload_.check();
  auto applied = plan.answer();
  if (!apply || !plan.changed) return applied;
  const config::HaCf& cf = plan.next.ha_cf;
  prober_->set_timing(cf.keepalive, cf.deadping);
  engine_.set_settle(settings_of(plan.next).settle);
  if (has(applied, "ping") || has(applied, "ping_group")) set_ping_nodes(plan.next);
  reload_.commit(std::move(plan));
  return applied;
}

void Ipfaild::set_ping_nodes(const config::Config& next) {
  std::vector<PingNode> nodes = initial_state(next).ping_nodes;
  auto find = [](std::vector<PingNode>& in, const std::string& address) -> PingNode* {
    for (PingNode& p : in)
      if (p.address == address) return &p;
    return nullptr;
  };
  std::vector<std::string> added, addresses;
  for (PingNode& p : nodes) {
    addresses.push_back(p.address);
    if (const PingNode* kept = find(state_.ping_nodes, p.address))
      p.state = kept->state;  // still probed: its state goes on
    else
      added.push_back(p.address);
  }
  for (const PingNode& p : state_.ping_nodes)
    if (find(nodes, p.address) == nullptr)
      log::notice("", "ping node " + p.address + " removed by a reload: no longer probed",
                  {{"HB_PING_NODE", p.address}});
  objects_->set_ping_nodes(std::move(nodes));
  count_units(next.ha_cf);
  prober_->set_targets(addresses);
  for (const auto& a : added) {
    log::notice("", "ping node " + a + " added by a reload: probing it", {{"HB_PING_NODE", a}});
    const auto& unusable = prober_->unusable();
    if (std::find(unusable.begin(), unusable.end(), a) != unusable.end())
      log::warning(log::msgid::ipfail_config_limited,
                   "ping node " + a + " is not an IPv4 address; it counts as dead",
                   {{"HB_PING_NODE", a}});
    // Its `init` as a change: hb-membershipd's mirror learns that ipfaild watches it.
    if (const PingNode* p = find(state_.ping_nodes, a)) objects_->ping_node_changed(*p);
  }
  apply(engine_.ping_set_changed(ipfail::ping_set_digest(next.ha_cf), ipfail::Clock::now()));
  maybe_feed_count();
  publish_status();
}

std::string Ipfaild::status() const {
  std::string s = "reaching " + std::to_string(state_.local_count) + "/" + std::to_string(units_) +
                  " ping nodes";
  s += std::string(" (") + prober_->socket_kind() + " ICMP socket)";
  if (engine_.peer())
    s += ", " + peer_ + " reaches " + std::to_string(*engine_.peer());
  else
    s += ", " + peer_ + "'s count unknown";
  return s;
}

void Ipfaild::ping_node_changed(std::size_t index, bool up) {
  PingNode& p = state_.ping_nodes.at(index);
  const std::string old = p.state;
  p.state = up ? "up" : "dead";
  log::write(up ? log::Level::info : log::Level::warning,
             up ? log::msgid::ping_node_up : log::msgid::ping_node_dead,
             "ping node " + p.address + " is " + p.state + " (was " + old + ")",
             {{"HB_PING_NODE", p.address}});
  objects_->ping_node_changed(p);
  maybe_feed_count();
}

void Ipfaild::maybe_feed_count() {
  std::set<std::size_t> reached;
  bool all_probed = true;
  for (std::size_t i = 0; i < state_.ping_nodes.size(); ++i) {
    if (state_.ping_nodes[i].state == "init") all_probed = false;
    if (state_.ping_nodes[i].state == "up") reached.insert(unit_of_[i]);
  }
  const auto n = static_cast<std::uint32_t>(reached.size());
  if (n != state_.local_count) {
    state_.local_count = n;
    publish_counts();
  }
  // The decision gets only counts over the whole set: a ping node not probed yet (at start, or
  // added by a reload) is neither reached nor lost.
  if (all_probed) apply(engine_.local_count(n, ipfail::Clock::now()));
}

void Ipfaild::publish_counts() {
  bus_.emit_properties_changed(names::ipfail1::root, names::ipfail1::manager,
                               {"LocalCount", "PeerCount"});
  publish_status();
}

// STATUS= only when it says something new: each one is a datagram to systemd.
void Ipfaild::publish_status() {
  std::string s = status();
  if (s == last_status_) return;
  last_status_ = s;
  set_status_(s);
}

void Ipfaild::on_message(dbus::Message& m) {
  const std::string source = m.read<std::string>();
  const std::string type = m.read<std::string>();
  if (!same_node(source, peer_)) return;
  const auto now = ipfail::Clock::now();
  if (type == ipfail::msg_num_ping_nodes) {
    const auto fields = m.read<std::map<std::string, std::string>>();
    auto it = fields.find(ipfail::field_num_ping);
    std::uint32_t n = 0;
    try {
      if (it == fields.end()) throw std::invalid_argument("missing");
      n = static_cast<std::uint32_t>(std::stoul(it->second));
    } catch (const std::exception&) {
      log::warning(log::msgid::ipfail_bad_message,
                   "ignoring num_ping_nodes from " + source + " without a valid num_ping",
                   {{"HB_PEER", source}});
      return;
    }
    log::info(log::msgid::ipfail_exchange, source + " reaches " + std::to_string(n) + " ping nodes",
              {{"HB_PEER", source}});
    auto ask = fields.find(ipfail::field_ask_count);
    auto set = fields.find(ipfail::field_ping_set);
    auto actions = engine_.peer_count(n, now, ask != fields.end() && ask->second == "1",
                                      set == fields.end() ? std::string() : set->second);
    if (state_.peer_count != n) {
      state_.peer_count = n;
      publish_counts();
    }
    apply(std::move(actions));
  } else if (type == ipfail::msg_you_are_dead) {
    log::notice(log::msgid::ipfail_exchange,
                source + " says it reaches more ping nodes (you_are_dead)", {{"HB_PEER", source}});
    apply(engine_.peer_you_are_dead(now));
  } else if (type == ipfail::msg_abort_giveup) {
    log::info(log::msgid::ipfail_exchange, source + " reaches as many ping nodes (abort_giveup)",
              {{"HB_PEER", source}});
    apply(engine_.peer_abort_giveup(now));
  } else if (type == ipfail::msg_client_status) {
    const auto fields = m.read<std::map<std::string, std::string>>();
    auto field = [&](const char* name) {
      auto it = fields.find(name);
      return it == fields.end() ? std::string() : it->second;
    };
    if (!ipfail::is_ipfail_join(type, field(ipfail::field_client_status),
                                field(ipfail::field_client_id)))
      return;
    log::info(log::msgid::ipfail_exchange, "heartbeat's ipfail signed on on " + source,
              {{"HB_PEER", source}});
    apply(engine_.peer_ipfail_joined(now));
  }
}

void Ipfaild::on_node_changed(dbus::Message& m) {
  const std::string node = m.read<std::string>();
  m.read<std::string>();  // old state
  const std::string state = m.read<std::string>();
  if (same_node(node, peer_)) peer_state(state);
}

void Ipfaild::read_peer_state() {
  auto call = bus_.new_method_call(names::membership1::bus,
                                   dbus::object_path(names::membership1::node_prefix, peer_),
                                   "org.freedesktop.DBus.Properties", "Get");
  call.append_all(names::membership1::node, "State");
  peer_state_call_ = bus_.call_async(
      call,
      [this](dbus::Message& reply) {
        if (reply.error() != nullptr) return;  // hb-membershipd not there: NodeChanged will tell
        const char* s = nullptr;
        if (sd_bus_message_read(reply.get(), "v", "s", &s) >= 0 && s != nullptr) peer_state(s);
      },
      call_timeout_usec);
}

void Ipfaild::peer_state(const std::string& state) {
  if (state == last_peer_state_) return;
  last_peer_state_ = state;
  const auto now = ipfail::Clock::now();
  if (state == "up") {
    log::info(log::msgid::ipfail_exchange, "peer " + peer_ + " is up", {{"HB_PEER", peer_}});
    apply(engine_.peer_up(now));
  } else if (state == "dead") {
    log::info(log::msgid::ipfail_exchange, "peer " + peer_ + " is dead", {{"HB_PEER", peer_}});
    apply(engine_.peer_down(now));
    if (state_.peer_count != 0) {
      state_.peer_count = 0;
      publish_counts();
    }
  }
}

void Ipfaild::apply(ipfail::Actions actions) {
  for (const Action& a : actions) {
    switch (a.kind) {
      case Action::Kind::note:
        log::info(log::msgid::ipfail_exchange, a.reason, {{"HB_PEER", peer_}});
        break;
      case Action::Kind::send_count:
        log::info(log::msgid::ipfail_exchange,
                  "telling " + peer_ + " we reach " + std::to_string(a.count) +
                      " ping nodes: " + a.reason,
                  {{"HB_PEER", peer_}});
        {
          // num_ping is all heartbeat's ipfail reads; the other fields are hb's.
          std::map<std::string, std::string> fields{
              {ipfail::field_num_ping, std::to_string(a.count)}};
          if (a.ask) fields[ipfail::field_ask_count] = "1";
          if (!a.ping_set.empty()) fields[ipfail::field_ping_set] = a.ping_set;
          send(ipfail::msg_num_ping_nodes, fields);
        }
        break;
      case Action::Kind::send_you_are_dead:
        log::notice(log::msgid::ipfail_exchange, "telling " + peer_ + " you_are_dead: " + a.reason,
                    {{"HB_PEER", peer_}});
        send(ipfail::msg_you_are_dead, {});
        break;
      case Action::Kind::send_abort_giveup:
        log::info(log::msgid::ipfail_exchange, "telling " + peer_ + " abort_giveup: " + a.reason,
                  {{"HB_PEER", peer_}});
        send(ipfail::msg_abort_giveup, {});
        break;
      case Action::Kind::standby:
        log::notice(log::msgid::ipfail_standby, "asking for standby " + a.scope + ": " + a.reason,
                    {{"HB_PEER", peer_}});
        standby(a.scope);
        break;
    }
  }
  publish_status();
  arm_timer();
}

void Ipfaild::send(const std::string& type, const std::map<std::string, std::string>& fields) {
  auto call = bus_.new_method_call(names::link1::bus, names::link1::root, names::link1::manager,
                                   "SendMessage");
  call.append_all(peer_, type);
  call.append(fields);
  calls_.push_back(bus_.call_async(
      call,
      [type](dbus::Message& reply) {
        if (const sd_bus_error* e = reply.error())
          log::warning(
              log::msgid::ipfail_send_failed,
              "cannot send " + type + " through hb-linkd: " + (e->message ? e->message : e->name));
      },
      call_timeout_usec));
  if (calls_.size() > 64) calls_.erase(calls_.begin(), calls_.begin() + 32);
}

void Ipfaild::standby(const std::string& scope) {
  auto call = bus_.new_method_call(names::resource1::bus, names::resource1::root,
                                   names::resource1::manager, "Standby");
  call.append(scope);
  calls_.push_back(bus_.call_async(
      call,
      [this, scope](dbus::Message& reply) {
        if (const sd_bus_error* e = reply.error()) {
          const std::string why = e->message ? e->message : e->name;
          log::warning(log::msgid::ipfail_standby_failed, "standby " + scope + " failed: " + why);
          apply(engine_.standby_failed(why, ipfail::Clock::now()));
        }
      },
      call_timeout_usec));
}

void Ipfaild::arm_timer() {
  auto d = engine_.next_deadline();
  if (!d) {
    timer_.cancel();
    return;
  }
  timer_.expires_at(*d);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) apply(engine_.tick(ipfail::Clock::now()));
  });
}

}  // namespace hb::ipfaild
