// From a message to signed bytes on the wire and back: what hb-linkd calls per packet.
//
// Sending (seal): the message is signed with authkeys' active index and serialized.
//  * classic: the `auth` field ("<index> <digest>" over classic_auth_text()) is set as the LAST
//    field; with trailing_nul (UDP) one NUL follows "<<<\n" as heartbeat sends it; serial
//    frames go without it.
//  * netstring: the digest over "###\n...%%%\n" follows as the auth netstring. Like heartbeat 3
//    with its default `msgfmt classic`, the classic auth field is also carried inside
//    (inner_classic_auth) - harmless to every reader and what a heartbeat peer sends.
//
// Receiving (open): either format, detected by its first bytes; then authenticated with the
// index the packet names. A classic packet is verified by its `auth` field (the last one, as
// heartbeat reads it), a netstring packet by its trailer only (as heartbeat does; an inner
// `auth` field is carried, not checked). The returned message has no `auth` field left.
#pragma once

#include <string>
#include <string_view>

#include "core/config/config.hpp"
#include "core/proto/limits.hpp"
#include "core/proto/message.hpp"
#include "core/proto/result.hpp"

namespace hb::proto {

enum class WireFormat { classic, netstring };
std::string_view to_string(WireFormat format);

struct SealOptions {
  WireFormat format = WireFormat::netstring;
  bool trailing_nul = true;        // classic only: UDP yes, serial no
  bool inner_classic_auth = true;  // netstring only
};

Result<std::string> seal(const Message& message, const config::AuthKeys& keys,
                         const SealOptions& options = {});

struct Opened {
  Message message;  // without `auth`
  WireFormat format = WireFormat::classic;
  int auth_index = 0;  // the authkeys index that verified it
};

// Decode + authenticate; never throws.
Result<Opened> open(std::string_view bytes, const config::AuthKeys& keys,
                    const Limits& limits = {});

// Decode only (no authentication): for tools and tests that inspect packets.
Result<Opened> decode(std::string_view bytes, const Limits& limits = {});

}  // namespace hb::proto
