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
// Also common/sys: realtime.cpp, dbus/bus.cpp, dbus/follower.cpp, dbus/log_control.cpp.
inline constexpr const char* bus_name_taken = "c8a8d7580cbf44bdad67a684e233cf6f";
inline constexpr const char* daemon_failed = "bcaee6d5c54549d6b749f5a41dcae04e";
inline constexpr const char* reload_unsupported = "903b7582040a4e1595a61633bbe4b760";
// hbctl reload (or systemctl reload) as each daemon answers it: refused, or applied.
inline constexpr const char* reload_refused = "06660de9b5d4490e99ccc3b6e7e13da7";
inline constexpr const char* reload_applied = "f16c654e45414a4a8786556d754d51da";
inline constexpr const char* realtime_unavailable = "35509e245c214defb871f44b13e5101e";
inline constexpr const char* handler_failed = "d5b79fe5ec2044e285afbf32a35e54d5";
inline constexpr const char* signals_dropped = "9521cdb6e3b0446cac88a5950ec393e0";
inline constexpr const char* log_level_changed = "d5eb01c8653548b4a2315d418a401196";

// A node unable to take over (its hb-membershipd or hb-linkd missing), able again, a peer that
// says it is unable (hb-resourced). hb-unit-failed (units/, a shell script) logs unit_gave_up.
inline constexpr const char* cannot_take_over = "9852e04a55b1494b95df9e674eca360b";
inline constexpr const char* can_take_over = "d3ebe9c607fe4346b9aa8a7da499fb39";
inline constexpr const char* peer_cannot_take_over = "a522eae01ec549e3aad2b8f47940abaf";
inline constexpr const char* unit_gave_up = "1a827b8834154084b1e569f80b4e27be";
// A peer that no longer says it is unable (hb-resourced).
inline constexpr const char* peer_can_take_over = "d883e60f25d843f1920316d1282d1db5";

// hb-resourced: its groups (the engine's entries, services/hb-resourced/engine_journal.cpp),
// hand-overs, its peers as it sees them, its own hb-linkd, the units behind a group, and its
// sources (cluster_feed.cpp).
inline constexpr const char* group_starting = "49837a4aeb92442d811cb46c94fa8359";
inline constexpr const char* group_started = "b4338db63be04264a31cde2028894d17";
inline constexpr const char* group_stopping = "10a81c8b4b76412698f379ebda5950ed";
inline constexpr const char* group_stopped = "29281a090e854d93b4a55083a7ccfa1e";
inline constexpr const char* group_start_failed = "8e6d13ec90ae4fdab503df712f937cc5";
inline constexpr const char* group_stop_failed = "3d6ecdc4f3044bd28f80598d203677ca";
inline constexpr const char* group_adopted = "1c1ce9a5704b45588ae458433a0959fe";
inline constexpr const char* group_cleaned = "72660bbed9194f4185eb41421c15e951";
inline constexpr const char* initial_acquisition_done = "d8a0d2fe51af4a4596eda2d841435420";
inline constexpr const char* handover_requested = "58a0c7a3b69543c6bb07e62a9697029f";
inline constexpr const char* handover_done = "ed0542bd42394d64bccd06b0457d63dc";
inline constexpr const char* handover_cancelled = "9f17a58c62364f3697ccb070aced0dfe";
inline constexpr const char* request_refused = "4dab51f8c2d646d897849beeda79343e";
inline constexpr const char* peer_dead = "21e5b405433b4a36b5633c240801ad42";
inline constexpr const char* peer_returned = "d165a991b97a4f8e8d9b4cb1ddb31f83";
inline constexpr const char* split_brain = "d1f004f1a742419fb945dede01ba55e9";
inline constexpr const char* shutdown_complete = "ef81e549d0e5488789036fd5d0c8fd10";
inline constexpr const char* linkd_hung = "570f26f36de644cc8e54d787ec0e1689";
inline constexpr const char* linkd_lost_releasing = "9e9528198a8c464e8198d54c004cb4eb";
inline constexpr const char* linkd_back = "08133953832748ea8a189b65d521402b";
inline constexpr const char* resource_unresolved = "ffa405cb966643328a32bf59a781703a";
inline constexpr const char* unit_enabled = "d7375562b7324600ad4863ed9a919c13";
inline constexpr const char* unit_start_failed = "492c0d799c8a4e5b9fa9996b617c1f83";
inline constexpr const char* unit_stop_failed = "c7338d50b72e4707a478dcd06f48366a";
inline constexpr const char* mount_users_killed = "0657cb4d4dd94a6a84d3f696c930f5c7";
inline constexpr const char* mount_forced = "0f2fc30bfeba43b6950094d25e2f30dc";
inline constexpr const char* resource_restarting = "493f821d9add41bfb94ed8bc49b0c19e";
inline constexpr const char* resource_gave_up = "a1a4c1b8b98e4efbb21973ee0499a080";
inline constexpr const char* addresses_announced = "b85622d5d4f543dfab443dfcc72a6743";
inline constexpr const char* membership_unreadable = "c3f37deab4844bec8f40f96f5f3c777c";
inline constexpr const char* message_send_failed = "9a68ce97d3864d42923abc8439bd81d3";
inline constexpr const char* systemd_subscribe_failed = "61a5d455cbff4b908242d0df1a6bc540";
// hb-resourced's fencing (docs/handover.md): a dead peer being fenced, fenced, a failed attempt,
// each device tried (fence_runner.cpp), this node fencing itself, a peer never heard that is not
// written off, a node with no fence device, and (without one) a release after a lost hb-linkd
// that did not end before the peers' deadtime.
inline constexpr const char* node_fencing = "38eff529118a4ff684ed5b6452f9ac83";
inline constexpr const char* node_fenced = "563ae8f4e9644c68bf3fa4577d15d179";
inline constexpr const char* fence_failed = "c6c68ab179134dc8812fc6ad02ca045d";
inline constexpr const char* fence_device = "27132383b5fd4f819eb1291ca5a9d568";
inline constexpr const char* self_fence = "746a6deb1f214865b5d44762b20739ad";
inline constexpr const char* wait_for_peer = "6d9df18142694f3082e60b0d9f02322e";
inline constexpr const char* shared_disk_unprotected = "e312867c626f4885879692d48ad21135";
inline constexpr const char* two_holder_window = "d6cf97ca4a0c478189850c3b96463d52";
// hb-resourced's side of sbd fencing (fencing_disk.hpp): its mailbox on the fencing disk (found,
// unreadable, read again), a poison pill that makes it leave, one from before its start cleared.
inline constexpr const char* fencing_disk = "3dd2c46ba1b14990aa616cc90ad18668";
inline constexpr const char* poison_pill = "7ff24e5aabcb46fbb375bba1a932839a";
inline constexpr const char* poison_pill_cleared = "9172ddc8b0f3447c96b422552b8b0fae";

