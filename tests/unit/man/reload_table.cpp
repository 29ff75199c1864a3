// Prints the reload column of both grammars, one "FILE SETTING VALUE" line each ("ha.cf
// keepalive live", "hb.conf status.listen restart"), for man_pages_test.py to hold ha.cf(5) and
// hb.conf(5) to the tables themselves rather than to a copy of them.
#include <cstdio>

#include "core/config/ha_cf_grammar.hpp"
#include "core/config/hb_conf.hpp"

int main() {
  using namespace hb::config;
  for (const auto& d : ha_cf_grammar()) {
    // A warned directive has no effect to reload; its page entry says it is ignored.
    if (d.support == Support::warned) continue;
    std::printf("ha.cf %.*s %s\n", static_cast<int>(d.name.size()), d.name.data(),
                to_string(d.reload));
  }
  for (const auto& s : hb_conf_settings()) {
    std::printf("hb.conf %s.%s %s\n", s.section.c_str(), s.key.c_str(), to_string(s.reload));
  }
  return 0;
}
