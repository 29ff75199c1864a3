// libFuzzer entry point over everything a hostile packet reaches in hb-linkd before it is
// trusted: format detection, both decoders, authentication with several key methods, and the
// sequence rules of an authenticated message. Built with clang as a fuzzer; with g++ the same
// function replays tests/fuzz/corpus as a unit test (proto_fuzz_corpus).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config/config.hpp"
#include "core/proto/classic.hpp"
#include "core/proto/netstring.hpp"
#include "core/proto/packet.hpp"
#include "core/proto/receiver.hpp"

namespace {

hb::config::AuthKeys fuzz_keys() {
  using Method = hb::config::AuthKey::Method;
  hb::config::AuthKeys keys;
  keys.active_index = 1;
  keys.keys[1] = hb::config::AuthKey{Method::crc, "", {}};
  keys.keys[2] = hb::config::AuthKey{Method::md5, "Hello!", {}};
  keys.keys[3] = hb::config::AuthKey{Method::sha1, "HI!", {}};
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const hb::config::AuthKeys keys = fuzz_keys();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  (void)hb::proto::decode_classic(bytes);
  (void)hb::proto::decode_netstring(bytes);
  auto decoded = hb::proto::decode(bytes);
  if (decoded) {
    // Whatever decodes must re-encode and decode to the same message (when encodable).
    for (auto format : {hb::proto::WireFormat::classic, hb::proto::WireFormat::netstring}) {
      hb::proto::SealOptions options;
      options.format = format;
      auto resealed = hb::proto::seal(decoded->message, keys, options);
      if (!resealed || resealed->size() > hb::proto::Limits{}.max_packet) continue;
      auto reopened = hb::proto::open(*resealed, keys);
      if (!reopened || !(reopened->message == decoded->message)) __builtin_trap();
    }
  }
  auto opened = hb::proto::open(bytes, keys);
  // A real packet would rarely authenticate; feed decoded ones to the receiver too so the
  // sequence/ordering code sees hostile seq/hg/firstseq values.
  if (decoded) {
    hb::proto::ReceiverOptions options;
    options.local_node = "ha1";
    hb::proto::PeerReceiver receiver("ha2", options);
    const hb::proto::TimePoint now{std::chrono::seconds(1)};
    (void)receiver.on_message(decoded->message, now);
    (void)receiver.on_message(decoded->message, now);
    (void)receiver.due_requests(now + std::chrono::seconds(1), true, {});
    (void)receiver.advance(now + std::chrono::minutes(1));
  }
  (void)opened;
  return 0;
}
