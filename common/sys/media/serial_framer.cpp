#include "serial_framer.hpp"

namespace hb::linkd {

std::vector<std::string> SerialFramer::feed(std::string_view bytes) {
  std::vector<std::string> out;
  for (const char c : bytes) {
    if (c == '\r') continue;
    if (c == '\n') {
      if (!skipping_line_) line(partial_, out);
      partial_.clear();
      skipping_line_ = false;
      continue;
    }
    if (skipping_line_) continue;
    partial_.push_back(c);
    if (partial_.size() + frame_.size() > max_frame_) {
      // Bounded memory whatever arrives: drop the line, and the frame it was part of.
      if (in_frame_) ++oversized_;
      partial_.clear();
      frame_.clear();
      in_frame_ = false;
      skipping_line_ = true;
    }
  }
  return out;
}

void SerialFramer::line(std::string_view text, std::vector<std::string>& out) {
  if (text == ">>>") {
    // A new start inside a frame means the previous one was cut short: resynchronise here.
    frame_ = ">>>\n";
    in_frame_ = true;
    return;
  }
  if (!in_frame_) return;
  frame_.append(text);
  frame_.push_back('\n');
  if (frame_.size() > max_frame_) {
    ++oversized_;
    frame_.clear();
    in_frame_ = false;
    return;
  }
  if (text == "<<<") {
    out.push_back(std::move(frame_));
    frame_.clear();
    in_frame_ = false;
  }
}

}  // namespace hb::linkd
