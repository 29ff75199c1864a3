// Trampolines between sd-bus' C callbacks and C++ members. Each one catches every exception
// into the sd_bus_error (exceptions must never unwind through sd-bus), so a handler just
// throws hb::dbus::Error or lets a std::system_error escape.
//
//   SD_BUS_PROPERTY("State", "s", hb::dbus::property<&Node::state>, 0,
//                   SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
//   SD_BUS_METHOD_WITH_ARGS("Standby", SD_BUS_ARGS("s", which), SD_BUS_NO_RESULT,
//                           hb::dbus::method<&Manager::standby>, 0),
//
// The userdata given to Bus::add_object_vtable is the object; property offsets stay 0.
#pragma once

#include <systemd/sd-bus.h>

#include <functional>
#include <type_traits>

#include "sys/dbus/error.hpp"
#include "sys/dbus/message.hpp"

namespace hb::dbus {

namespace detail {
template <class>
struct MemberOf;
template <class T, class R>
struct MemberOf<R T::*> {
  using type = T;
};
}  // namespace detail

// A method handler `Message T::f(Message& call)` returns the reply it built from
// call.new_reply(); the trampoline sends it.
template <auto Fn>
int method(sd_bus_message* m, void* userdata, sd_bus_error* error) noexcept {
  using T = typename detail::MemberOf<decltype(Fn)>::type;
  try {
    Message call(m);
    Message reply = (static_cast<T*>(userdata)->*Fn)(call);
    return check(sd_bus_send(nullptr, reply.get(), nullptr), "send reply");
  } catch (...) {
    return store_current_exception(error);
  }
}

// A property getter: `Member` is a data member (`std::string Node::state`) or a const member
// function without arguments; the value is appended with Message::append, so its C++ type picks
// the D-Bus type, which must match the signature in the vtable.
template <auto Member>
int property(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void* userdata,
             sd_bus_error* error) noexcept {
  using T = typename detail::MemberOf<decltype(Member)>::type;
  try {
    Message r(reply);
    r.append(std::invoke(Member, *static_cast<const T*>(userdata)));
    return 1;
  } catch (...) {
    return store_current_exception(error);
  }
}

// A property setter `void T::f(Message& value)`: reads the value and applies it, or throws.
template <auto Fn>
int property_set(sd_bus*, const char*, const char*, const char*, sd_bus_message* value,
                 void* userdata, sd_bus_error* error) noexcept {
  using T = typename detail::MemberOf<decltype(Fn)>::type;
  try {
    Message v(value);
    (static_cast<T*>(userdata)->*Fn)(v);
    return 1;
  } catch (...) {
    return store_current_exception(error);
  }
}

}  // namespace hb::dbus
