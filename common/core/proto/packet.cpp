#include "core/proto/packet.hpp"

#include "core/proto/auth.hpp"
#include "core/proto/classic.hpp"
#include "core/proto/netstring.hpp"
#include "core/util/enum_names.hpp"

namespace hb::proto {
namespace {

constexpr auto wire_format_names = std::to_array<util::EnumName<WireFormat>>({
    {WireFormat::classic, "classic"},
    {WireFormat::netstring, "netstring"},
});
static_assert(util::names_are_complete(wire_format_names));

// A claimed sender name for a log line: attacker-controlled, so shortened and made printable.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) out += (c > 0x20 && c < 0x7f) ? c : '?';
  return out;
}

// Last `auth` field wins, as in heartbeat's isauthentic().
std::optional<std::string_view> last_auth_field(const Message& m) {
  std::optional<std::string_view> auth;
  for (const auto& f : m.fields()) {
    if (f.name == field::auth) auth = f.value;
  }
  return auth;
}

Result<std::string> sign_classic_fields(Message& m, const config::AuthKeys& keys) {
  auto text = classic_auth_text(m);
  if (!text) return text.error();
  auto value = sign(keys, *text);
  if (!value) return value.error();
  m.remove(field::auth);
  std::string auth = format_auth_value(*value);
  m.add(std::string(field::auth), auth);
  return auth;
}

struct Parsed {
  Opened opened;
  std::string signed_text;               // the bytes the digest covers
  std::optional<std::string> auth_text;  // what the packet claims
};

Result<Parsed> parse(std::string_view bytes, const Limits& limits) {
  if (bytes.size() > limits.max_packet) {
    return Error{Problem::oversized, std::to_string(bytes.size()) + " bytes"};
  }
  Parsed p;
  if (bytes.starts_with("###")) {
    auto ns = decode_netstring(bytes, limits);
    if (!ns) return ns.error();
    p.opened.format = WireFormat::netstring;
    p.signed_text = std::string(bytes.substr(0, ns->payload_size));
    p.auth_text = std::move(ns->auth);
    p.opened.message = std::move(ns->message);
  } else {
    auto m = decode_classic(bytes, limits);
    if (!m) return m.error();
    p.opened.format = WireFormat::classic;
    if (auto a = last_auth_field(*m)) p.auth_text = std::string(*a);
    auto text = classic_auth_text(*m);
    if (!text) return Error{Problem::bad_field, text.error().detail};
    p.signed_text = std::move(*text);
    p.opened.message = std::move(*m);
  }
  return p;
}

}  // namespace

std::string_view to_string(WireFormat format) {
  return util::to_string(wire_format_names, format, "netstring");
}

Result<std::string> seal(const Message& message, const config::AuthKeys& keys,
                         const SealOptions& options) {
  Message m = message;
  if (options.format == WireFormat::classic || options.inner_classic_auth) {
    auto auth = sign_classic_fields(m, keys);
    if (!auth) return auth.error();
  } else {
    m.remove(field::auth);
  }
  if (options.format == WireFormat::classic) {
    auto out = encode_classic(m);
    if (!out) return out.error();
    if (options.trailing_nul) out->push_back('\0');
    return out;
  }
  auto payload = encode_netstring_payload(m);
  if (!payload) return payload.error();
  auto value = sign(keys, *payload);
  if (!value) return value.error();
  *payload += netstring_auth_trailer(format_auth_value(*value));
  return payload;
}

Result<Opened> decode(std::string_view bytes, const Limits& limits) {
  auto p = parse(bytes, limits);
  if (!p) return p.error();
  p->opened.message.remove(field::auth);
  return std::move(p->opened);
}

Result<Opened> open(std::string_view bytes, const config::AuthKeys& keys, const Limits& limits) {
  auto p = parse(bytes, limits);
  if (!p) return p.error();
  std::optional<std::string_view> claimed;
  if (p->auth_text) claimed = *p->auth_text;
  auto index = verify(keys, p->signed_text, claimed);
  if (!index) {
    Error e = index.error();
    if (auto src = p->opened.message.get(field::source))
      e.detail += " (src " + printable(*src) + ")";
    return e;
  }
  p->opened.message.remove(field::auth);
  p->opened.auth_index = *index;
  return std::move(p->opened);
}

}  // namespace hb::proto
