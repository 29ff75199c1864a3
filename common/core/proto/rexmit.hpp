// Retransmission, both ends (heartbeat 3's scheme, time passed in).
//
// Sender (SendHistory): the last 500 sequenced messages we sent. An NS_rexmit request
// (firstseq..lastseq, decimal) is answered by resending each message still held, unless that
// message was resent less than min_interval ago (another node probably asked for the same
// one); at most max_batch messages per request. A seq older than the history gets an
// NS_nak_rexmit ("seqno too low"), one inside it that is not there "seqno not found"; seqs we
// never sent are ignored.
//
// Receiver (RexmitScheduler): each missing seq is first requested after a random delay in
// [min_delay, max_delay] (packets often arrive out of order: waiting avoids needless
// requests), then again every max_delay while it is still missing and the peer is up.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/proto/control.hpp"
#include "core/proto/message.hpp"

namespace hb::proto {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Millis = std::chrono::milliseconds;

struct HistoryPolicy {
  std::size_t capacity = 500;  // heartbeat MAXMSGHIST
  Millis min_interval{240};    // heartbeat: max_rexmit_delay - 10
  std::size_t max_batch = 50;  // heartbeat 3 MAX_REXMIT_BATCH
  // hb: each message is resent at most this many times in all (0 = no limit), so whatever is
  // replayed at us, we never send more than (1 + max_resends) times what we sent.
  std::size_t max_resends = 0;
};

struct Nak {
  Seq seq = 0;
  std::string reason;  // "seqno too low", "seqno not found"
};

struct RexmitAnswer {
  std::vector<Message> resend;  // as originally sent (re-seal them), in seq order
  std::vector<Nak> naks;
  // Seqs held but not resent because of hb's limits: resent max_resends times already, or past
  // the caller's limit. (One resent less than min_interval ago is skipped without counting:
  // heartbeat does the same when two nodes ask for one message.)
  std::size_t limited = 0;
};

class SendHistory {
 public:
  explicit SendHistory(HistoryPolicy policy = {}) : policy_(policy) {}

  // Record a sequenced message as sent (without its auth field). Seqs must increase.
  void add(Seq seq, Message message);

  // At most `limit` resends and NAKs together (and never more than max_batch).
  RexmitAnswer on_request(Seq first, Seq last, TimePoint now, std::size_t limit = SIZE_MAX);
  // From a received NS_rexmit; a request without valid firstseq/lastseq gets nothing.
  RexmitAnswer on_request(const Message& request, TimePoint now, std::size_t limit = SIZE_MAX);

  std::size_t size() const { return entries_.size(); }
  Seq high_seq() const { return entries_.empty() ? 0 : entries_.back().seq; }

 private:
  struct Entry {
    Seq seq;
    Message message;
    std::optional<TimePoint> last_resent;
    std::size_t resends = 0;
  };
  HistoryPolicy policy_;
  std::deque<Entry> entries_;
  Seq low_seq_ = 0;  // the newest seq evicted: everything <= it is gone
};

struct RequestPolicy {
  Millis min_delay{50};
  Millis max_delay{250};  // heartbeat max_rexmit_delay: also the re-request interval
  Seq max_range = 50;     // consecutive due seqs are asked for in one request up to this many
};

struct RexmitRange {
  Seq first = 0;
  Seq last = 0;
};

class RexmitScheduler {
 public:
  explicit RexmitScheduler(RequestPolicy policy = {}, std::uint32_t seed = 1)
      : policy_(policy), random_(seed) {}

  // New gap [first, last]: each seq requested after its own random delay.
  void schedule(Seq first, Seq last, TimePoint now);
  void cancel(Seq seq) { due_.erase(seq); }
  void clear() { due_.clear(); }

  // The ranges to request now; each is re-armed max_delay later. When the peer is not up the
  // due entries are dropped instead: a dead node cannot answer.
  std::vector<RexmitRange> due(TimePoint now, bool peer_up);
  std::optional<TimePoint> next_deadline() const;
  std::size_t pending() const { return due_.size(); }

 private:
  RequestPolicy policy_;
  std::minstd_rand random_;
  std::map<Seq, TimePoint> due_;
};

}  // namespace hb::proto
