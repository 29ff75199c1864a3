// hb-membershipd's mirror of ipfaild's ping-node states (ping_follower.hpp).
#include "ping_follower.hpp"

#include "sys/dbus/json_reader.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"

namespace hb::membershipd {
namespace ipfail1 = hb::dbus::names::ipfail1;

namespace {

// ipfaild answers from memory; longer means it is wedged, and its next owner change retries.
constexpr std::uint64_t snapshot_timeout_usec = 5'000'000;

}  // namespace

std::map<std::string, std::string> parse_ping_snapshot(dbus::Message& reply) {
  std::map<std::string, std::string> out;
  const nlohmann::json objects = dbus::read_managed_objects(reply);
  for (const auto& [path, interfaces] : objects.items()) {
    auto it = interfaces.find(ipfail1::ping_node);
    if (it == interfaces.end() || !it->is_object()) continue;
    auto address = it->find("Address");
    auto state = it->find("State");
    if (address == it->end() || state == it->end() || !address->is_string() || !state->is_string())
      continue;
    out[address->get<std::string>()] = state->get<std::string>();
  }
  return out;
}

PingFollower::PingFollower(dbus::Bus& bus, Handlers handlers)
    : handlers_(std::move(handlers)), ipfail1_(bus, ipfail1::bus, "ipfaild") {
  ipfail1_.on_signal(ipfail1::root, ipfail1::manager, "PingNodeChanged", [this](dbus::Message& m) {
    std::string address = m.read<std::string>();
    std::string state = m.read<std::string>();
    if (handlers_.ping_node) handlers_.ping_node(address, state);
  });
  ipfail1_.on_owner([this](const std::string& owner) {
    if (owner.empty() && handlers_.absent) handlers_.absent();
  });
  ipfail1_.snapshot_on_owner(
      ipfail1::root, [this](dbus::Message& reply) { on_snapshot(reply); }, snapshot_timeout_usec);
  ipfail1_.start();
}

void PingFollower::on_snapshot(dbus::Message& reply) {
  if (const sd_bus_error* e = reply.error()) {
    log::debug("", std::string("cannot read ipfaild's ping nodes: ") +
                       (e->message ? e->message : e->name));
    return;
  }
  std::map<std::string, std::string> states;
  try {
    states = parse_ping_snapshot(reply);
  } catch (const std::exception& e) {
    log::debug("", std::string("malformed ping node snapshot from ipfaild: ") + e.what());
    return;
  }
  if (!handlers_.ping_node) return;
  for (const auto& [address, state] : states) handlers_.ping_node(address, state);
}

}  // namespace hb::membershipd
