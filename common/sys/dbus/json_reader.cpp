// Any D-Bus value read from a message as JSON (json_reader.hpp).
#include "sys/dbus/json_reader.hpp"

#include <string>

#include "sys/dbus/error.hpp"

namespace hb::dbus {
namespace {

using nlohmann::json;

template <class T>
T read_basic(sd_bus_message* m, char type) {
  T v{};
  const char sig[2] = {type, '\0'};
  check(sd_bus_message_read_basic(m, sig[0], &v), "read basic value");
  return v;
}

std::string key_text(const json& key) {
  return key.is_string() ? key.get<std::string>() : key.dump();
}

}  // namespace

json read_json(sd_bus_message* m) {
  char type = 0;
  const char* contents = nullptr;
  if (check(sd_bus_message_peek_type(m, &type, &contents), "peek type") == 0) return nullptr;
  switch (type) {
    case SD_BUS_TYPE_BYTE:
      return read_basic<std::uint8_t>(m, type);
    case SD_BUS_TYPE_BOOLEAN:
      return read_basic<int>(m, type) != 0;
    case SD_BUS_TYPE_INT16:
      return read_basic<std::int16_t>(m, type);
    case SD_BUS_TYPE_UINT16:
      return read_basic<std::uint16_t>(m, type);
    case SD_BUS_TYPE_INT32:
      return read_basic<std::int32_t>(m, type);
    case SD_BUS_TYPE_UINT32:
      return read_basic<std::uint32_t>(m, type);
    case SD_BUS_TYPE_INT64:
      return read_basic<std::int64_t>(m, type);
    case SD_BUS_TYPE_UINT64:
      return read_basic<std::uint64_t>(m, type);
    case SD_BUS_TYPE_DOUBLE:
      return read_basic<double>(m, type);
    case SD_BUS_TYPE_UNIX_FD:
      return read_basic<int>(m, type);
    case SD_BUS_TYPE_STRING:
    case SD_BUS_TYPE_OBJECT_PATH:
    case SD_BUS_TYPE_SIGNATURE: {
      const char* s = nullptr;
      check(sd_bus_message_read_basic(m, type, &s), "read string");
      return s ? json(s) : json("");
    }
    case SD_BUS_TYPE_VARIANT: {
      check(sd_bus_message_enter_container(m, type, contents), "enter variant");
      json v = read_json(m);
      check(sd_bus_message_exit_container(m), "exit variant");
      return v;
    }
    case SD_BUS_TYPE_ARRAY: {
      check(sd_bus_message_enter_container(m, type, contents), "enter array");
      json out;
      if (contents != nullptr && contents[0] == SD_BUS_TYPE_DICT_ENTRY_BEGIN) {
        out = json::object();
        const std::string entry(contents + 1, std::char_traits<char>::length(contents) - 2);
        while (check(sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, entry.c_str()),
                     "enter dict entry") > 0) {
          json key = read_json(m);
          out[key_text(key)] = read_json(m);
          check(sd_bus_message_exit_container(m), "exit dict entry");
        }
      } else {
        out = json::array();
        while (check(sd_bus_message_at_end(m, 0), "at end") == 0) out.push_back(read_json(m));
      }
      check(sd_bus_message_exit_container(m), "exit array");
      return out;
    }
    case SD_BUS_TYPE_STRUCT: {
      check(sd_bus_message_enter_container(m, type, contents), "enter struct");
      json out = json::array();
      while (check(sd_bus_message_at_end(m, 0), "at end") == 0) out.push_back(read_json(m));
      check(sd_bus_message_exit_container(m), "exit struct");
      return out;
    }
    default:
      check(sd_bus_message_skip(m, nullptr), "skip value");
      return nullptr;
  }
}

json read_managed_objects(Message& reply) {
  json out = read_json(reply.get());
  return out.is_object() ? out : json::object();
}

json read_properties(Message& reply) {
  json out = read_json(reply.get());
  return out.is_object() ? out : json::object();
}

}  // namespace hb::dbus
