// hb.conf, hb's own settings file (/etc/ha.d/hb.conf, docs/hb.conf.5.md): `[section]` headers,
// `key = value` lines and `#` comments, parsed into HbConf with a "file:line: what is wrong"
// diagnostic for every unknown section or key and every bad value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"
#include "core/config/reload_column.hpp"

namespace hb::config {

struct HbConfResult {
  HbConf hb_conf;
  std::vector<Diagnostic> diagnostics;
};

// Parses the text of hb.conf; `file` names it in diagnostics. Values that are wrong keep their
// defaults (and make an error).
HbConfResult parse_hb_conf(std::string_view text, const std::string& file);

// One setting of hb.conf's grammar ("status", "listen"): when a changed value takes effect on a
// running node, for hb.conf(5) and `hbctl reload`.
struct HbConfSetting {
  std::string section;
  std::string key;
  Reload reload = Reload::restart;
};

// Every setting the parser knows, by section, then key.
std::vector<HbConfSetting> hb_conf_settings();

// The settings in force for one haresources word: its [resource TOKEN] section over
// [resources].
ResourceSettings resource_settings(const HbConf& hb_conf, const std::string& token);

// A warning (at its header) for each [resource TOKEN] whose word is in no haresources group: a
// misspelt word would otherwise keep the defaults without a word.
std::vector<Diagnostic> check_resource_sections(const HbConf& hb_conf,
                                                const std::vector<ResourceGroup>& groups);

// One listen address: "127.0.0.1:9694", "[::1]:9694", "[fe80::1%eth0]:80" is refused (no scope
// ids); the host must be a literal address. nullopt when it is not one.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

// "127.0.0.1:9694", "[::1]:9694": the form parse_listen_address reads.
std::string to_string(const ListenAddress& address);

}  // namespace hb::config
