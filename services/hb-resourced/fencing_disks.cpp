// This node's sbd fencing disks together (fencing_disks.hpp).
#include "fencing_disks.hpp"

#include <algorithm>

#include "core/fence/disk_watch.hpp"

namespace hb::resourced {

FencingDisks::FencingDisks(boost::asio::io_context& io, const std::vector<std::string>& devices,
                           const std::string& node, const std::string& state_dir,
                           const std::string& runtime_dir, FencingDisk::Events events) {
  events.too_few_read = [this](const FencingDisk& d) { return too_few_read(d); };
  events.first_read = [this] { first_read(); };
  for (const std::string& device : devices)
    disks_.push_back(std::make_unique<FencingDisk>(io, device, node, state_dir, runtime_dir,
                                                   devices.size(), events));
}

std::string FencingDisks::trouble() const {
  std::string out;
  for (const auto& disk : disks_) {
    if (const std::string t = disk->trouble(); !t.empty()) out += (out.empty() ? "" : "; ") + t;
  }
  return out;
}

bool FencingDisks::too_few_read(const FencingDisk& past_bound) const {
  const auto lost = std::count_if(disks_.begin(), disks_.end(), [&](const auto& d) {
    return d.get() == &past_bound || d->lost();
  });
  return fence::too_few_read(static_cast<std::size_t>(lost), disks_.size());
}

void FencingDisks::first_read() const {
  if (std::all_of(disks_.begin(), disks_.end(), [](const auto& d) { return d->first_read_done(); }))
    disks_.front()->forget_obeyed_pill();
}

}  // namespace hb::resourced
