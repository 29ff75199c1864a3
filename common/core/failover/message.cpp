// The hand-over messages: field access, key lists, and building and reading each message.
#include "core/failover/message.hpp"

namespace hb::failover {

const std::string& Message::get(const std::string& name) const {
  static const std::string empty;
  auto it = fields.find(name);
  return it == fields.end() ? empty : it->second;
}

std::string join_keys(const std::set<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) {
    if (!out.empty()) out += ' ';
    out += k;
  }
  return out;
}

std::set<std::string> split_keys(std::string_view text) {
  std::set<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
    if (j > i) out.emplace(text.substr(i, j - i));
    i = j;
  }
  return out;
}

namespace {

std::string str(std::string_view s) {
  return std::string(s);
}

Message make(std::string_view type, const std::string& dest) {
  Message m;
  m.type = str(type);
  m.dest = dest;
  return m;
}

}  // namespace

Message starting_message(const std::set<std::string>& adopted) {
  Message m = make(msg::starting, "");
  m.fields[str(field::held)] = join_keys(adopted);
  return m;
}

Message resource_message(const std::string& dest, const Holdings& h, bool stable,
                         const std::string& info, bool ask) {
  Message m = make(msg::resource, dest);
  m.fields[str(field::rsc_hold)] = h.local && h.foreign ? "all"
                                   : h.local            ? "local"
                                   : h.foreign          ? "foreign"
                                                        : "none";
  m.fields[str(field::rtype)] = "full";
  m.fields[str(field::isstable)] = stable ? "1" : "0";
  if (!info.empty()) m.fields[str(field::info)] = info;
  m.fields[str(field::held)] = join_keys(h.held);
  m.fields[str(field::incoming)] = join_keys(h.incoming);
  m.fields[str(field::failed)] = join_keys(h.failed);
  if (ask) m.fields[str(field::ask)] = "1";
  return m;
}

std::string_view heartbeat_hold(Scope scope) {
  return scope == Scope::failback ? to_string(Scope::foreign) : to_string(scope);
}

Scope scope_of(const Message& m) {
  if (auto it = m.fields.find(str(field::scope)); it != m.fields.end())
    if (auto s = parse_scope(it->second)) return *s;
  return parse_scope(m.get(str(field::rsc_hold))).value_or(Scope::all);
}

Message ask_resources_message(const std::string& dest, Scope scope, std::string_view info,
                              const std::set<std::string>& keys, const std::string& target,
                              bool force) {
  Message m = make(msg::ask_resources, dest);
  m.fields[str(field::rsc_hold)] = str(heartbeat_hold(scope));
  if (heartbeat_hold(scope) != to_string(scope))
    m.fields[str(field::scope)] = str(to_string(scope));
  m.fields[str(field::info)] = str(info);
  m.fields[str(field::groups)] = join_keys(keys);
  m.fields[str(field::target)] = target;
  if (force) m.fields[str(field::force)] = "1";
  return m;
}

Message takeover_message(const std::string& dest, Scope scope, bool force) {
  Message m = make(msg::hb_takeover, dest);
  m.fields[str(field::rsc_hold)] = str(heartbeat_hold(scope));
  if (heartbeat_hold(scope) != to_string(scope))
    m.fields[str(field::scope)] = str(to_string(scope));
  if (force) m.fields[str(field::force)] = "1";
  return m;
}

Message move_message(const std::string& key, const std::string& target) {
  Message m = make(msg::hb_move, "");
  m.fields[str(field::groups)] = key;
  m.fields[str(field::target)] = target;
  return m;
}

Message shutdone_message() {
  Message m = make(msg::shutdone, "");
  m.fields[str(field::st)] = "dead";
  m.fields[str(field::info)] = "shutdown";
  return m;
}

std::optional<Holdings> holdings_of(const Message& m) {
  if (!m.fields.count(str(field::held))) return std::nullopt;
  Holdings h;
  h.held = split_keys(m.get(str(field::held)));
  h.incoming = split_keys(m.get(str(field::incoming)));
  h.failed = split_keys(m.get(str(field::failed)));
  return h;
}

Message fenced_message(const std::string& node) {
  Message m = make(msg::hb_fenced, "");
  m.fields[std::string(field::node)] = node;
  return m;
}

}  // namespace hb::failover
