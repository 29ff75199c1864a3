// The reference's status example (heartbeat-reference.md 1c): 98-byte body, auth index 1.
#pragma once

#include <string>

#include "core/config/config.hpp"
#include "core/proto/control.hpp"
#include "core/proto/message.hpp"
#include "core/proto/packet.hpp"

namespace hb::proto::test {

inline Message example_status() {
  return Message{
      {"t", "status"}, {"st", "active"},   {"src", "ha1.haw2.ibm.com"},        {"seq", "2b"},
      {"hg", "4"},     {"ts", "40a3c5e1"}, {"ld", "0.00 0.01 0.00 1/59 1234"}, {"ttl", "4"}};
}

inline const std::string kExampleBody =
    "t=status\nst=active\nsrc=ha1.haw2.ibm.com\nseq=2b\nhg=4\nts=40a3c5e1\n"
    "ld=0.00 0.01 0.00 1/59 1234\nttl=4\n";

inline config::AuthKeys keys(int active, config::AuthKey::Method method, std::string secret = {}) {
  config::AuthKeys k;
  k.active_index = active;
  k.keys[active] = config::AuthKey{method, std::move(secret), {}};
  return k;
}

inline ControlFields control(std::string node, Generation generation = 0, std::int64_t now = 0,
                             int ttl = 3, std::string load = "n/a") {
  ControlFields c;
  c.node = std::move(node);
  c.generation = generation;
  c.unix_time = now;
  c.ttl = ttl;
  c.load = std::move(load);
  return c;
}

inline SealOptions sealed(WireFormat format, bool trailing_nul = true, bool inner = true) {
  SealOptions o;
  o.format = format;
  o.trailing_nul = trailing_nul;
  o.inner_classic_auth = inner;
  return o;
}

}  // namespace hb::proto::test
