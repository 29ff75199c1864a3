// Per-peer replay and sequence rules: heartbeat's should_drop_message(), pure.
//
// Messages carry the sender's generation (hg, bumped at every start) and a per-run sequence
// number (seq, from 1). For one peer:
//  * generation lower than the one we track: a replay of an old run -> dropped.
//  * generation higher: the peer restarted -> tracking starts over (reported unless it is the
//    first contact). heartbeat only notices this on status messages; hb on any sequenced
//    message, so the first message after a restart is not mistaken for an old one.
//  * same generation: seq == last + 1 -> accepted. seq == last -> duplicate (the same packet on
//    a second medium: still proof the link works, but not delivered twice).
//    seq > last + 1 -> accepted; the seqs between are recorded missing (at most max_missing,
//    the lowest forgotten first) and should be requested. A gap larger than lost_a_lot
//    ("lost a lot of packets!") resets tracking instead of requesting hundreds.
//    seq < last: accepted if recorded missing (it fills the gap), else a duplicate.
//  * a status message of the same generation from a peer we declared dead: a healed
//    partition when newer than its last status, else stale.
// NS_* messages carry no seq and bypass all of this.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "core/proto/control.hpp"

namespace hb::proto {

struct SeqLimits {
  std::size_t max_missing = 499;  // heartbeat: MAXMISSING - 1
  Seq lost_a_lot = 250;           // heartbeat: MAXMSGHIST / 2
};

enum class SeqVerdict {
  accept,       // in order, or the first message heard from this peer (run)
  accept_gap,   // newer than expected: accepted, the seqs in between are now missing
  fill,         // older, but recorded missing: accepted
  duplicate,    // already seen (or too old to tell)
  replay,       // from an older generation
  stale,        // old status from a peer declared dead
  unsequenced,  // NS_*: outside the ordering rules
};
std::string_view to_string(SeqVerdict verdict);
bool accepted(SeqVerdict verdict);  // accept, accept_gap, fill, unsequenced

struct SeqOutcome {
  SeqVerdict verdict = SeqVerdict::accept;
  bool restart = false;           // a new generation of a peer we had heard before
  bool lost_a_lot = false;        // gap beyond SeqLimits::lost_a_lot: tracking was reset
  bool healed_partition = false;  // dead peer back without a restart
  // accept_gap: the new gap [first, last] to request; both 0 otherwise.
  Seq missing_first = 0;
  Seq missing_last = 0;
  // Missing seqs given up by this message (reset, restart, overflow): irretrievable.
  std::vector<Seq> forgotten;
};

class SequenceTracker {
 public:
  explicit SequenceTracker(SeqLimits limits = {}) : limits_(limits) {}

  SeqOutcome on_message(const SeqFields& fields);
  // The peer was declared dead: its next status is checked for a healed partition.
  void on_peer_dead() { peer_dead_ = true; }
  // NS_nak_rexmit: the peer cannot resend `seq`; true when it was recorded missing.
  bool on_nak(Seq seq) { return missing_.erase(seq) > 0; }

  const std::set<Seq>& missing() const { return missing_; }
  Generation generation() const { return generation_; }
  std::optional<Seq> last_seq() const { return last_seq_; }

 private:
  void reset(SeqOutcome& outcome);

  SeqLimits limits_;
  Generation generation_ = 0;
  std::optional<Seq> last_seq_;
  Seq last_status_seq_ = 0;
  std::set<Seq> missing_;
  bool peer_dead_ = false;
  bool heard_ = false;
};

}  // namespace hb::proto
