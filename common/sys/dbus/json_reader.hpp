// Any D-Bus value as JSON, for readers that take other daemons' objects as data (hb-statusd):
// numbers as numbers, strings and object paths as strings, arrays and structs as arrays,
// dictionaries as objects (keys as text), variants as what they hold.
#pragma once

#include <systemd/sd-bus.h>

#include <nlohmann/json.hpp>

#include "sys/dbus/message.hpp"

namespace hb::dbus {

// The next complete value of `m`. Throws std::system_error on a malformed message.
nlohmann::json read_json(sd_bus_message* m);

// A GetManagedObjects reply (a{oa{sa{sv}}}): {path: {interface: {property: value}}}.
nlohmann::json read_managed_objects(Message& reply);

// A Properties.GetAll reply (a{sv}): {property: value}.
nlohmann::json read_properties(Message& reply);

}  // namespace hb::dbus