// hb-linkd: links, peers' restarts, refused packets, media, forgotten generations, its state
// files, weak keys, its start checks (prepare_start.cpp).
inline constexpr const char* link_dead = "affbbfd11142477888b24777765da435";
inline constexpr const char* link_up = "cc99a003527048408004f46426db292b";
inline constexpr const char* link_late = "1b77fe4542e04718888281503ec62f9e";
inline constexpr const char* peer_restarted = "dbbfcee99a6641ac99ecea25bcd2e3a2";
inline constexpr const char* packets_rejected = "17934649ac1b42bd8df5e6e7c4d14f9f";
inline constexpr const char* medium_problem = "c8dec96471a0429285af7bac2b365d53";
inline constexpr const char* generation_forgotten = "5907eee0325648b38eee2ba59f4c1615";
inline constexpr const char* generation_file_problem = "84d062700b5741ea9d2a164adc8828be";
inline constexpr const char* weak_authentication = "7aa06991c40e400fb7985b32ccd8f6d7";
inline constexpr const char* cannot_sign = "47e5a03f729d4354a0179e713966f284";
inline constexpr const char* linkd_start_refused = "00b8241fc6d344e6bf54a0e67573b7e8";
inline constexpr const char* state_moved = "de429989cf824461a3317a05b12211f3";
inline constexpr const char* deadtime_clamped = "f3db85204a6f442a840aee733b2b8f7e";
inline constexpr const char* partition_healed = "0ba4ca4ec001447fa3ebc09321c36362";
inline constexpr const char* packets_lost = "65d6411fce3f4852abd979389e396689";
// hb-linkd's watchdog (ha.cf `watchdog`): armed or disarmed; not opened (PID 1 or another
// process holds it, or it cannot be opened); feeds withheld (a reset is coming).
inline constexpr const char* watchdog_armed = "f231ea534c3a42e6b7b28ffb780725da";
inline constexpr const char* watchdog_not_opened = "518a1ef96c2940a9991f1ed21c43f4df";
inline constexpr const char* watchdog_starving = "14cb35663cbd4d2e891817710f0f9403";

// hb-membershipd: node transitions, hb-linkd's absence and return. (Link entries are hb-linkd's
// alone: the ids hb-membershipd once gave them, 6fc0cd1f… and 316a70e1…, are retired.)
inline constexpr const char* node_up = "10dafb5f3f59442c98332964184ab8f5";
inline constexpr const char* node_dead = "9a13f40fe51941c5b82befbd4436885c";
inline constexpr const char* node_restarted = "a46445fb4fd3415c87461ecf92f6872d";
inline constexpr const char* node_shutdown = "c68feec71c24406e9fe15944c1715c31";
inline constexpr const char* linkd_absent = "77eac4569a624bef87a801836a2f5ac8";
inline constexpr const char* linkd_present = "cab6265e63e24d0eb0c685604d596d23";

// ipfaild: nothing to do, its configuration's limits, ping nodes, the exchange with its peer
// (what it heard and told, why), the standby it asks for, and what failed.
inline constexpr const char* ipfail_idle = "8ec465a32489479ebe570084223b2be5";
inline constexpr const char* ipfail_config_limited = "4a9b1cc9b25243bfb5ab28bfc0798846";
inline constexpr const char* ping_node_up = "e2c051f4615c4f66a43494ac8881f02a";
inline constexpr const char* ping_node_dead = "4b855cbb459046e0bdeb3df086dd38df";
inline constexpr const char* ipfail_exchange = "30fc93d67eb34667b0907f8a22be5024";
inline constexpr const char* ipfail_bad_message = "08a27a13ccf641fc8c323d788886ec95";
inline constexpr const char* ipfail_standby = "efd5ef35d91e4e13aece7264aec7e4b0";
inline constexpr const char* ipfail_standby_failed = "3d44e4dd5f944a06b390ff4a4084bdd2";
inline constexpr const char* ipfail_send_failed = "7edee07f134c437b9820cffa50a79fb2";

}  // namespace hb::log::msgid
