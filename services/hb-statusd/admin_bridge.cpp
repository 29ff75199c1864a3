// Admin calls from HTTP threads to hb-resourced through the Asio thread (admin_bridge.hpp).
#include "admin_bridge.hpp"

#include <boost/asio/post.hpp>
#include <future>
#include <memory>

#include "sys/dbus/names.hpp"

namespace hb::statusd {

namespace names = hb::dbus::names::resource1;

AdminReply AdminBridge::call(const std::string& method, const std::vector<std::string>& args) {
  // Shared by this thread, the posted work and the reply handler: whichever ends last frees it.
  struct Pending {
    std::promise<AdminReply> promise;
    dbus::Slot slot;
  };
  auto pending = std::make_shared<Pending>();
  std::future<AdminReply> reply = pending->promise.get_future();
  const auto usec = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(timeout_).count());
  boost::asio::post(io_, [this, pending, method, args, usec] {
    try {
      dbus::Message m = bus_.new_method_call(names::bus, names::root, names::manager, method);
      for (const auto& a : args) m.append(a);
      pending->slot = bus_.call_async(
          m,
          [this, pending](dbus::Message& answer) {
            AdminReply r;
            if (const sd_bus_error* e = answer.error()) {
              r.error_name = e->name ? e->name : "";
              r.message = e->message ? e->message : r.error_name;
            } else {
              r.ok = true;
            }
            pending->promise.set_value(std::move(r));
            // The slot goes after this handler has returned (it owns the handler).
            boost::asio::post(io_, [pending] { pending->slot = dbus::Slot(); });
          },
          usec);
    } catch (const std::exception& e) {
      pending->promise.set_value(AdminReply{false, SD_BUS_ERROR_FAILED, e.what()});
    }
  });
  // A little longer than the bus' own timeout, which answers first when the bus is alive.
  if (reply.wait_for(timeout_ + std::chrono::seconds(1)) != std::future_status::ready)
    return AdminReply{false, SD_BUS_ERROR_NO_REPLY, "hb-resourced did not answer in time"};
  return reply.get();
}

}  // namespace hb::statusd
