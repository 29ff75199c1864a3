// The fields heartbeat puts on every message it sends, and the protocol messages hb builds:
// status heartbeats, retransmission requests and their negative answers.
//
// Field order is heartbeat's: the caller's fields, then add_control_fields() appends
// src, [srcuuid], seq, hg, ts, ld, ttl; seal() appends auth last. NS_* types carry no seq and
// no ld (they stay outside the reliable protocol).
// Number encodings on the wire: seq, hg, ts, dt and NS_nak_rexmit's firstseq are hex ("%lx");
// ttl and NS_rexmit's firstseq/lastseq are decimal.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/proto/message.hpp"

namespace hb::proto {

using Seq = std::uint64_t;
using Generation = std::uint64_t;

struct ControlFields {
  std::string node;            // src: this node's name (uname -n)
  std::string uuid;            // srcuuid: 16 raw bytes, or empty to leave it out
  Generation generation = 0;   // hg
  std::int64_t unix_time = 0;  // ts: the sender's time(), passed in (core reads no clock)
  std::string load = "n/a";    // ld: first line of /proc/loadavg (no newline)
  int ttl = 0;                 // hopfudge + number of nodes (ping nodes count)
};

// Appends the control fields; `seq` is ignored for NS_* types. For NS_* types a field the
// caller already set is not added again (heartbeat keeps e.g. a ping packet's own src).
void add_control_fields(Message& message, const ControlFields& control, Seq seq);

struct StatusOptions {
  std::string status = "active";              // st: init, up, active, dead...
  std::chrono::milliseconds deadtime{30000};  // dt
  // heartbeat 2.x+ announces `protocol=1` only when it does NS_ackmsg flow control; hb does
  // not, so it stays off and peers treat hb as a peer without ACKs (as heartbeat allows).
  bool announce_protocol = false;
  // hb_config: the cluster-wide configuration digest peers compare; empty: left out.
  std::string config_digest;
};

// t=status, st, dt, [protocol=1], [hb_config], then the control fields.
Message build_status(const StatusOptions& status, const ControlFields& control, Seq seq);

// t=NS_rexmit dest=<peer> firstseq=<dec> lastseq=<dec>, then control fields.
Message build_rexmit_request(std::string_view peer, Seq first, Seq last,
                             const ControlFields& control);
// t=NS_nak_rexmit firstseq=<hex> dest=<peer> info=<reason>, then control fields.
Message build_nak(std::string_view peer, Seq seq, std::string_view reason,
                  const ControlFields& control);

std::string to_hex(std::uint64_t value);
// 1..16 hex digits, nothing else (heartbeat writes plain "%lx").
std::optional<std::uint64_t> parse_hex(std::string_view text);
// 1..19 decimal digits, nothing else.
std::optional<std::uint64_t> parse_decimal(std::string_view text);

// The sequencing facts of a received message (after authentication).
struct SeqFields {
  bool sequenced = false;  // false for NS_* types
  Seq seq = 0;
  Generation generation = 0;  // 0 when absent (heartbeat's default)
  bool is_status = false;
};
// nullopt when a sequenced message has no valid seq (or a bad hg): drop it as malformed.
std::optional<SeqFields> seq_fields(const Message& message);

// True when the message names no destination or names `node` (dest = node name).
bool addressed_to(const Message& message, std::string_view node);

}  // namespace hb::proto
