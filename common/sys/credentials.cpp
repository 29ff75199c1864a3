#include "sys/credentials.hpp"

#include <unistd.h>

#include <cstdlib>

namespace hb::sys {

std::string credential_path(const std::string& name) {
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  if (dir == nullptr || *dir == '\0') return {};
  std::string path = std::string(dir) + "/" + name;
  return ::access(path.c_str(), F_OK) == 0 ? path : std::string();
}

}  // namespace hb::sys
