// heartbeat's serial framing, reading side: lines from ">>>" to "<<<" make one message; anything
// outside a frame (line noise, a half frame from before we opened) is skipped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hb::linkd {

class SerialFramer {
 public:
  // A frame (or garbage line) longer than `max_frame` bytes is dropped whole.
  explicit SerialFramer(std::size_t max_frame = 64 * 1024) : max_frame_(max_frame) {}

  // Feed raw bytes; returns the complete frames they finish, each ">>>\n...<<<\n" exactly as a
  // classic message reads (carriage returns dropped, as heartbeat's IGNCR does).
  std::vector<std::string> feed(std::string_view bytes);

  // Frames dropped for exceeding max_frame (for counters).
  std::size_t oversized() const { return oversized_; }

 private:
  void line(std::string_view text, std::vector<std::string>& out);

  std::size_t max_frame_;
  std::string partial_;  // the current line so far
  std::string frame_;    // the frame so far, while in_frame_
  bool in_frame_ = false;
  bool skipping_line_ = false;  // the current line already overflowed
  std::size_t oversized_ = 0;
};

}  // namespace hb::linkd
