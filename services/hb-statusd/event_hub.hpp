// The event stream's hand-over between hb-statusd's two sides: the Asio thread appends events
// (never waiting on a client), each open stream (one HTTP thread) takes its frames from its own
// bounded queue. It caps the number of open streams, and answers Last-Event-ID from the bounded
// history (core/status/events.hpp) under the same lock that orders the live events, so a resumed
// client sees every event exactly once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status/events.hpp"
#include "snapshot_store.hpp"

namespace hb::statusd {

class EventHub {
 public:
  struct Limits {
    std::size_t max_streams = 16;
    std::size_t history = 1024;  // events Last-Event-ID can resume from
    std::size_t queue = 256;     // frames one client may fall behind before it is dropped
    std::chrono::milliseconds keepalive{15000};  // ": ping" on a stream this long quiet
  };

  class Stream;

  EventHub(std::uint64_t epoch, Limits limits, const SnapshotStore& store);
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // Asio thread: numbers the events, keeps them, queues them for every open stream.
  void publish(const std::vector<std::pair<std::string, nlohmann::json>>& events);

  // HTTP thread: a new stream that first gets what `last_event_id` missed (or a reset with the
  // whole cluster document); nullptr when max_streams are open already.
  std::shared_ptr<Stream> open(const std::string& last_event_id);

  // Ends every stream (their threads return at once) and refuses new ones: at shutdown.
  void close();

  std::size_t open_streams() const;
  const Limits& limits() const { return limits_; }

 private:
  friend class Stream;
  void release(Stream& s);

  const Limits limits_;
  const SnapshotStore& store_;
  mutable std::mutex mutex_;
  status::EventLog log_;
  std::vector<Stream*> streams_;
  bool closed_ = false;
};

// One client's stream; its HTTP thread calls next() until it returns false.
class EventHub::Stream {
 public:
  Stream(EventHub& hub, std::size_t queue_limit);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Waits up to the keep-alive interval: the queued frames, or a keep-alive comment when none
  // came. False when the stream is over: the client fell too far behind, the hub closed, or
  // `client_gone` (asked about once a second while nothing comes) says the client left.
  bool next(std::string& out, const std::function<bool()>& client_gone = {});
  // The stream ended (the client went away): frees its place at once.
  void end();

 private:
  friend class EventHub;
  EventHub* hub_;
  std::condition_variable wake_;
  status::OutboundQueue queue_;  // guarded by the hub's mutex
  bool ended_ = false;
};

}  // namespace hb::statusd
