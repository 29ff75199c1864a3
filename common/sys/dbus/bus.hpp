// RAII over an sd_bus connection. Everything that may queue output or add a reply deadline
// (send, call_async, emit_*) notifies the attached driver, so no caller can forget to wake the
// event loop. Daemons never make blocking calls through this class.
#pragma once

#include <systemd/sd-bus.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

#include "sys/dbus/message.hpp"

namespace hb::dbus {

// A registration (vtable, match, pending call, object manager); dropping it unregisters.
class Slot {
 public:
  Slot() = default;
  explicit Slot(sd_bus_slot* s) : s_(s) {}
  sd_bus_slot* get() const { return s_.get(); }
  explicit operator bool() const { return bool(s_); }

 private:
  struct Unref {
    void operator()(sd_bus_slot* s) const { sd_bus_slot_unref(s); }
  };
  std::unique_ptr<sd_bus_slot, Unref> s_;
};

class Bus {
 public:
  // Reply to a call_async/request_name_async: `reply.error()` is set when the call failed.
  using ReplyHandler = std::function<void(Message& reply)>;
  using MessageHandler = std::function<void(Message& message)>;

  // The system bus, or DBUS_SYSTEM_BUS_ADDRESS when set (tests point it at a private daemon).
  static Bus open_system();
  // An already set-up connection (e.g. one end of a socketpair in a test); takes ownership.
  static Bus adopt(sd_bus* bus);

  sd_bus* get() const { return bus_.get(); }

  // Set by AsioBusDriver: called after anything that may need the loop's attention.
  void set_activity_hook(std::function<void()> hook) { hook_ = std::move(hook); }

  Slot add_object_vtable(const std::string& path, const std::string& interface,
                         const sd_bus_vtable* vtable, void* userdata);
  Slot add_object_manager(const std::string& path);
  // Calls `handler` for every message matching `rule` (signals of other hb daemons).
  Slot add_match(const std::string& rule, MessageHandler handler);

  // RequestName without queueing; the reply's uint32 is the D-Bus RequestName result.
  Slot request_name_async(const std::string& name, ReplyHandler handler);

  Message new_method_call(const std::string& destination, const std::string& path,
                          const std::string& interface, const std::string& member);
  Message new_signal(const std::string& path, const std::string& interface,
                     const std::string& member);

  void send(Message& message);
  // timeout_usec 0: sd-bus' default (25 s).
  Slot call_async(Message& call, ReplyHandler handler, std::uint64_t timeout_usec = 0);

  void emit_properties_changed(const std::string& path, const std::string& interface,
                               std::initializer_list<const char*> properties);
  void emit_object_added(const std::string& path);
  void emit_object_removed(const std::string& path);

  std::string unique_name() const;

 private:
  struct Close {
    void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
  };
  explicit Bus(sd_bus* b) : bus_(b) {}
  void activity() {
    if (hook_) hook_();
  }
  std::unique_ptr<sd_bus, Close> bus_;
  std::function<void()> hook_;
};

// sd_bus_path_encode: "ha1.haw2.ibm.com" under ".../node" -> ".../node/ha1_2ehaw2_2eibm_2ecom".
std::string object_path(const std::string& prefix, const std::string& name);

}  // namespace hb::dbus
