// One bus object per element of a list (at the element's `path`, one interface and vtable, the
// element itself the userdata), kept in step when a reload replaces the list: objects no longer
// listed go (InterfacesRemoved), new ones come (InterfacesAdded), kept ones stay without a signal.
// hb-membershipd's Nodes and ipfaild's PingNodes are such lists.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "sys/dbus/bus.hpp"

namespace hb::dbus {

template <class T>
class ObjectList {
 public:
  ObjectList(Bus& bus, std::string interface, const sd_bus_vtable* vtable)
      : bus_(bus), interface_(std::move(interface)), vtable_(vtable) {}

  // Registers an object for every element of `items`, which the objects then point into.
  void attach(std::vector<T>& items) {
    slots_.clear();
    for (T& item : items)
      slots_.push_back(bus_.add_object_vtable(item.path, interface_, vtable_, &item));
  }

  // `next` becomes `items`, with the signals above.
  void replace(std::vector<T>& items, std::vector<T> next) {
    auto listed = [](const std::vector<T>& list, const T& item) {
      return std::any_of(list.begin(), list.end(), [&](const T& x) { return x.path == item.path; });
    };
    // InterfacesRemoved lists the object's interfaces, so it goes out while it is registered.
    for (const T& item : items)
      if (!listed(next, item)) bus_.emit_object_removed(item.path);
    const std::vector<T> before = std::move(items);
    items = std::move(next);
    // The vtables point into the vector just replaced: every one is registered again, at once
    // (nothing is dispatched in between, so no client sees a kept object go).
    attach(items);
    for (const T& item : items)
      if (!listed(before, item)) bus_.emit_object_added(item.path);
  }

 private:
  Bus& bus_;
  std::string interface_;
  const sd_bus_vtable* vtable_;
  std::vector<Slot> slots_;  // one per element, in order
};

}  // namespace hb::dbus
