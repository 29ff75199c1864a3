#include "core/proto/sequence.hpp"

#include "core/util/enum_names.hpp"

namespace hb::proto {
namespace {

constexpr auto verdict_names = std::to_array<util::EnumName<SeqVerdict>>({
    {SeqVerdict::accept, "accept"},
    {SeqVerdict::accept_gap, "accept-gap"},
    {SeqVerdict::fill, "fill"},
    {SeqVerdict::duplicate, "duplicate"},
    {SeqVerdict::replay, "replay"},
    {SeqVerdict::stale, "stale"},
    {SeqVerdict::unsequenced, "unsequenced"},
});
static_assert(util::names_are_complete(verdict_names));

}  // namespace

std::string_view to_string(SeqVerdict verdict) {
  return util::to_string(verdict_names, verdict);
}

bool accepted(SeqVerdict verdict) {
  return verdict == SeqVerdict::accept || verdict == SeqVerdict::accept_gap ||
         verdict == SeqVerdict::fill || verdict == SeqVerdict::unsequenced;
}

void SequenceTracker::reset(SeqOutcome& outcome) {
  outcome.forgotten.insert(outcome.forgotten.end(), missing_.begin(), missing_.end());
  missing_.clear();
  last_seq_.reset();
  last_status_seq_ = 0;
}

SeqOutcome SequenceTracker::on_message(const SeqFields& fields) {
  SeqOutcome out;
  if (!fields.sequenced) {
    out.verdict = SeqVerdict::unsequenced;
    return out;
  }
  const Seq seq = fields.seq;
  bool restarted_or_healed = false;
  if (heard_ && fields.generation < generation_) {
    out.verdict = SeqVerdict::replay;
    return out;
  }
  if (!heard_ || fields.generation > generation_) {
    out.restart = heard_;
    reset(out);
    generation_ = fields.generation;
    heard_ = true;
    peer_dead_ = false;
    restarted_or_healed = true;
  } else if (fields.is_status && peer_dead_) {
    if (seq <= last_status_seq_) {
      out.verdict = SeqVerdict::stale;
      return out;
    }
    out.healed_partition = true;
    peer_dead_ = false;
    restarted_or_healed = true;
  }

  auto note = [&](SeqVerdict v) {
    out.verdict = v;
    if (fields.is_status && seq > last_status_seq_) last_status_seq_ = seq;
    if (fields.is_status) peer_dead_ = false;
    return out;
  };

  if (!last_seq_ || seq == *last_seq_ + 1) {
    last_seq_ = seq;
    return note(SeqVerdict::accept);
  }
  if (seq == *last_seq_) {
    out.verdict = SeqVerdict::duplicate;
    return out;
  }
  if (seq > *last_seq_) {
    const Seq lost = seq - *last_seq_ - 1;
    if (lost > limits_.lost_a_lot) {
      out.lost_a_lot = true;
      reset(out);
      last_seq_ = seq;
      return note(SeqVerdict::accept);
    }
    out.missing_first = *last_seq_ + 1;
    out.missing_last = seq - 1;
    for (Seq k = out.missing_first; k <= out.missing_last; ++k) missing_.insert(k);
    while (missing_.size() > limits_.max_missing) {
      out.forgotten.push_back(*missing_.begin());
      missing_.erase(missing_.begin());
    }
    last_seq_ = seq;
    return note(SeqVerdict::accept_gap);
  }
  if (missing_.erase(seq) > 0) return note(SeqVerdict::fill);
  if (restarted_or_healed) {
    reset(out);
    last_seq_ = seq;
    return note(SeqVerdict::accept);
  }
  out.verdict = SeqVerdict::duplicate;
  return out;
}

}  // namespace hb::proto
