// hb-rogue: a rogue host on the cluster LAN, for the rogue-host cluster test. It knows hb's wire
// format (it links libhb's encoder) but not the cluster key: it records what it hears on UDP 694,
// and sends garbage, truncated and oversized datagrams, captured packets replayed as they are,
// captured messages re-signed with a key of its own (wrong for sha1; for crc, which has no key,
// a valid forgery), with fields changed. Every run is bounded in count and in time, and it only
// sends to the address it is given (a namespace the test made).
//
//   hb-rogue capture --seconds S --out DIR
//       saves each datagram heard on UDP 694 as DIR/<n>-<src>-<type>.pkt
//   hb-rogue send --to ADDR [--port P] --kind garbage|truncated|oversized|replay|resign
//                 [--from FILE] [--auth crc|md5:KEY|sha1:KEY] [--set NAME=VALUE]...
//                 [--count N] [--seconds S] [--rate PPS]
//       sends N datagrams (default 1) within S seconds (default 10), as fast as it can or PPS a
//       second at most; prints "sent N in T s (R/s)"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/proto/packet.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace proto = hb::proto;

[[noreturn]] void die(const std::string& why) {
  std::cerr << "hb-rogue: " << why << "\n";
  std::exit(2);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string safe(std::string_view s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '-';
  return out.empty() ? "none" : out;
}

int capture(double seconds, const std::string& dir) {
  std::filesystem::create_directories(dir);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(694);
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("bind UDP 694");
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  int n = 0;
  std::vector<char> buf(70000);
  while (Clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
    if (poll(&p, 1, static_cast<int>(std::max<long long>(left, 1))) <= 0) continue;
    ssize_t r = recv(fd, buf.data(), buf.size(), 0);
    if (r <= 0) continue;
    std::string bytes(buf.data(), static_cast<std::size_t>(r));
    std::string src = "unknown", type = "undecodable";
    if (auto d = proto::decode(bytes)) {
      src = std::string(d.value().message.value_or_empty("src"));
      type = std::string(d.value().message.type());
    }
    char name[32];
    std::snprintf(name, sizeof name, "%05d", n++);
    std::ofstream(dir + "/" + name + "-" + safe(src) + "-" + safe(type) + ".pkt", std::ios::binary)
        << bytes;
  }
  std::cout << "captured " << n << " datagrams in " << seconds << " s\n";
  return 0;
}

hb::config::AuthKeys keys_of(const std::string& spec) {
  using Method = hb::config::AuthKey::Method;
  hb::config::AuthKeys keys;
  keys.active_index = 1;
  const auto colon = spec.find(':');
  const std::string method = spec.substr(0, colon);
  const std::string key = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (method == "crc")
    keys.keys[1] = hb::config::AuthKey{Method::crc, "", {}};
  else if (method == "md5")
    keys.keys[1] = hb::config::AuthKey{Method::md5, key, {}};
  else if (method == "sha1")
    keys.keys[1] = hb::config::AuthKey{Method::sha1, key, {}};
  else
    die("--auth crc|md5:KEY|sha1:KEY");
  return keys;
}

struct SendOptions {
  std::string to, kind, from, auth = "sha1:not-the-cluster-key";
  int port = 694;
  std::vector<std::pair<std::string, std::string>> set;
  long count = 1;
  double seconds = 10;
  double rate = 0;  // datagrams a second; 0: as fast as it can
};

int send(const SendOptions& o) {
  if (o.to.empty() || o.kind.empty()) die("send needs --to and --kind");
  std::mt19937 rng(std::random_device{}());
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
  int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(o.port));
  if (inet_pton(AF_INET, o.to.c_str(), &a.sin_addr) != 1) die("--to takes an IPv4 address");

  const std::string captured = o.from.empty() ? std::string() : slurp(o.from);
  std::string fixed;  // the datagram, when every one is the same
  if (o.kind == "replay") {
    if (captured.empty()) die("replay needs --from");
    fixed = captured;
  } else if (o.kind == "resign") {
    auto d = proto::decode(captured);
    if (!d) die("--from does not decode: " + d.error().detail);
    proto::Message m = d.value().message;
    m.remove("auth");
    for (const auto& [k, v] : o.set) m.set(k, v);
    proto::SealOptions so;
    so.format = d.value().format;
    auto sealed = proto::seal(m, keys_of(o.auth), so);
    if (!sealed) die("cannot seal: " + sealed.error().detail);
    fixed = sealed.value();
  } else if (o.kind == "oversized") {
    fixed = "###\n" + std::string(60000, 'A');
  } else if (o.kind != "garbage" && o.kind != "truncated") {
    die("--kind garbage|truncated|oversized|replay|resign");
  }
  if (o.kind == "truncated" && captured.size() < 2) die("truncated needs --from");

  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(o.seconds);
  long sent = 0;
  std::string bytes;
  while (sent < o.count && Clock::now() < end) {
    if (o.rate > 0) {  // paced: datagram n leaves at start + n / rate, at most 1 ms early
      const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(sent / o.rate));
      if (Clock::now() + std::chrono::milliseconds(1) < due) std::this_thread::sleep_until(due);
    }
    const std::string* out = &fixed;
    if (o.kind == "garbage") {
      bytes.resize(1 + rng() % 1400);
      for (auto& c : bytes) c = static_cast<char>(rng());
      out = &bytes;
    } else if (o.kind == "truncated") {
      bytes = captured.substr(0, 1 + rng() % (captured.size() - 1));
      out = &bytes;
    }
    if (sendto(fd, out->data(), out->size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
      if (errno == ENOBUFS || errno == EAGAIN) continue;  // the flood outruns the queue
      die(std::string("sendto: ") + std::strerror(errno));
    }
    ++sent;
  }
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("sent %ld in %.2f s (%.0f/s)\n", sent, took, took > 0 ? sent / took : 0.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) die("usage: hb-rogue capture|send ... (see the comment at the top)");
  auto value = [&](std::size_t& i) {
    if (i + 1 >= args.size()) die(args[i] + " needs a value");
    return args[++i];
  };
  if (args[0] == "capture") {
    double seconds = 3;
    std::string out;
    for (std::size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "--seconds")
        seconds = std::stod(value(i));
      else if (args[i] == "--out")
        out = value(i);
      else
        die("unknown argument " + args[i]);
    }
    if (out.empty()) die("capture needs --out");
    return capture(std::min(seconds, 120.0), out);
  }
  if (args[0] == "send") {
    SendOptions o;
    for (std::size_t i = 1; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a == "--to")
        o.to = value(i);
      else if (a == "--port")
        o.port = std::stoi(value(i));
      else if (a == "--kind")
        o.kind = value(i);
      else if (a == "--from")
        o.from = value(i);
      else if (a == "--auth")
        o.auth = value(i);
      else if (a == "--count")
        o.count = std::stol(value(i));
      else if (a == "--seconds")
        o.seconds = std::stod(value(i));
      else if (a == "--rate")
        o.rate = std::stod(value(i));
      else if (a == "--set") {
        const std::string kv = value(i);
        const auto eq = kv.find('=');
        if (eq == std::string::npos) die("--set NAME=VALUE");
        o.set.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
      } else {
        die("unknown argument " + a);
      }
    }
    // Bounded whatever is asked: at most 60 s and 10 million datagrams per run.
    o.seconds = std::min(o.seconds, 60.0);
    o.count = std::min(o.count, 10'000'000L);
    return send(o);
  }
  die("usage: hb-rogue capture|send ...");
}
