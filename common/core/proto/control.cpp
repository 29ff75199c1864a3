#include "core/proto/control.hpp"

#include <cstdio>

namespace hb::proto {

std::string to_hex(std::uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(value));
  return buf;
}

std::optional<std::uint64_t> parse_hex(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return std::nullopt;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  return v;
}

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

void add_control_fields(Message& message, const ControlFields& control, Seq seq) {
  bool unsequenced = is_unsequenced_type(message.type());
  auto put = [&](std::string_view name, std::string value, FieldType type = FieldType::string) {
    if (unsequenced && message.has(name)) return;
    message.set(name, std::move(value), type);
  };
  put(field::source, control.node);
  if (!control.uuid.empty()) put(field::source_uuid, control.uuid, FieldType::binary);
  if (!unsequenced) put(field::seq, to_hex(seq));
  put(field::generation, to_hex(control.generation));
  put(field::timestamp, to_hex(static_cast<std::uint64_t>(control.unix_time)));
  if (!unsequenced) put(field::load, control.load);
  put(field::ttl, std::to_string(control.ttl));
}

Message build_status(const StatusOptions& status, const ControlFields& control, Seq seq) {
  Message m;
  m.add(std::string(field::type), std::string(msgtype::status));
  m.add(std::string(field::status), status.status);
  m.add(std::string(field::deadtime), to_hex(static_cast<std::uint64_t>(status.deadtime.count())));
  if (status.announce_protocol) m.add(std::string(field::protocol), "1");
  if (!status.config_digest.empty()) m.add(std::string(field::config_digest), status.config_digest);
  add_control_fields(m, control, seq);
  return m;
}

Message build_rexmit_request(std::string_view peer, Seq first, Seq last,
                             const ControlFields& control) {
  Message m;
  m.add(std::string(field::type), std::string(msgtype::rexmit));
  m.add(std::string(field::dest), std::string(peer));
  m.add(std::string(field::first_seq), std::to_string(first));
  m.add(std::string(field::last_seq), std::to_string(last));
  add_control_fields(m, control, 0);
  return m;
}

Message build_nak(std::string_view peer, Seq seq, std::string_view reason,
                  const ControlFields& control) {
  Message m;
  m.add(std::string(field::type), std::string(msgtype::nak_rexmit));
  m.add(std::string(field::first_seq), to_hex(seq));
  m.add(std::string(field::dest), std::string(peer));
  m.add(std::string(field::info), std::string(reason));
  add_control_fields(m, control, 0);
  return m;
}

std::optional<SeqFields> seq_fields(const Message& message) {
  SeqFields s;
  std::string_view type = message.type();
  if (is_unsequenced_type(type)) return s;
  s.sequenced = true;
  s.is_status = type == msgtype::status;
  auto seq = parse_hex(message.value_or_empty(field::seq));
  if (!seq || *seq == 0) return std::nullopt;
  s.seq = *seq;
  if (auto hg = message.get(field::generation)) {
    auto gen = parse_hex(*hg);
    if (!gen) return std::nullopt;
    s.generation = *gen;
  }
  return s;
}

bool addressed_to(const Message& message, std::string_view node) {
  auto dest = message.get(field::dest);
  return !dest || *dest == node;
}

}  // namespace hb::proto
