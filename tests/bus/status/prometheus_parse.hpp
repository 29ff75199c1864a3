// Reads a /metrics text with Prometheus' own parser (Debian's python3-prometheus-client, for
// /usr/bin/python3), so the tests check what a Prometheus server would make of it.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

namespace hb::test {

struct MetricFamily {
  std::string type;  // counter, gauge, ...
  std::size_t samples = 0;
};

// Family name -> type and sample count; nullopt where the parser is not installed (the caller
// skips its check). A text the parser refuses gives an empty map.
inline std::optional<std::map<std::string, MetricFamily>> prometheus_parse(
    const std::string& text, const std::filesystem::path& dir) {
  if (std::system("/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null") != 0)
    return std::nullopt;
  const auto file = dir / "metrics.txt";
  std::ofstream(file) << text;
  const std::string cmd =
      "/usr/bin/python3 -c 'import sys; from prometheus_client.parser import "
      "text_string_to_metric_families as p; "
      "[print(f.name, f.type, len(f.samples)) for f in p(open(sys.argv[1]).read())]' " +
      file.string() + " 2>/dev/null";
  std::map<std::string, MetricFamily> out;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return out;
  char name[256], type[64];
  std::size_t n = 0;
  while (std::fscanf(pipe, "%255s %63s %zu", name, type, &n) == 3) out[name] = {type, n};
  if (WEXITSTATUS(::pclose(pipe)) != 0) out.clear();
  return out;
}

}  // namespace hb::test
