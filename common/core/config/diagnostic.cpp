#include <algorithm>

#include "core/config/config.hpp"

namespace hb::config {

std::string Diagnostic::str() const {
  std::string out = origin.file;
  if (origin.line > 0) out += ":" + std::to_string(origin.line);
  out += ": ";
  if (severity == Severity::warning) out += "warning: ";
  out += message;
  return out;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Diagnostic::Severity::error; });
}

}  // namespace hb::config
