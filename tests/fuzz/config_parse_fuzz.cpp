// libFuzzer entry point over hb's configuration parsers: whatever bytes an admin (or a broken
// editor, or a disk) leaves in /etc/ha.d must give diagnostics, never a crash or a hang. The
// first byte picks the file: 'c' ha.cf, 'a' authkeys (mode 0600), 'A' authkeys (mode 0644: the
// readability rule), 'r' haresources (with the seed's nodes), 'h' hb.conf; anything else feeds
// all four.
// What parses is also printed as hbctl config check prints it (JSON, invalid UTF-8 replaced: the
// fuzzer found that bytes such as 0xff in a haresources line made the JSON printer throw) and its
// diagnostics formatted as `file:line: message`. Built with clang as a fuzzer (scripts/fuzz.sh);
// with g++ the same function replays tests/fuzz/config-corpus as a unit test (config_fuzz_corpus).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/config/authkeys.hpp"
#include "core/config/ha_cf.hpp"
#include "core/config/haresources.hpp"
#include "core/config/hb_conf.hpp"
#include "core/config/json.hpp"

namespace {

template <class Result>
void format_all(const Result& r) {
  for (const auto& d : r.diagnostics) (void)d.str();
}

void ha_cf(std::string_view text) {
  auto r = hb::config::parse_ha_cf(text, "/etc/ha.d/ha.cf", "ha1.haw2.ibm.com");
  format_all(r);
  hb::config::Config c;
  c.ha_cf = r.ha_cf;
  c.local_node = "ha1.haw2.ibm.com";
  (void)hb::config::to_json(c).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

void authkeys(std::string_view text, unsigned mode) {
  format_all(hb::config::parse_authkeys(text, "/etc/ha.d/authkeys", mode));
}

void haresources(std::string_view text) {
  auto r = hb::config::parse_haresources(text, "/etc/ha.d/haresources",
                                         {"ha1.haw2.ibm.com", "ha2.haw2.ibm.com"});
  format_all(r);
  for (const auto& g : r.groups)
    (void)hb::config::to_json(g).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

void hb_conf(std::string_view text) {
  auto r = hb::config::parse_hb_conf(text, "/etc/ha.d/hb.conf");
  format_all(r);
  hb::config::Config c;
  c.hb_conf = r.hb_conf;
  (void)hb::config::to_json(c).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0]) {
    case 'c':
      ha_cf(text);
      break;
    case 'a':
      authkeys(text, 0600);
      break;
    case 'A':
      authkeys(text, 0644);
      break;
    case 'r':
      haresources(text);
      break;
    case 'h':
      hb_conf(text);
      break;
    default:
      ha_cf(text);
      authkeys(text, 0600);
      haresources(text);
      hb_conf(text);
  }
  return 0;
}
