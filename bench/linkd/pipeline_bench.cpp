// How many packets one core authenticates and processes in hb-linkd's receive pipeline, per
// authkeys method and wire format: pre-built status heartbeats from one peer, each heard on two
// media (the second copy is the duplicate path), through the real PacketPipeline (decode, verify,
// replay/sequence rules, liveness). No sockets: this is the CPU cost per packet.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "core/link/packet_pipeline.hpp"
#include "core/proto/control.hpp"
#include "core/proto/packet.hpp"

namespace {

using namespace std::chrono_literals;
using Method = hb::config::AuthKey::Method;
// This thread's CPU time, not the wall clock: the figure is what one core spends, even on a
// machine busy with other work.
double cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

hb::config::AuthKeys keys_for(Method method) {
  hb::config::AuthKeys keys;
  keys.active_index = 1;
  hb::config::AuthKey k;
  k.method = method;
  if (method != Method::crc) k.secret = "a-benchmark-secret";
  keys.keys[1] = k;
  return keys;
}

const char* name_of(Method m) {
  switch (m) {
    case Method::crc:
      return "crc";
    case Method::md5:
      return "md5";
    case Method::sha1:
      return "sha1";
    case Method::sha256:
      return "sha256";
  }
  return "?";
}

std::size_t sink = 0;  // checked at the end, so the work cannot be optimised away

}  // namespace

int main(int argc, char** argv) {
  const long count = argc > 1 ? std::atol(argv[1]) : 200000;
  std::printf("%-8s %-10s %12s %12s\n", "auth", "format", "packets/s", "ns/packet");
  for (Method method : {Method::crc, Method::md5, Method::sha1, Method::sha256}) {
    for (auto format : {hb::proto::WireFormat::netstring, hb::proto::WireFormat::classic}) {
      const auto keys = keys_for(method);
      std::vector<std::string> packets;
      packets.reserve(static_cast<std::size_t>(count));
      hb::proto::ControlFields control;
      control.node = "ha2";
      control.generation = 7;
      control.unix_time = 1700000000;
      control.load = "0.10 0.05 0.01 1/123 4567";
      control.ttl = 3;
      hb::proto::StatusOptions status;
      status.deadtime = 1000ms;
      hb::proto::SealOptions seal;
      seal.format = format;
      for (long i = 0; i < count; ++i) {
        auto m = hb::proto::build_status(status, control, static_cast<hb::proto::Seq>(i + 1));
        packets.push_back(*hb::proto::seal(m, keys, seal));
      }
      hb::linkd::PipelineOptions options;
      options.local_node = "ha1";
      options.keys = keys;
      options.timing = hb::liveness::Timing{100ms, 500ms, 1000ms, 2000ms, 0ms};
      options.peers = {hb::liveness::Peer{"ha2", hb::liveness::PeerKind::node, {"lan0", "lan1"}}};
      auto now = hb::linkd::TimePoint{} + 1s;
      hb::linkd::PacketPipeline pipeline(options, now);
      const double begin = cpu_seconds();
      for (const auto& p : packets) {
        now += 50us;
        auto a = pipeline.on_packet(p, "lan0", now);
        auto b = pipeline.on_packet(p, "lan1", now);
        sink += a.heard + b.heard + (a.rejected ? 1000 : 0) + (b.rejected ? 1000 : 0);
      }
      const double secs = cpu_seconds() - begin;
      const double processed = 2.0 * static_cast<double>(count);
      std::printf("%-8s %-10s %12.0f %12.0f   (%zu bytes)\n", name_of(method),
                  std::string(hb::proto::to_string(format)).c_str(), processed / secs,
                  secs * 1e9 / processed, packets.front().size());
    }
  }
  if (sink != static_cast<std::size_t>(8 * 2 * count)) {
    std::fprintf(stderr, "unexpected: some packets were rejected (%zu)\n", sink);
    return 1;
  }
  return 0;
}
