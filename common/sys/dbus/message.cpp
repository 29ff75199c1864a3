#include "sys/dbus/message.hpp"

#include "sys/dbus/error.hpp"

namespace hb::dbus {

Message Message::adopt(sd_bus_message* m) {
  Message r;
  r.m_ = m;
  return r;
}

Message Message::new_reply() const {
  sd_bus_message* reply = nullptr;
  check(sd_bus_message_new_method_return(m_, &reply), "sd_bus_message_new_method_return");
  return adopt(reply);
}

Message& Message::append(const std::string& v) {
  return append(v.c_str());
}

Message& Message::append(const char* v) {
  check(sd_bus_message_append_basic(m_, 's', v), "append s");
  return *this;
}

Message& Message::append(std::uint64_t v) {
  check(sd_bus_message_append_basic(m_, 't', &v), "append t");
  return *this;
}

Message& Message::append(std::uint32_t v) {
  check(sd_bus_message_append_basic(m_, 'u', &v), "append u");
  return *this;
}

Message& Message::append(std::int32_t v) {
  check(sd_bus_message_append_basic(m_, 'i', &v), "append i");
  return *this;
}

Message& Message::append(bool v) {
  int b = v;  // sd-bus' 'b' is an int
  check(sd_bus_message_append_basic(m_, 'b', &b), "append b");
  return *this;
}

Message& Message::append(double v) {
  check(sd_bus_message_append_basic(m_, 'd', &v), "append d");
  return *this;
}

Message& Message::append(const std::vector<std::string>& v) {
  check(sd_bus_message_open_container(m_, 'a', "s"), "open as");
  for (const auto& s : v) append(s);
  check(sd_bus_message_close_container(m_), "close as");
  return *this;
}

Message& Message::append(const std::map<std::string, std::string>& v) {
  check(sd_bus_message_open_container(m_, 'a', "{ss}"), "open a{ss}");
  for (const auto& [k, val] : v)
    check(sd_bus_message_append(m_, "{ss}", k.c_str(), val.c_str()), "append {ss}");
  check(sd_bus_message_close_container(m_), "close a{ss}");
  return *this;
}

Message& Message::append(const std::map<std::string, std::uint64_t>& v) {
  check(sd_bus_message_open_container(m_, 'a', "{st}"), "open a{st}");
  for (const auto& [k, val] : v)
    check(sd_bus_message_append(m_, "{st}", k.c_str(), static_cast<uint64_t>(val)), "append {st}");
  check(sd_bus_message_close_container(m_), "close a{st}");
  return *this;
}

Message& Message::append(const std::vector<std::pair<std::string, std::string>>& v) {
  check(sd_bus_message_open_container(m_, 'a', "(ss)"), "open a(ss)");
  for (const auto& [a, b] : v)
    check(sd_bus_message_append(m_, "(ss)", a.c_str(), b.c_str()), "append (ss)");
  check(sd_bus_message_close_container(m_), "close a(ss)");
  return *this;
}

Message& Message::append(const std::vector<std::tuple<std::string, std::string, std::string>>& v) {
  check(sd_bus_message_open_container(m_, 'a', "(sss)"), "open a(sss)");
  for (const auto& [a, b, c] : v)
    check(sd_bus_message_append(m_, "(sss)", a.c_str(), b.c_str(), c.c_str()), "append (sss)");
  check(sd_bus_message_close_container(m_), "close a(sss)");
  return *this;
}

Message& Message::append_object_path(const std::string& path) {
  check(sd_bus_message_append_basic(m_, 'o', path.c_str()), "append o");
  return *this;
}

template <>
std::string Message::read<std::string>() {
  const char* s = nullptr;
  check(sd_bus_message_read_basic(m_, 's', &s), "read s");
  return s ? s : "";
}

template <>
std::uint64_t Message::read<std::uint64_t>() {
  uint64_t v = 0;
  check(sd_bus_message_read_basic(m_, 't', &v), "read t");
  return v;
}

template <>
std::uint32_t Message::read<std::uint32_t>() {
  uint32_t v = 0;
  check(sd_bus_message_read_basic(m_, 'u', &v), "read u");
  return v;
}

template <>
std::int32_t Message::read<std::int32_t>() {
  int32_t v = 0;
  check(sd_bus_message_read_basic(m_, 'i', &v), "read i");
  return v;
}

template <>
bool Message::read<bool>() {
  int v = 0;
  check(sd_bus_message_read_basic(m_, 'b', &v), "read b");
  return v != 0;
}

template <>
std::vector<std::string> Message::read<std::vector<std::string>>() {
  std::vector<std::string> out;
  check(sd_bus_message_enter_container(m_, 'a', "s"), "enter as");
  const char* s = nullptr;
  while (check(sd_bus_message_read_basic(m_, 's', &s), "read as") > 0) out.emplace_back(s);
  check(sd_bus_message_exit_container(m_), "exit as");
  return out;
}

template <>
std::map<std::string, std::string> Message::read<std::map<std::string, std::string>>() {
  std::map<std::string, std::string> out;
  check(sd_bus_message_enter_container(m_, 'a', "{ss}"), "enter a{ss}");
  const char* k = nullptr;
  const char* v = nullptr;
  while (check(sd_bus_message_read(m_, "{ss}", &k, &v), "read {ss}") > 0) out[k] = v;
  check(sd_bus_message_exit_container(m_), "exit a{ss}");
  return out;
}

template <>
std::vector<std::pair<std::string, std::string>>
Message::read<std::vector<std::pair<std::string, std::string>>>() {
  std::vector<std::pair<std::string, std::string>> out;
  check(sd_bus_message_enter_container(m_, 'a', "(ss)"), "enter a(ss)");
  const char* a = nullptr;
  const char* b = nullptr;
  while (check(sd_bus_message_read(m_, "(ss)", &a, &b), "read (ss)") > 0) out.emplace_back(a, b);
  check(sd_bus_message_exit_container(m_), "exit a(ss)");
  return out;
}

}  // namespace hb::dbus
