// The names of the "reloads live" column's values (reload_column.hpp).
#include "core/config/reload_column.hpp"

#include <array>

#include "core/util/enum_names.hpp"

namespace hb::config {
namespace {

constexpr auto reload_names = std::to_array<util::EnumName<Reload>>({
    {Reload::restart, "restart"},
    {Reload::live, "live"},
    {Reload::handover, "handover"},
});
static_assert(util::names_are_complete(reload_names));

}  // namespace

const char* to_string(Reload reload) {
  return util::to_string(reload_names, reload);
}

}  // namespace hb::config
