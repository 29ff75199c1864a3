// The hand-over point between hb-statusd's two sides: the Asio thread publishes an immutable
// View (snapshot plus its pre-rendered cluster document) and HTTP threads take the current one;
// neither ever waits for the other longer than a pointer copy.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/status/snapshot.hpp"

namespace hb::statusd {

struct View {
  status::Snapshot snapshot;
  std::string cluster_body;  // GET /api/v1/cluster, rendered once per change
  std::string cluster_etag;
};
using ViewPtr = std::shared_ptr<const View>;

class SnapshotStore {
 public:
  void publish(ViewPtr view) {
    std::lock_guard lock(mutex_);
    current_ = std::move(view);
  }
  ViewPtr current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

 private:
  mutable std::mutex mutex_;
  ViewPtr current_;
};

}  // namespace hb::statusd
