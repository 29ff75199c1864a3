// The small sd-bus pieces hbctl's blocking readers share (status, watch, cl_status): owning
// handles for a bus and a message, and whether a name has an owner on the bus.
#pragma once

#include <systemd/sd-bus.h>

#include <memory>

namespace hb::hbctl {

struct BusDeleter {
  void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
};
struct MsgDeleter {
  void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
using BusPtr = std::unique_ptr<sd_bus, BusDeleter>;
using MsgPtr = std::unique_ptr<sd_bus_message, MsgDeleter>;

// Is the name on the bus? (A daemon takes its name last, once it is ready.)
inline bool has_owner(sd_bus* bus, const char* name) {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                             "org.freedesktop.DBus", "NameHasOwner", &e, &reply, "s", name);
  sd_bus_error_free(&e);
  if (r < 0) return false;
  MsgPtr owned(reply);
  int yes = 0;
  return sd_bus_message_read(reply, "b", &yes) >= 0 && yes;
}

}  // namespace hb::hbctl
