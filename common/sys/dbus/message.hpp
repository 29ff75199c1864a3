// An owning handle on an sd_bus_message with typed append/read for the signatures hb uses.
// Every call checks sd-bus' return value and throws std::system_error, so handlers read straight
// through and the vtable trampoline turns a failure into a D-Bus error.
#pragma once

#include <systemd/sd-bus.h>

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace hb::dbus {

class Message {
 public:
  Message() = default;
  // Takes a new reference on `m` (sd-bus keeps its own).
  explicit Message(sd_bus_message* m) : m_(m ? sd_bus_message_ref(m) : nullptr) {}
  // Adopts the reference the caller holds (sd_bus_message_new_* results).
  static Message adopt(sd_bus_message* m);
  Message(const Message& o) : Message(o.m_) {}
  Message(Message&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
  Message& operator=(Message o) noexcept {
    std::swap(m_, o.m_);
    return *this;
  }
  ~Message() { sd_bus_message_unref(m_); }

  sd_bus_message* get() const { return m_; }
  explicit operator bool() const { return m_ != nullptr; }

  // A method return for this call (empty until appended to).
  Message new_reply() const;

  // s, o (as string), t, u, i, b, d, as, a{ss}, a{st}, a(ss), a(sss)
  Message& append(const std::string& v);
  Message& append(const char* v);
  Message& append(std::uint64_t v);
  Message& append(std::uint32_t v);
  Message& append(std::int32_t v);
  Message& append(bool v);
  Message& append(double v);
  Message& append(const std::vector<std::string>& v);
  Message& append(const std::map<std::string, std::string>& v);
  Message& append(const std::map<std::string, std::uint64_t>& v);
  Message& append(const std::vector<std::pair<std::string, std::string>>& v);
  Message& append(const std::vector<std::tuple<std::string, std::string, std::string>>& v);
  Message& append_object_path(const std::string& path);
  template <class... T>
  Message& append_all(const T&... v) {
    (append(v), ...);
    return *this;
  }

  template <class T>
  T read();

  const char* sender() const { return sd_bus_message_get_sender(m_); }
  const char* member() const { return sd_bus_message_get_member(m_); }
  const char* path() const { return sd_bus_message_get_path(m_); }
  const char* interface() const { return sd_bus_message_get_interface(m_); }
  // The error carried by a method error reply, or nullptr.
  const sd_bus_error* error() const { return sd_bus_message_get_error(m_); }

 private:
  sd_bus_message* m_ = nullptr;
};

template <>
std::string Message::read<std::string>();
template <>
std::uint64_t Message::read<std::uint64_t>();
template <>
std::uint32_t Message::read<std::uint32_t>();
template <>
std::int32_t Message::read<std::int32_t>();
template <>
bool Message::read<bool>();
template <>
std::vector<std::string> Message::read<std::vector<std::string>>();
template <>
std::map<std::string, std::string> Message::read<std::map<std::string, std::string>>();
template <>
std::vector<std::pair<std::string, std::string>>
Message::read<std::vector<std::pair<std::string, std::string>>>();

}  // namespace hb::dbus
