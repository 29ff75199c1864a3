// String forms of the engine's enums: what D-Bus properties and journal fields show. One table
// per enum (core/util/enum_names.hpp); the spellings are part of the bus and journal contract.
#include "core/failover/engine.hpp"
#include "core/util/enum_names.hpp"

namespace hb::failover {
namespace {

using util::EnumName;

constexpr std::array<EnumName<AutoFailback>, 3> auto_failback_names{{
    {AutoFailback::on, "on"},
    {AutoFailback::off, "off"},
    {AutoFailback::legacy, "legacy"},
}};
constexpr std::array<EnumName<NodeChange>, 4> node_change_names{{
    {NodeChange::up, "up"},
    {NodeChange::dead, "dead"},
    {NodeChange::restarted, "restarted"},
    {NodeChange::clean_shutdown, "clean_shutdown"},
}};
constexpr std::array<EnumName<Result>, 4> result_names{{
    {Result::started, "started"},
    {Result::start_failed, "start_failed"},
    {Result::stopped, "stopped"},
    {Result::stop_failed, "stop_failed"},
}};
constexpr std::array<EnumName<Scope>, 4> scope_names{{
    {Scope::all, "all"},
    {Scope::local, "local"},
    {Scope::foreign, "foreign"},
    {Scope::failback, "failback"},
}};
constexpr std::array<EnumName<GroupState>, 6> group_state_names{{
    {GroupState::stopped, "stopped"},
    {GroupState::starting, "starting"},
    {GroupState::running, "running"},
    {GroupState::stopping, "stopping"},
    {GroupState::failed, "failed"},
    {GroupState::fencing, "fencing"},
}};
constexpr std::array<EnumName<LogKind>, 25> log_kind_names{{
    {LogKind::acquire, "acquire"},
    {LogKind::acquired, "acquired"},
    {LogKind::release, "release"},
    {LogKind::released, "released"},
    {LogKind::start_failed, "start_failed"},
    {LogKind::stop_failed, "stop_failed"},
    {LogKind::initial_done, "initial_done"},
    {LogKind::standby_request, "standby_request"},
    {LogKind::standby_done, "standby_done"},
    {LogKind::standby_cancelled, "standby_cancelled"},
    {LogKind::refused, "refused"},
    {LogKind::peer_dead, "peer_dead"},
    {LogKind::peer_returned, "peer_returned"},
    {LogKind::split_brain, "split_brain"},
    {LogKind::shutdown_begin, "shutdown_begin"},
    {LogKind::shutdown_complete, "shutdown_complete"},
    {LogKind::daemons_lost, "daemons_lost"},
    {LogKind::daemons_back, "daemons_back"},
    {LogKind::waiting, "waiting"},
    {LogKind::fence, "fence"},
    {LogKind::fenced, "fenced"},
    {LogKind::fence_failed, "fence_failed"},
    {LogKind::self_fence, "self_fence"},
    {LogKind::wait_for_peer, "wait_for_peer"},
    {LogKind::two_holder_window, "two_holder_window"},
}};
static_assert(util::names_are_complete(auto_failback_names) &&
              util::names_are_complete(node_change_names) &&
              util::names_are_complete(result_names) && util::names_are_complete(scope_names) &&
              util::names_are_complete(group_state_names) &&
              util::names_are_complete(log_kind_names));

}  // namespace

std::string_view to_string(AutoFailback mode) {
  return util::to_string(auto_failback_names, mode, "?");
}
std::string_view to_string(NodeChange change) {
  return util::to_string(node_change_names, change, "?");
}
std::string_view to_string(Result result) {
  return util::to_string(result_names, result, "?");
}
std::string_view to_string(Scope scope) {
  return util::to_string(scope_names, scope, "?");
}
std::optional<Scope> parse_scope(std::string_view text) {
  return util::parse(scope_names, text);
}
std::string_view to_string(GroupState state) {
  return util::to_string(group_state_names, state, "?");
}
std::string_view to_string(LogKind kind) {
  return util::to_string(log_kind_names, kind, "?");
}

}  // namespace hb::failover
