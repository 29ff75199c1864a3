#include "sys/dbus/bus.hpp"

#include <cstdlib>
#include <vector>

#include "sys/dbus/error.hpp"
#include "sys/log.hpp"

namespace hb::dbus {
namespace {

// Heap-held handlers live as long as their slot: sd-bus calls the destroy callback when the
// slot goes, whether the reply came or not.
template <class H>
sd_bus_slot* attach(sd_bus_slot* slot, H* handler) {
  sd_bus_slot_set_userdata(slot, handler);
  sd_bus_slot_set_destroy_callback(slot, [](void* p) { delete static_cast<H*>(p); });
  return slot;
}

int on_message(sd_bus_message* m, void* userdata, sd_bus_error*) noexcept {
  try {
    Message msg(m);
    (*static_cast<Bus::MessageHandler*>(userdata))(msg);
  } catch (const std::exception& e) {
    // Not a method handler: nobody to reply to, so the loop must go on.
    hb::log::error(hb::log::msgid::handler_failed,
                   std::string("D-Bus handler failed: ") + e.what());
  } catch (...) {
    hb::log::error(hb::log::msgid::handler_failed, "D-Bus handler failed");
  }
  return 0;
}

}  // namespace

Bus Bus::open_system() {
  sd_bus* b = nullptr;
  check(sd_bus_open_system(&b), "connect to the system bus");
  return Bus(b);
}

Bus Bus::adopt(sd_bus* bus) {
  return Bus(bus);
}

Slot Bus::add_object_vtable(const std::string& path, const std::string& interface,
                            const sd_bus_vtable* vtable, void* userdata) {
  sd_bus_slot* s = nullptr;
  check(sd_bus_add_object_vtable(get(), &s, path.c_str(), interface.c_str(), vtable, userdata),
        "sd_bus_add_object_vtable");
  return Slot(s);
}

Slot Bus::add_object_manager(const std::string& path) {
  sd_bus_slot* s = nullptr;
  check(sd_bus_add_object_manager(get(), &s, path.c_str()), "sd_bus_add_object_manager");
  return Slot(s);
}

Slot Bus::add_match(const std::string& rule, MessageHandler handler) {
  auto* h = new MessageHandler(std::move(handler));
  sd_bus_slot* s = nullptr;
  int r = sd_bus_add_match_async(get(), &s, rule.c_str(), on_message, nullptr, h);
  if (r < 0) delete h;
  check(r, "sd_bus_add_match_async");
  activity();
  return Slot(attach(s, h));
}

Slot Bus::request_name_async(const std::string& name, ReplyHandler handler) {
  auto* h = new ReplyHandler(std::move(handler));
  sd_bus_slot* s = nullptr;
  int r = sd_bus_request_name_async(get(), &s, name.c_str(), 0, on_message, h);
  if (r < 0) delete h;
  check(r, "sd_bus_request_name_async");
  activity();
  return Slot(attach(s, h));
}

Message Bus::new_method_call(const std::string& destination, const std::string& path,
                             const std::string& interface, const std::string& member) {
  sd_bus_message* m = nullptr;
  // No destination: a peer-to-peer connection, where there is no bus to route by name.
  check(
      sd_bus_message_new_method_call(get(), &m, destination.empty() ? nullptr : destination.c_str(),
                                     path.c_str(), interface.c_str(), member.c_str()),
      "sd_bus_message_new_method_call");
  return Message::adopt(m);
}

Message Bus::new_signal(const std::string& path, const std::string& interface,
                        const std::string& member) {
  sd_bus_message* m = nullptr;
  check(sd_bus_message_new_signal(get(), &m, path.c_str(), interface.c_str(), member.c_str()),
        "sd_bus_message_new_signal");
  return Message::adopt(m);
}

void Bus::send(Message& message) {
  check(sd_bus_send(get(), message.get(), nullptr), "sd_bus_send");
  activity();
}

Slot Bus::call_async(Message& call, ReplyHandler handler, std::uint64_t timeout_usec) {
  auto* h = new ReplyHandler(std::move(handler));
  sd_bus_slot* s = nullptr;
  int r = sd_bus_call_async(get(), &s, call.get(), on_message, h, timeout_usec);
  if (r < 0) delete h;
  check(r, "sd_bus_call_async");
  activity();
  return Slot(attach(s, h));
}

void Bus::emit_properties_changed(const std::string& path, const std::string& interface,
                                  std::initializer_list<const char*> properties) {
  std::vector<char*> names;
  for (const char* p : properties) names.push_back(const_cast<char*>(p));
  names.push_back(nullptr);
  check(sd_bus_emit_properties_changed_strv(get(), path.c_str(), interface.c_str(), names.data()),
        "sd_bus_emit_properties_changed");
  activity();
}

void Bus::emit_object_added(const std::string& path) {
  check(sd_bus_emit_object_added(get(), path.c_str()), "sd_bus_emit_object_added");
  activity();
}

void Bus::emit_object_removed(const std::string& path) {
  check(sd_bus_emit_object_removed(get(), path.c_str()), "sd_bus_emit_object_removed");
  activity();
}

std::string Bus::unique_name() const {
  const char* n = nullptr;
  check(sd_bus_get_unique_name(get(), &n), "sd_bus_get_unique_name");
  return n;
}

std::string object_path(const std::string& prefix, const std::string& name) {
  char* p = nullptr;
  check(sd_bus_path_encode(prefix.c_str(), name.c_str(), &p), "sd_bus_path_encode");
  std::string out(p);
  std::free(p);
  return out;
}

}  // namespace hb::dbus
