// How failures cross the sd-bus boundary: negative errno becomes std::system_error on our side,
// and every exception a handler throws becomes an sd_bus_error on the wire.
#pragma once

#include <systemd/sd-bus.h>

#include <stdexcept>
#include <string>

namespace hb::dbus {

// A D-Bus error a handler wants the caller to see by name, e.g.
// throw Error(SD_BUS_ERROR_INVALID_ARGS, "unknown node ha3").
class Error : public std::runtime_error {
 public:
  Error(std::string name, const std::string& message)
      : std::runtime_error(message), name_(std::move(name)) {}
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// org.freedesktop.DBus.Error.NotSupported: methods a later issue implements.
[[noreturn]] void throw_not_supported(const char* what);

// r < 0: throws std::system_error(-r) saying `what`; returns r otherwise.
int check(int r, const char* what);

// Call inside a catch block: stores the current exception in `error` and returns the negative
// errno sd-bus expects from a callback. Exceptions must never unwind through sd-bus' C frames.
int store_current_exception(sd_bus_error* error) noexcept;

}  // namespace hb::dbus
