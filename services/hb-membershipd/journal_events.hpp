// Every node and link transition as a structured journal entry: heartbeat's ha-log sentences
// (`node ha2: is dead`, `Link ha2:eth0 dead.`), but with fields, so that
// `journalctl MESSAGE_ID=<node_dead>` or `journalctl HB_NODE=ha2` finds them. The fields and ids
// are documented in docs/architecture.md and explained by units/catalog/hb.catalog.
#pragma once

#include <cstdint>
#include <string>

#include "core/membership/tracker.hpp"

namespace hb::membershipd {

// Fixed MESSAGE_IDs (generated once, never change: admins' queries and the catalog use them).
namespace msgid {
inline constexpr const char* node_up = "10dafb5f3f59442c98332964184ab8f5";
inline constexpr const char* node_dead = "9a13f40fe51941c5b82befbd4436885c";
inline constexpr const char* node_restarted = "a46445fb4fd3415c87461ecf92f6872d";
inline constexpr const char* node_shutdown = "c68feec71c24406e9fe15944c1715c31";
inline constexpr const char* link_up = "6fc0cd1ff57b4eee9855e45766fd9a07";
inline constexpr const char* link_dead = "316a70e179fa443ab7030dfa27831980";
// hb-linkd left the bus (or was never there): node states are frozen until it returns.
inline constexpr const char* linkd_absent = "77eac4569a624bef87a801836a2f5ac8";
}  // namespace msgid

// One entry per node transition (HB_NODE, HB_OLD_STATE, HB_NEW_STATE, HB_INCARNATION,
// HB_REASON, and HB_LINK when a link's transition caused it).
void log_node_event(const membership::Event& event);

// One entry per link transition INTO up or dead (late is hb-linkd's warning to give).
void log_link_event(const std::string& node, const std::string& medium,
                    const std::string& old_state, const std::string& new_state,
                    std::uint64_t incarnation);

}  // namespace hb::membershipd
