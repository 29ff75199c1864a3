// hb-membershipd: decides node state (init, up, dead) from hb-linkd's link transitions, peer
// restarts and clean-shutdown announcements, and publishes it on
// io.github.hbcluster.membership1 (Node objects, NodeChanged) and in the journal.
#include <algorithm>
#include <memory>

#include "link_follower.hpp"
#include "membership.hpp"
#include "membershipd_bus.hpp"
#include "ping_follower.hpp"
#include "sys/config/reload.hpp"
#include "sys/daemon.hpp"
#include "sys/dbus/names.hpp"
#include "sys/realtime.hpp"

namespace {

// heartbeat's default real-time priority; below the kernel's threaded IRQs (50).
constexpr int rt_priority = 10;

struct Objects {
  hb::membershipd::State state;
  std::unique_ptr<hb::sys::ConfigReload> reload;
  std::unique_ptr<hb::membershipd::BusObjects> bus;
  std::unique_ptr<hb::membershipd::Membership> membership;
  std::unique_ptr<hb::membershipd::LinkFollower> follower;
  std::unique_ptr<hb::membershipd::PingFollower> pings;
};

}  // namespace

int main(int argc, char** argv) {
  hb::sys::DaemonSpec spec{"hb-membershipd", "hb cluster membership: decides which nodes are up",
                           hb::dbus::names::membership1::bus, hb::dbus::names::membership1::root};
  return hb::sys::run_daemon(spec, argc, argv, [](hb::sys::DaemonContext& ctx) {
    if (ctx.config.ha_cf.realtime)
      hb::sys::go_realtime(rt_priority, "a loaded machine may delay node verdicts");
    auto o = std::make_shared<Objects>();
    o->state = hb::membershipd::initial_state(ctx.config);
    // Of what hb-membershipd uses, the ping nodes reload live (its ping Nodes added and
    // removed); its Reload checks with the others (so `hbctl reload` refuses a change to the
    // nodes) and takes the new files.
    o->reload =
        std::make_unique<hb::sys::ConfigReload>("hb-membershipd", ctx.config, ctx.load_again);
    o->bus =
        std::make_unique<hb::membershipd::BusObjects>(ctx.bus, o->state, [o = o.get()](bool apply) {
          auto plan = o->reload->check();
          auto applied = plan.answer();
          if (!apply || !plan.changed) return applied;
          const auto touches = [&](const char* s) {
            return std::find(plan.applied.begin(), plan.applied.end(), s) != plan.applied.end();
          };
          if (touches("ping") || touches("ping_group")) o->membership->set_ping_nodes(plan.next);
          o->reload->commit(std::move(plan));
          return applied;
        });
    o->membership = std::make_unique<hb::membershipd::Membership>(ctx.config, o->state, *o->bus,
                                                                  ctx.set_status);
    auto* m = o->membership.get();
    o->follower = std::make_unique<hb::membershipd::LinkFollower>(
        ctx.bus, hb::membershipd::LinkFollower::Handlers{
                     [m](const std::string& node, const std::string& medium,
                         const std::string& old_state, const std::string& new_state) {
                       m->link_changed(node, medium, old_state, new_state);
                     },
                     [m](const std::string& node, std::uint64_t generation) {
                       m->peer_restarted(node, generation);
                     },
                     [m](const std::string& node) { m->shutdown(node); },
                     [m](const hb::membershipd::LinkSnapshot& s) { m->snapshot(s); },
                     [m] { m->linkd_absent(); },
                     [m](const std::string& node, const std::string& medium) {
                       m->link_removed(node, medium);
                     }});
    o->pings = std::make_unique<hb::membershipd::PingFollower>(
        ctx.bus, hb::membershipd::PingFollower::Handlers{
                     [m](const std::string& address, const std::string& state) {
                       m->ping_node(address, state);
                     },
                     [m] { m->ping_nodes_unwatched(); }});
    // READY=1 (sent once the name is ours) must mean "the membership is as good as hb-linkd
    // knows it", so let the loop run until the first snapshot is answered or hb-linkd is found
    // absent. Only asynchronous calls are in flight, each with a deadline, so this ends.
    while (!o->follower->first_attempt_done() && !ctx.io.stopped()) ctx.io.run_one();
    hb::sys::DaemonParts parts;
    parts.status = o->membership->status();
    parts.objects = std::move(o);
    return parts;
  });
}
