// String forms of the engine's enums: what D-Bus properties and journal fields show.
#include "core/failover/engine.hpp"

namespace hb::failover {

std::string_view to_string(AutoFailback mode) {
  switch (mode) {
    case AutoFailback::on:
      return "on";
    case AutoFailback::off:
      return "off";
    case AutoFailback::legacy:
      return "legacy";
  }
  return "?";
}

std::string_view to_string(NodeChange change) {
  switch (change) {
    case NodeChange::up:
      return "up";
    case NodeChange::dead:
      return "dead";
    case NodeChange::restarted:
      return "restarted";
    case NodeChange::clean_shutdown:
      return "clean_shutdown";
  }
  return "?";
}

std::string_view to_string(Result result) {
  switch (result) {
    case Result::started:
      return "started";
    case Result::start_failed:
      return "start_failed";
    case Result::stopped:
      return "stopped";
    case Result::stop_failed:
      return "stop_failed";
  }
  return "?";
}

std::string_view to_string(Scope scope) {
  switch (scope) {
    case Scope::all:
      return "all";
    case Scope::local:
      return "local";
    case Scope::foreign:
      return "foreign";
    case Scope::failback:
      return "failback";
  }
  return "?";
}

std::optional<Scope> parse_scope(std::string_view text) {
  if (text == "all") return Scope::all;
  if (text == "local") return Scope::local;
  if (text == "foreign") return Scope::foreign;
  if (text == "failback") return Scope::failback;
  return std::nullopt;
}

std::string_view to_string(GroupState state) {
  switch (state) {
    case GroupState::stopped:
      return "stopped";
    case GroupState::starting:
      return "starting";
    case GroupState::running:
      return "running";
    case GroupState::stopping:
      return "stopping";
    case GroupState::failed:
      return "failed";
  }
  return "?";
}

std::string_view to_string(LogKind kind) {
  switch (kind) {
    case LogKind::acquire:
      return "acquire";
    case LogKind::acquired:
      return "acquired";
    case LogKind::release:
      return "release";
    case LogKind::released:
      return "released";
    case LogKind::start_failed:
      return "start_failed";
    case LogKind::stop_failed:
      return "stop_failed";
    case LogKind::initial_done:
      return "initial_done";
    case LogKind::standby_request:
      return "standby_request";
    case LogKind::standby_done:
      return "standby_done";
    case LogKind::standby_cancelled:
      return "standby_cancelled";
    case LogKind::refused:
      return "refused";
    case LogKind::peer_dead:
      return "peer_dead";
    case LogKind::peer_returned:
      return "peer_returned";
    case LogKind::split_brain:
      return "split_brain";
    case LogKind::shutdown_begin:
      return "shutdown_begin";
    case LogKind::shutdown_complete:
      return "shutdown_complete";
    case LogKind::daemons_lost:
      return "daemons_lost";
    case LogKind::daemons_back:
      return "daemons_back";
    case LogKind::waiting:
      return "waiting";
  }
  return "?";
}

}  // namespace hb::failover
