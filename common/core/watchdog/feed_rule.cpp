// The watchdog's feeding rule and the names of its states (feed_rule.hpp).
#include "core/watchdog/feed_rule.hpp"

#include <array>

#include "core/util/enum_names.hpp"

namespace hb::watchdog {
namespace {

constexpr auto state_names = std::to_array<util::EnumName<State>>({
    {State::off, "off"},
    {State::waiting, "waiting"},
    {State::armed, "armed"},
    {State::starving, "starving"},
    {State::disarmed, "disarmed"},
    {State::held_by_pid1, "held-by-pid1"},
    {State::held_elsewhere, "held-elsewhere"},
    {State::unavailable, "unavailable"},
});
static_assert(util::names_are_complete(state_names));

std::string ms_since(TimePoint then, TimePoint now) {
  return std::to_string(std::chrono::duration_cast<Millis>(now - then).count()) + " ms";
}

}  // namespace

const char* to_string(State state) {
  return util::to_string(state_names, state);
}

FeedRule::FeedRule(FeedTiming timing) : timing_(timing) {}

void FeedRule::resourced_answered(TimePoint now) {
  if (!last_answer_ || now > *last_answer_) last_answer_ = now;
}

bool FeedRule::answer_fresh(TimePoint now) const {
  return last_answer_ && now - *last_answer_ <= timing_.answer_bound;
}

bool FeedRule::own_status_heard(TimePoint now) {
  last_own_heard_ = now;
  if (!answer_fresh(now)) return false;
  last_feed_ = now;
  return true;
}

bool FeedRule::starving(TimePoint now) const {
  return last_feed_ && now - *last_feed_ > timing_.answer_bound;
}

std::string FeedRule::why_withheld(TimePoint now) const {
  std::string why;
  if (!last_answer_)
    why = "hb-resourced has not answered yet";
  else if (!answer_fresh(now))
    why = "hb-resourced has not answered for " + ms_since(*last_answer_, now);
  const bool heard_recently = last_own_heard_ && now - *last_own_heard_ <= timing_.answer_bound;
  if (!heard_recently) {
    if (!why.empty()) why += "; ";
    why += last_own_heard_ ? "no own heartbeat heard back for " + ms_since(*last_own_heard_, now)
                           : "no own heartbeat heard back yet";
  }
  return why;
}

std::optional<TimePoint> FeedRule::reset_at() const {
  if (!last_feed_) return std::nullopt;
  return *last_feed_ + timing_.timeout;
}

}  // namespace hb::watchdog
