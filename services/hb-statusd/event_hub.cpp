// The event stream's hand-over from the bus side to each open stream (event_hub.hpp).
#include "event_hub.hpp"

#include <algorithm>

namespace hb::statusd {

EventHub::EventHub(std::uint64_t epoch, Limits limits, const SnapshotStore& store)
    : limits_(limits), store_(store), log_(epoch, limits.history) {}

void EventHub::publish(const std::vector<std::pair<std::string, nlohmann::json>>& events) {
  if (events.empty()) return;
  std::lock_guard lock(mutex_);
  for (const auto& [type, data] : events) {
    const status::Event& e = log_.append(type, data);
    for (Stream* s : streams_) s->queue_.push(e.frame);
  }
  for (Stream* s : streams_) s->wake_.notify_one();
}

std::shared_ptr<EventHub::Stream> EventHub::open(const std::string& last_event_id) {
  std::lock_guard lock(mutex_);
  if (closed_ || streams_.size() >= limits_.max_streams) return nullptr;
  // The queue holds the replayed events too, so it may exceed its bound by one history.
  auto s = std::make_shared<Stream>(*this, limits_.queue + limits_.history + 2);
  // Reconnect after 2 s when the stream breaks (the browser's default is 3 s or more).
  s->queue_.push(status::sse_retry(2000));
  const auto resume = log_.resume(last_event_id);
  if (resume.reset) {
    // Every event up to current_id() is in the view already: the cache publishes a view before
    // the events it shows.
    const ViewPtr view = store_.current();
    s->queue_.push(status::sse_frame(log_.current_id(), "reset",
                                     view ? view->cluster_body : std::string("null")));
  }
  for (const auto& e : resume.missed) s->queue_.push(e.frame);
  streams_.push_back(s.get());
  return s;
}

void EventHub::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  for (Stream* s : streams_) {
    s->ended_ = true;
    s->wake_.notify_one();
  }
}

std::size_t EventHub::open_streams() const {
  std::lock_guard lock(mutex_);
  return streams_.size();
}

void EventHub::release(Stream& s) {
  std::lock_guard lock(mutex_);
  s.ended_ = true;
  streams_.erase(std::remove(streams_.begin(), streams_.end(), &s), streams_.end());
}

EventHub::Stream::Stream(EventHub& hub, std::size_t queue_limit)
    : hub_(&hub), queue_(queue_limit) {}

EventHub::Stream::~Stream() {
  end();
}

void EventHub::Stream::end() {
  hub_->release(*this);
}

bool EventHub::Stream::next(std::string& out, const std::function<bool()>& client_gone) {
  using namespace std::chrono;
  std::unique_lock lock(hub_->mutex_);
  const auto until = steady_clock::now() + hub_->limits_.keepalive;
  auto ready = [&] { return ended_ || !queue_.empty() || queue_.overflowed(); };
  while (!ready()) {
    const auto now = steady_clock::now();
    if (now >= until) break;
    wake_.wait_for(lock, std::min<steady_clock::duration>(until - now, seconds(1)), ready);
    if (!ready() && client_gone && client_gone()) return false;
  }
  if (ended_ || queue_.overflowed()) return false;
  out = queue_.empty() ? status::sse_comment("ping") : queue_.take_all();
  return true;
}

}  // namespace hb::statusd
