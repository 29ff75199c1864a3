#include "core/config/authkeys.hpp"

#include <cstdio>

#include "core/config/lexical.hpp"
#include "core/util/enum_names.hpp"

namespace hb::config {
namespace {

constexpr auto method_names = std::to_array<util::EnumName<AuthKey::Method>>({
    {AuthKey::Method::crc, "crc"},
    {AuthKey::Method::md5, "md5"},
    {AuthKey::Method::sha1, "sha1"},
    {AuthKey::Method::sha256, "sha256"},
});
static_assert(util::names_are_complete(method_names));

std::optional<int> auth_index(std::string_view text) {
  auto n = parse_int(text);
  if (!n || *n > 15) return std::nullopt;
  return n;
}

}  // namespace

std::optional<std::string> check_authkeys_mode(const std::string& file, unsigned mode) {
  if ((mode & 0077) == 0) return std::nullopt;
  char octal[8];
  std::snprintf(octal, sizeof octal, "%04o", mode & 07777);
  return std::string("bad permissions ") + octal +
         ": the key file must be mode 600 or stricter, with no access for group or others "
         "(heartbeat refuses it readable by them; hb also refuses it writable, since whoever "
         "can write it chooses the cluster key); fix with: chmod 600 " +
         file;
}

std::optional<std::string> check_authkeys_owner(const std::string& file, unsigned owner,
                                                unsigned reader) {
  if (owner == 0 || owner == reader) return std::nullopt;
  return "owned by uid " + std::to_string(owner) +
         ": the key file must be owned by root (its owner can change the cluster key); fix "
         "with: chown root:root " +
         file;
}

AuthKeysResult parse_authkeys(std::string_view text, const std::string& file, unsigned mode) {
  AuthKeysResult result;
  auto& keys = result.authkeys;
  auto error = [&](int line, std::string message) {
    result.diagnostics.push_back(
        {Diagnostic::Severity::error, Origin{file, line}, std::move(message)});
  };
  auto warning = [&](int line, std::string message) {
    result.diagnostics.push_back(
        {Diagnostic::Severity::warning, Origin{file, line}, std::move(message)});
  };

  if (auto bad = check_authkeys_mode(file, mode)) error(0, *bad);

  auto lines = lines_of(text);
  int last_line = std::max<int>(1, static_cast<int>(lines.size()));
  bool auth_seen = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int line = static_cast<int>(i) + 1;
    auto words = split(strip_comment(lines[i]), " \t");
    if (words.empty()) continue;
    if (words[0] == "auth") {
      auto index = words.size() >= 2 ? auth_index(words[1]) : std::nullopt;
      if (!index) {
        error(line, "expected \"auth N\" with N from 0 to 15");
        continue;
      }
      if (words.size() > 2) warning(line, "text after \"auth " + words[1] + "\" is ignored");
      keys.active_index = *index;
      keys.origin = Origin{file, line};
      auth_seen = true;
      continue;
    }
    auto index = auth_index(words[0]);
    if (!index || words.size() < 2) {
      error(line, "invalid line (expected \"auth N\" or \"N crc|md5|sha1 [key]\", N from 0 to 15)");
      continue;
    }
    auto method = util::parse(method_names, words[1]);
    if (!method) {
      error(line, "unknown authentication method \"" + words[1] + "\" (crc, md5 or sha1)");
      continue;
    }
    AuthKey key;
    key.method = *method;
    key.origin = Origin{file, line};
    if (*method == AuthKey::Method::crc) {
      if (words.size() > 2) {
        // The word is not repeated: it may be the secret meant for md5 or sha1, and this message
        // goes to the journal.
        error(line, "crc does not use a key; remove the word after crc or choose md5 or sha1");
        continue;
      }
    } else {
      if (words.size() < 3) {
        error(line, words[1] + " requires a key: \"" + words[0] + " " + words[1] + " SECRET\"");
        continue;
      }
      // heartbeat reads the key with sscanf("%s"): the first word only.
      if (words.size() > 3) {
        warning(line, "only the first word after " + words[1] +
                          " is the key (as in heartbeat); the rest of the line is ignored");
      }
      key.secret = words[2];
    }
    if (keys.keys.count(*index)) warning(line, "key " + words[0] + " defined again; this one wins");
    keys.keys[*index] = std::move(key);
  }

  if (!auth_seen) {
    error(last_line,
          "no \"auth N\" line: no authentication method selected (heartbeat: No authentication "
          "specified)");
  } else if (!keys.keys.count(keys.active_index)) {
    error(keys.origin.line, "auth " + std::to_string(keys.active_index) + ": no key " +
                                std::to_string(keys.active_index) + " defined (add a line \"" +
                                std::to_string(keys.active_index) + " crc|md5|sha1 [key]\")");
  }
  return result;
}

const char* to_string(AuthKey::Method method) {
  return util::to_string(method_names, method, "crc");
}

}  // namespace hb::config
