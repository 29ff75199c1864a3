// The event stream's pure parts (GET /api/v1/events): what one transition event says, how it is
// framed as Server-Sent Events, the bounded history that Last-Event-ID resumes from, and the
// bounded queue that stands between the history and one slow client. No clock, no I/O, no
// threads: the caller supplies times and does the locking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status/snapshot.hpp"

namespace hb::status {

// One event as it goes out: its place in this start's sequence and its SSE frame.
struct Event {
  std::uint64_t seq = 0;
  std::string type;   // node, link, group, pingnode, warnings
  std::string frame;  // "id: ...\nevent: ...\ndata: ...\n\n"
};

// An event id as SSE carries it: "<epoch>-<seq>".
struct EventId {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
};
std::string format_event_id(EventId id);
// Strict: two decimal numbers joined by one '-', nothing else; nullopt otherwise.
std::optional<EventId> parse_event_id(std::string_view text);

// One SSE event: the id, event and data fields and the blank line that ends it. A data text with
// line breaks becomes several data lines (a client joins them back with '\n').
std::string sse_frame(const std::string& id, const std::string& event, std::string_view data);
// A comment line the client ignores (keeps proxies and idle timeouts from closing the stream).
std::string sse_comment(std::string_view text);
// How long a client waits before reconnecting after the stream broke.
std::string sse_retry(std::uint64_t milliseconds);

// The data of each kind of event (docs/openapi.json, EventData). `unix_ms` is when hb-statusd
// heard of the change.
nlohmann::json node_event(const std::string& node, const std::string& old_state,
                          const std::string& new_state, std::uint64_t incarnation,
                          std::int64_t unix_ms);
nlohmann::json link_event(const std::string& node, const std::string& medium,
                          const std::string& old_state, const std::string& new_state,
                          std::int64_t unix_ms);
nlohmann::json group_event(const std::string& key, const std::string& old_owner,
                           const std::string& new_owner, const std::string& old_state,
                           const std::string& new_state, std::int64_t unix_ms);
nlohmann::json pingnode_event(const std::string& address, const std::string& old_state,
                              const std::string& new_state, std::int64_t unix_ms);
// A daemon's Warnings went from `before` to `after`; nullopt when they are the same set.
std::optional<nlohmann::json> warnings_event(const std::string& daemon,
                                             const std::vector<Warning>& before,
                                             const std::vector<Warning>& after,
                                             std::int64_t unix_ms);

// The last `capacity` events of one hb-statusd start, numbered from 1.
class EventLog {
 public:
  EventLog(std::uint64_t epoch, std::size_t capacity);

  // Numbers, frames and keeps the event (forgetting the oldest beyond capacity).
  const Event& append(const std::string& type, const nlohmann::json& data);

  // What a client that says `last_event_id` (empty: none) gets before the live events:
  //  * no id: nothing (live events only);
  //  * an id of this start still covered by the history: exactly the events after it;
  //  * an id of another start, malformed, from the future, or older than the history: a reset
  //    (the caller sends the whole state with reset_id(), then live events).
  struct Resume {
    bool reset = false;
    std::vector<Event> missed;
  };
  Resume resume(std::string_view last_event_id) const;

  // The id a reset (or any "up to here") carries: the last event's, or seq 0 before any.
  std::string current_id() const;
  std::uint64_t epoch() const { return epoch_; }
  std::uint64_t last_seq() const { return next_seq_ - 1; }

 private:
  std::uint64_t epoch_;
  std::size_t capacity_;
  std::uint64_t next_seq_ = 1;
  std::deque<Event> events_;
};

// The frames waiting for one client. Bounded: a client that lets more than `limit` frames pile
// up is too slow to follow the cluster, and is dropped (overflowed()) rather than slowing the
// producer or growing without end.
class OutboundQueue {
 public:
  explicit OutboundQueue(std::size_t limit) : limit_(limit) {}
  // False (and the queue emptied, overflowed() set) when the frame does not fit.
  bool push(std::string frame);
  // Everything queued, in order, as one string; empty when nothing is.
  std::string take_all();
  bool empty() const { return frames_.empty(); }
  bool overflowed() const { return overflowed_; }
  std::size_t size() const { return frames_.size(); }

 private:
  std::size_t limit_;
  std::deque<std::string> frames_;
  bool overflowed_ = false;
};

}  // namespace hb::status
