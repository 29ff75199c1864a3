// The event stream's pure parts: ids, SSE framing, event data, the bounded history (events.hpp).
#include "core/status/events.hpp"

#include <algorithm>
#include <charconv>

#include "core/status/render_json.hpp"

namespace hb::status {
namespace {

using nlohmann::json;

json state_or_null(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

json warnings_json(const std::vector<Warning>& ws) {
  json out = json::array();
  for (const auto& w : ws) out.push_back(json{{"code", w.code}, {"text", w.text}});
  return out;
}

bool contains(const std::vector<Warning>& ws, const Warning& w) {
  return std::any_of(ws.begin(), ws.end(),
                     [&](const Warning& x) { return x.code == w.code && x.text == w.text; });
}

std::optional<std::uint64_t> decimal(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string format_event_id(EventId id) {
  return std::to_string(id.epoch) + "-" + std::to_string(id.seq);
}

std::optional<EventId> parse_event_id(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto epoch = decimal(text.substr(0, dash));
  auto seq = decimal(text.substr(dash + 1));
  if (!epoch || !seq) return std::nullopt;
  return EventId{*epoch, *seq};
}

std::string sse_frame(const std::string& id, const std::string& event, std::string_view data) {
  std::string out = "id: " + id + "\nevent: " + event + "\n";
  for (;;) {
    const auto nl = data.find('\n');
    out += "data: ";
    out += data.substr(0, nl);
    out += '\n';
    if (nl == std::string_view::npos) break;
    data.remove_prefix(nl + 1);
  }
  out += '\n';
  return out;
}

std::string sse_comment(std::string_view text) {
  return ": " + std::string(text) + "\n\n";
}

std::string sse_retry(std::uint64_t milliseconds) {
  return "retry: " + std::to_string(milliseconds) + "\n\n";
}

json node_event(const std::string& node, const std::string& old_state, const std::string& new_state,
                std::uint64_t incarnation, std::int64_t unix_ms) {
  return json{{"node", node},
              {"old_state", state_or_null(old_state)},
              {"new_state", state_or_null(new_state)},
              {"incarnation", incarnation},
              {"time", rfc3339_ms(unix_ms)}};
}

json link_event(const std::string& node, const std::string& medium, const std::string& old_state,
                const std::string& new_state, std::int64_t unix_ms) {
  return json{{"node", node},
              {"medium", medium},
              {"old_state", state_or_null(old_state)},
              {"new_state", state_or_null(new_state)},
              {"time", rfc3339_ms(unix_ms)}};
}

json group_event(const std::string& key, const std::string& old_owner, const std::string& new_owner,
                 const std::string& old_state, const std::string& new_state, std::int64_t unix_ms) {
  return json{{"group", key},
              {"old_owner", state_or_null(old_owner)},
              {"new_owner", state_or_null(new_owner)},
              {"old_state", state_or_null(old_state)},
              {"new_state", state_or_null(new_state)},
              {"time", rfc3339_ms(unix_ms)}};
}

json pingnode_event(const std::string& address, const std::string& old_state,
                    const std::string& new_state, std::int64_t unix_ms) {
  return json{{"address", address},
              {"old_state", state_or_null(old_state)},
              {"new_state", state_or_null(new_state)},
              {"time", rfc3339_ms(unix_ms)}};
}

std::optional<json> warnings_event(const std::string& daemon, const std::vector<Warning>& before,
                                   const std::vector<Warning>& after, std::int64_t unix_ms) {
  std::vector<Warning> added, removed;
  for (const auto& w : after)
    if (!contains(before, w)) added.push_back(w);
  for (const auto& w : before)
    if (!contains(after, w)) removed.push_back(w);
  if (added.empty() && removed.empty()) return std::nullopt;
  return json{{"daemon", daemon},
              {"warnings", warnings_json(after)},
              {"added", warnings_json(added)},
              {"removed", warnings_json(removed)},
              {"time", rfc3339_ms(unix_ms)}};
}

EventLog::EventLog(std::uint64_t epoch, std::size_t capacity)
    : epoch_(epoch), capacity_(std::max<std::size_t>(1, capacity)) {}

const Event& EventLog::append(const std::string& type, const json& data) {
  Event e;
  e.seq = next_seq_++;
  e.type = type;
  e.frame = sse_frame(format_event_id({epoch_, e.seq}), type,
                      data.dump(-1, ' ', false, json::error_handler_t::replace));
  events_.push_back(std::move(e));
  while (events_.size() > capacity_) events_.pop_front();
  return events_.back();
}

EventLog::Resume EventLog::resume(std::string_view last_event_id) const {
  Resume r;
  if (last_event_id.empty()) return r;
  const auto id = parse_event_id(last_event_id);
  // The oldest seq a client may have seen and still be answered exactly: the one just before
  // the history's first event (or anything up to now when nothing was forgotten yet).
  const std::uint64_t first_kept = events_.empty() ? next_seq_ : events_.front().seq;
  if (!id || id->epoch != epoch_ || id->seq > last_seq() || id->seq + 1 < first_kept) {
    r.reset = true;
    return r;
  }
  for (const Event& e : events_)
    if (e.seq > id->seq) r.missed.push_back(e);
  return r;
}

std::string EventLog::current_id() const {
  return format_event_id({epoch_, last_seq()});
}

bool OutboundQueue::push(std::string frame) {
  if (overflowed_) return false;
  if (frames_.size() >= limit_) {
    frames_.clear();
    overflowed_ = true;
    return false;
  }
  frames_.push_back(std::move(frame));
  return true;
}

std::string OutboundQueue::take_all() {
  std::string out;
  for (auto& f : frames_) out += f;
  frames_.clear();
  return out;
}

}  // namespace hb::status
