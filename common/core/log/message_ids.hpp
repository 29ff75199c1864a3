// Every MESSAGE_ID hb logs, in one place: the fixed ids of the journal entries that
// units/catalog/hb.catalog explains (`journalctl -x`) and that admins' queries use
// (`journalctl MESSAGE_ID=…`). Generated once with `systemd-id128 new`; never changed.
// tests/unit/log/message_ids_test.py checks that this file and the catalog list the same ids and
// that no other source file defines one.
#pragma once

namespace hb::log::msgid {

// Every daemon's life cycle (common/sys/daemon.cpp).
inline constexpr const char* config_error = "5c1a3e0c8e7f4b0a9d26b1f4e2a7c913";
inline constexpr const char* daemon_started = "8f3b6d2a41c94e67b05d7a1e9c3f2b84";
inline constexpr const char* daemon_stopping = "2d7e9a1b6c3f48e5a0b94d6c1e8f7a25";
inline constexpr const char* bus_lost = "b4c81f3e9a2d4c7685e1f0a3d6b92c47";

// A node unable to take over (its hb-membershipd or hb-linkd missing), able again, a peer that
// says it is unable (hb-resourced). hb-unit-failed (units/, a shell script) logs unit_gave_up.
inline constexpr const char* cannot_take_over = "9852e04a55b1494b95df9e674eca360b";
inline constexpr const char* can_take_over = "d3ebe9c607fe4346b9aa8a7da499fb39";
inline constexpr const char* peer_cannot_take_over = "a522eae01ec549e3aad2b8f47940abaf";
inline constexpr const char* unit_gave_up = "1a827b8834154084b1e569f80b4e27be";

// hb-linkd: links, peers' restarts, refused packets, media, forgotten generations.
inline constexpr const char* link_dead = "affbbfd11142477888b24777765da435";
inline constexpr const char* link_up = "cc99a003527048408004f46426db292b";
inline constexpr const char* link_late = "1b77fe4542e04718888281503ec62f9e";
inline constexpr const char* peer_restarted = "dbbfcee99a6641ac99ecea25bcd2e3a2";
inline constexpr const char* packets_rejected = "17934649ac1b42bd8df5e6e7c4d14f9f";
inline constexpr const char* medium_problem = "c8dec96471a0429285af7bac2b365d53";
inline constexpr const char* generation_forgotten = "5907eee0325648b38eee2ba59f4c1615";

// hb-membershipd: node transitions, hb-linkd's absence. (Link entries are hb-linkd's alone:
// the ids hb-membershipd once gave them, 6fc0cd1f… and 316a70e1…, are retired.)
inline constexpr const char* node_up = "10dafb5f3f59442c98332964184ab8f5";
inline constexpr const char* node_dead = "9a13f40fe51941c5b82befbd4436885c";
inline constexpr const char* node_restarted = "a46445fb4fd3415c87461ecf92f6872d";
inline constexpr const char* node_shutdown = "c68feec71c24406e9fe15944c1715c31";
inline constexpr const char* linkd_absent = "77eac4569a624bef87a801836a2f5ac8";

}  // namespace hb::log::msgid
