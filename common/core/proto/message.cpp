#include "core/proto/message.hpp"

#include <algorithm>

namespace hb::proto {

Message& Message::add(std::string name, std::string value, FieldType type) {
  fields_.push_back(Field{std::move(name), std::move(value), type});
  return *this;
}

Message& Message::set(std::string_view name, std::string value, FieldType type) {
  for (auto& f : fields_) {
    if (f.name == name) {
      f.value = std::move(value);
      f.type = type;
      return *this;
    }
  }
  return add(std::string(name), std::move(value), type);
}

std::size_t Message::remove(std::string_view name) {
  return std::erase_if(fields_, [&](const Field& f) { return f.name == name; });
}

const Field* Message::find(std::string_view name) const {
  auto it =
      std::find_if(fields_.begin(), fields_.end(), [&](const Field& f) { return f.name == name; });
  return it == fields_.end() ? nullptr : &*it;
}

std::optional<std::string_view> Message::get(std::string_view name) const {
  const Field* f = find(name);
  if (f == nullptr) return std::nullopt;
  return std::string_view(f->value);
}

std::string_view Message::value_or_empty(std::string_view name) const {
  const Field* f = find(name);
  return f == nullptr ? std::string_view() : std::string_view(f->value);
}

bool is_unsequenced_type(std::string_view type) {
  return type.starts_with(msgtype::unsequenced_prefix);
}

}  // namespace hb::proto
