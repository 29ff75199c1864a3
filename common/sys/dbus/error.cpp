#include "sys/dbus/error.hpp"

#include <cerrno>
#include <system_error>

namespace hb::dbus {

void throw_not_supported(const char* what) {
  throw Error(SD_BUS_ERROR_NOT_SUPPORTED, std::string(what) + " is not implemented yet");
}

int check(int r, const char* what) {
  if (r < 0) throw std::system_error(-r, std::system_category(), what);
  return r;
}

int store_current_exception(sd_bus_error* error) noexcept {
  try {
    throw;
  } catch (const Error& e) {
    return sd_bus_error_set(error, e.name().c_str(), e.what());
  } catch (const std::system_error& e) {
    if (e.code().category() == std::system_category() && e.code().value() > 0)
      return sd_bus_error_set_errnof(error, e.code().value(), "%s", e.what());
    return sd_bus_error_set(error, SD_BUS_ERROR_FAILED, e.what());
  } catch (const std::bad_alloc&) {
    return sd_bus_error_set_errno(error, ENOMEM);
  } catch (const std::exception& e) {
    return sd_bus_error_set(error, SD_BUS_ERROR_FAILED, e.what());
  } catch (...) {
    return sd_bus_error_set(error, SD_BUS_ERROR_FAILED, "unknown exception");
  }
}

}  // namespace hb::dbus
