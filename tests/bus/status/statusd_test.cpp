// hb-statusd, the real binary on a private dbus-daemon, against fake hb-membershipd, hb-linkd,
// hb-resourced and ipfaild (tests/bus/fakes), asked over real HTTP (cpp-httplib's client): what a
// poller, a probe and Prometheus would see. The cluster document follows the fakes' changes, errors
// are JSON with the right status, ETags give 304s, /healthz turns 503 when a daemon leaves,
// /metrics parses, and the responses match the OpenAPI document it serves. The event stream gives
// the fakes' transitions in order, resumes with exactly the missed ones, resets for an id of
// another start, and its streams and idle connections leave ordinary requests their workers.
#include <httplib.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "../fakes/daemon_fixture.hpp"
#include "../fakes/fake_ipfail1.hpp"
#include "../fakes/fake_membership1.hpp"
#include "../fakes/fake_resource1.hpp"
#include "../membership/fake_link1.hpp"
#include "free_port.hpp"
#include "prometheus_parse.hpp"
#include "sse_client.hpp"

namespace hb::test {
namespace {

using nlohmann::json;

class Statusd : public DaemonOnPrivateBus {
 protected:
  void SetUp() override {
    DaemonOnPrivateBus::SetUp();
    if (IsSkipped()) return;
    port_ = free_port();
    std::ofstream(conf_ / "haresources") << "ha1 " << seed_group_key << " apache2\n";
    std::ofstream(conf_ / "hb.conf") << "[status]\n"
                                     << "listen = 127.0.0.1:" << port_ << "\n"
                                     << "request_workers = 2\n"
                                     << "max_event_streams = 1\n"
                                     << "refresh_interval = 300ms\n"
                                     << "healthz_max_age = 5s\n";
  }

  httplib::Result get(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(2);
    c.set_read_timeout(5);
    return c.Get(path.c_str(), headers);
  }
  json get_json(const std::string& path) {
    auto r = get(path);
    if (!r) return nullptr;
    return json::parse(r->body, nullptr, false);
  }
  static const json* node_in(const json& cluster, const std::string& name) {
    if (!cluster.is_object()) return nullptr;
    for (const auto& n : cluster["nodes"])
      if (n["name"] == name) return &n;
    return nullptr;
  }

  // Sends `request` as is on a new connection; the one response that comes back (headers and
  // Content-Length bytes of body, or what came until the server closed).
  std::string raw(const std::string& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string answer;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
      char buf[4096];
      for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
        answer.append(buf, static_cast<std::size_t>(n));
        const auto end = answer.find("\r\n\r\n");
        const auto length = answer.find("Content-Length: ");
        if (end == std::string::npos || length == std::string::npos) continue;
        if (answer.size() >= end + 4 + std::stoul(answer.substr(length + 16))) break;
      }
    }
    ::close(fd);
    return answer;
  }

  int port_ = 0;
};

// Every property the OpenAPI schema `name` requires is in `doc`.
void expect_schema(const json& api, const std::string& name, const json& doc) {
  const json& schema = api["components"]["schemas"][name];
  ASSERT_TRUE(schema.is_object()) << name;
  for (const auto& key : schema["required"])
    EXPECT_TRUE(doc.contains(key.get<std::string>())) << name << " lacks " << key;
  for (const auto& [key, prop] : schema["properties"].items()) {
    EXPECT_TRUE(doc.contains(key)) << name << " lacks " << key;
    EXPECT_FALSE(prop.contains("required") && !doc.contains(key));
  }
  for (const auto& [key, value] : doc.items())
    EXPECT_TRUE(schema["properties"].contains(key)) << name << " has undocumented " << key;
}

TEST_F(Statusd, ServesTheClusterAsTheDaemonsSayIt) {
  // This node runs ipfaild too, so /healthz waits for it.
  std::ofstream(conf_ / "ha.cf", std::ios::app)
      << "ping 192.0.2.1\nrespawn hacluster /usr/lib/heartbeat/ipfail\n";
  FakeIpfail1 ipfail(bus_->address(), {"192.0.2.1"});
  ipfail.own();
  FakeMembership1 membership(bus_->address(), {"ha1", "ha2"});
  membership.own();
  FakeLink1 link(bus_->address(), {"ha2"}, {"eth0"});
  link.set_link("ha2", "eth0", "up");
  link.own();
  FakeResource1 resource(
      bus_->address(),
      {{seed_group_key,
        "ha1",
        "ha1",
        "running",
        {{seed_group_key, seed_ip_unit, "active"}, {"apache2", "apache2.service", "active"}}}});
  resource.own();
  std::vector<Conn*> conns{&membership.conn(), &link.conn(), &resource.conn(), &ipfail.conn(),
                           client_.get()};
  auto wait = [&](const std::function<bool()>& pred) { return wait_until(conns, pred); };

  start("HB_STATUSD", "ha1", tmp_.path() / "statusd.log");
  ASSERT_TRUE(wait([&] {
    auto r = get("/healthz");
    return r && r->status == 200;
  })) << log();

  // The document: nodes with their links, the group, every daemon, hb's version.
  auto r = get("/api/v1/cluster");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  const json cluster = json::parse(r->body);
  EXPECT_EQ(cluster["local_node"], "ha1");
  EXPECT_FALSE(cluster["hb_version"].get<std::string>().empty());
  EXPECT_EQ(cluster["timings"]["keepalive_ms"], 100);
  const json* ha2 = node_in(cluster, "ha2");
  ASSERT_NE(ha2, nullptr) << cluster.dump(2);
  EXPECT_EQ((*ha2)["state"], "up");
  EXPECT_EQ((*ha2)["incarnation"], 1);
  ASSERT_EQ((*ha2)["links"].size(), 1u);
  EXPECT_EQ((*ha2)["links"][0]["medium"], "eth0");
  EXPECT_EQ((*ha2)["links"][0]["state"], "up");
  ASSERT_EQ(cluster["groups"].size(), 1u);
  EXPECT_EQ(cluster["groups"][0]["owner"], "ha1");
  EXPECT_EQ(cluster["groups"][0]["state"], "running");
  EXPECT_EQ(cluster["groups"][0]["resources"][0]["unit"], seed_ip_unit);
  std::map<std::string, bool> up;
  for (const auto& d : cluster["daemons"]) up[d["name"]] = d["up"];
  EXPECT_EQ(up, (std::map<std::string, bool>{{"hb-linkd", true},
                                             {"hb-membershipd", true},
                                             {"hb-resourced", true},
                                             {"ipfaild", true}}));
  EXPECT_EQ(cluster["ping_nodes"], (json{{{"address", "192.0.2.1"}, {"state", "up"}}}));
  EXPECT_EQ(cluster["ipfail"], (json{{"local_count", 1}, {"peer_count", 0}}));

  // Nothing changed: 304 for the ETag the poller has (HEAD too).
  const std::string etag = r->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  auto same = get("/api/v1/cluster", {{"If-None-Match", etag}});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 304);
  EXPECT_TRUE(same->body.empty());
  httplib::Client head_client("127.0.0.1", port_);
  auto head = head_client.Head("/api/v1/cluster");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value("ETag"), etag);

  // A change the daemons announce reaches the document, and the old ETag no longer matches.
  membership.set_state("ha2", "dead");
  link.set_link("ha2", "eth0", "dead");
  resource.set_group(seed_group_key, "", "stopped");
  ipfail.set_state("192.0.2.1", "dead");
  ASSERT_TRUE(wait([&] {
    json c = get_json("/api/v1/cluster");
    const json* n = node_in(c, "ha2");
    return n && (*n)["state"] == "dead" && (*n)["links"][0]["state"] == "dead" &&
           c["groups"][0]["state"] == "stopped" && c["groups"][0]["owner"].is_null() &&
           c["ping_nodes"][0]["state"] == "dead" && c["ipfail"]["local_count"] == 0;
  })) << log();
  auto changed = get("/api/v1/cluster", {{"If-None-Match", etag}});
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200);
  EXPECT_NE(changed->get_header_value("ETag"), etag);

  // A daemon's Warnings (PropertiesChanged) show up too.
  membership.set_warnings({{"no-link-source", "hb-linkd is not on the bus"}});
  ASSERT_TRUE(wait([&] {
    json c = get_json("/api/v1/cluster");
    if (!c.is_object()) return false;
    for (const auto& d : c["daemons"])
      if (d["name"] == "hb-membershipd" && !d["warnings"].empty())
        return d["warnings"][0]["code"] == "no-link-source";
    return false;
  })) << log();

  // One node, one group.
  auto node = get("/api/v1/nodes/ha2");
  ASSERT_TRUE(node);
  EXPECT_EQ(node->status, 200);
  EXPECT_EQ(json::parse(node->body)["state"], "dead");
  auto group = get("/api/v1/groups/" + seed_group_key);
  ASSERT_TRUE(group);
  EXPECT_EQ(group->status, 200);
  EXPECT_EQ(json::parse(group->body)["key"], seed_group_key);

  // The OpenAPI document it serves describes what it answers.
  const json api = get_json("/api/v1/openapi.json");
  ASSERT_TRUE(api.is_object());
  EXPECT_EQ(api["openapi"].get<std::string>().substr(0, 2), "3.");
  expect_schema(api, "Cluster", get_json("/api/v1/cluster"));
  expect_schema(api, "Node", json::parse(node->body));
  expect_schema(api, "Group", json::parse(group->body));
  expect_schema(api, "Link", json::parse(node->body)["links"][0]);
  expect_schema(api, "Daemon", get_json("/api/v1/cluster")["daemons"][0]);
}

TEST_F(Statusd, ErrorsAreJsonWithTheRightStatus) {
  start("HB_STATUSD", "ha1", tmp_.path() / "statusd.log");
  std::vector<Conn*> conns{client_.get()};
  ASSERT_TRUE(wait_until(conns, [&] { return bool(get("/healthz")); })) << log();

  auto expect_error = [&](const httplib::Result& r, int status, const std::string& says) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, status);
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    const json j = json::parse(r->body, nullptr, false);
    EXPECT_EQ(j["error"]["status"], status) << r->body;
    EXPECT_NE(j["error"]["message"].get<std::string>().find(says), std::string::npos) << r->body;
  };
  expect_error(get("/api/v1/nodes/ha9"), 404, "no node \"ha9\"");
  expect_error(get("/api/v1/groups/192.0.2.99"), 404, "no resource group");
  expect_error(get("/no/such/path"), 404, "no such path");

  httplib::Client c("127.0.0.1", port_);
  auto post = c.Post("/api/v1/cluster", "{}", "application/json");
  expect_error(post, 405, "read-only");
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  expect_error(c.Delete("/api/v1/groups/x"), 405, "DELETE");

  // A request that is not HTTP: 400, still JSON.
  const std::string bad = raw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(bad.rfind("HTTP/1.1 400", 0), 0u) << bad;
  EXPECT_NE(bad.find("\"status\":400"), std::string::npos) << bad;

  // No daemon is on the bus: the probe says which.
  auto health = get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  EXPECT_NE(health->body.find("hb-membershipd: not on the bus"), std::string::npos) << health->body;
}

TEST_F(Statusd, HealthzTurns503WhenADaemonLeavesAndMetricsParse) {
  FakeMembership1 membership(bus_->address(), {"ha1", "ha2"});
  membership.own();
  FakeLink1 link(bus_->address(), {"ha2"}, {"eth0"});
  link.own();
  auto resource = std::make_unique<FakeResource1>(
      bus_->address(),
      std::vector<FakeResource1::Group>{{seed_group_key, "ha1", "ha2", "running", {}}});
  resource->own();
  std::vector<Conn*> conns{&membership.conn(), &link.conn(), &resource->conn(), client_.get()};
  start("HB_STATUSD", "ha1", tmp_.path() / "statusd.log");
  ASSERT_TRUE(wait_until(conns, [&] {
    auto r = get("/healthz");
    return r && r->status == 200;
  })) << log();

  auto metrics = get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = metrics->body;
  for (const char* line : {"hb_up{daemon=\"hb-resourced\"} 1",
                           "hb_node_state{node=\"ha2\",type=\"normal\",state=\"up\"} 1",
                           "hb_group_owner{group=\"192.0.2.10\",node=\"ha2\"} 1",
                           "hb_group_owner{group=\"192.0.2.10\",node=\"ha1\"} 0",
                           "hb_link_state{node=\"ha2\",medium=\"eth0\",state=\"init\"} 1"})
    EXPECT_NE(text.find(std::string(line) + "\n"), std::string::npos) << line << "\n" << text;
  EXPECT_NE(text.find("hb_status_cache_age_seconds{daemon=\"hb-linkd\"}"), std::string::npos);
  // Prometheus' own text parser reads it (skipped where it is not installed).
  if (auto families = prometheus_parse(text, tmp_.path())) {
    std::size_t samples = 0;
    for (const auto& [name, f] : *families) samples += f.samples;
    EXPECT_GT(samples, 10u) << "prometheus_client cannot parse:\n" << text;
  }

  // hb-resourced leaves the bus: /healthz names it, the document and the metrics say it is down.
  resource->vanish();
  conns = {&membership.conn(), &link.conn(), client_.get()};
  ASSERT_TRUE(wait_until(conns, [&] {
    auto r = get("/healthz");
    return r && r->status == 503 &&
           r->body.find("hb-resourced: not on the bus") != std::string::npos;
  })) << log();
  EXPECT_NE(get("/metrics")->body.find("hb_up{daemon=\"hb-resourced\"} 0\n"), std::string::npos);
  const json cluster = get_json("/api/v1/cluster");
  EXPECT_EQ(cluster["groups"][0]["state"], "unknown");
  EXPECT_EQ(cluster["daemons"][2]["up"], false);
}

// The four fakes, with ha2 up on eth0, the group on ha1 and the ping node reachable.
struct FourFakes {
  explicit FourFakes(const std::string& address)
      : ipfail(address, {"192.0.2.1"}),
        membership(address, {"ha1", "ha2"}),
        link(address, {"ha2"}, {"eth0"}),
        resource(address, {{seed_group_key, "ha1", "ha1", "running", {}}}) {
    link.set_link("ha2", "eth0", "up");
    ipfail.own();
    membership.own();
    link.own();
    resource.own();
  }
  std::vector<Conn*> conns() {
    return {&membership.conn(), &link.conn(), &resource.conn(), &ipfail.conn()};
  }
  FakeIpfail1 ipfail;
  FakeMembership1 membership;
  FakeLink1 link;
  FakeResource1 resource;
};

std::vector<std::string> types(const std::vector<SseEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.event);
  return out;
}

std::uint64_t seq_of(const SseEvent& e) {
  return std::stoull(e.id.substr(e.id.find('-') + 1));
}
std::string epoch_of(const SseEvent& e) {
  return e.id.substr(0, e.id.find('-'));
}

TEST_F(Statusd, EventsComeInOrderAndResumeWithExactlyTheMissedOnes) {
  std::ofstream(conf_ / "ha.cf", std::ios::app)
      << "ping 192.0.2.1\nrespawn hacluster /usr/lib/heartbeat/ipfail\n";
  std::ofstream(conf_ / "hb.conf") << "[status]\nlisten = 127.0.0.1:" << port_ << "\n";
  FourFakes fakes(bus_->address());
  std::vector<Conn*> conns = fakes.conns();
  conns.push_back(client_.get());
  auto wait = [&](const std::function<bool()>& pred) { return wait_until(conns, pred); };
  start("HB_STATUSD", "ha1", tmp_.path() / "statusd.log");
  ASSERT_TRUE(wait([&] {
    auto r = get("/healthz");
    return r && r->status == 200;
  })) << log();

  auto first = std::make_unique<SseClient>(port_);
  ASSERT_TRUE(wait([&] { return first->poll() && first->status == 200; })) << log();
  EXPECT_NE(first->head.find("Content-Type: text/event-stream"), std::string::npos) << first->head;

  // A failover as the daemons announce it.
  fakes.membership.set_state("ha2", "dead");
  fakes.link.set_link("ha2", "eth0", "dead");
  fakes.resource.set_group(seed_group_key, "ha2", "starting");
  fakes.resource.set_group(seed_group_key, "ha2", "running");
  fakes.ipfail.set_state("192.0.2.1", "dead");
  // When the group's last event arrives, the cluster document shows it already.
  json owner_then;
  ASSERT_TRUE(wait([&] {
    first->poll();
    if (first->events.size() >= 4 && owner_then.is_null())
      owner_then = get_json("/api/v1/cluster")["groups"][0];
    return first->events.size() >= 5;
  })) << log();
  EXPECT_EQ(types(first->events),
            (std::vector<std::string>{"node", "link", "group", "group", "pingnode"}));
  const auto& ev = first->events;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    EXPECT_EQ(epoch_of(ev[i]), epoch_of(ev[0]));
    if (i > 0) {
      EXPECT_EQ(seq_of(ev[i]), seq_of(ev[i - 1]) + 1) << ev[i].id;
    }
  }
  const json node = json::parse(ev[0].data);
  EXPECT_EQ(node["node"], "ha2");
  EXPECT_EQ(node["old_state"], "up");
  EXPECT_EQ(node["new_state"], "dead");
  EXPECT_FALSE(node["time"].get<std::string>().empty());
  const json link = json::parse(ev[1].data);
  EXPECT_EQ(link["medium"], "eth0");
  EXPECT_EQ(link["new_state"], "dead");
  const json starting = json::parse(ev[2].data);
  EXPECT_EQ(starting["group"], seed_group_key);
  EXPECT_EQ(starting["old_owner"], "ha1");
  EXPECT_EQ(starting["old_state"], "running");
  EXPECT_EQ(starting["new_owner"], "ha2");
  EXPECT_EQ(starting["new_state"], "starting");
  const json running = json::parse(ev[3].data);
  EXPECT_EQ(running["old_state"], "starting");
  EXPECT_EQ(running["new_state"], "running");
  EXPECT_EQ(json::parse(ev[4].data)["address"], "192.0.2.1");
  // What they say is what the OpenAPI document describes.
  const json api = get_json("/api/v1/openapi.json");
  expect_schema(api, "NodeEvent", node);
  expect_schema(api, "LinkEvent", link);
  expect_schema(api, "GroupEvent", running);
  expect_schema(api, "PingNodeEvent", json::parse(ev[4].data));
  EXPECT_EQ(owner_then["owner"], "ha2") << owner_then.dump();
  EXPECT_EQ(owner_then["state"], "running") << owner_then.dump();

  // The client goes away after the link event; two things happen while it is gone.
  const std::string seen = ev[1].id;
  first.reset();
  fakes.membership.set_state("ha2", "up");
  fakes.membership.set_warnings({{"no-link-source", "hb-linkd is not on the bus"}});
  // The live client that returns later still needs them: wait until the cache has them all.
  ASSERT_TRUE(wait([&] {
    json c = get_json("/api/v1/cluster");
    return c.is_object() && c["daemons"][1]["warnings"].size() == 1 && node_in(c, "ha2") &&
           (*node_in(c, "ha2"))["state"] == "up";
  })) << log();
  SseClient resumed(port_, seen);
  auto listing = [](const SseClient& c) {
    std::string out = "status " + std::to_string(c.status) + "\n";
    for (const auto& e : c.events) out += e.id + " " + e.event + " " + e.data + "\n";
    return out;
  };
  ASSERT_TRUE(wait([&] { return resumed.poll() && resumed.events.size() >= 5; }))
      << listing(resumed) << log();
  // Then one more live, so that anything extra would have shown by now.
  fakes.link.set_link("ha2", "eth0", "up");
  ASSERT_TRUE(wait([&] { return resumed.poll() && resumed.events.size() >= 6; })) << log();
  EXPECT_EQ(types(resumed.events),
            (std::vector<std::string>{"group", "group", "pingnode", "node", "warnings", "link"}));
  EXPECT_EQ(seq_of(resumed.events[0]), std::stoull(seen.substr(seen.find('-') + 1)) + 1);
  for (std::size_t i = 1; i < resumed.events.size(); ++i)
    EXPECT_EQ(seq_of(resumed.events[i]), seq_of(resumed.events[i - 1]) + 1);
  const json warnings = json::parse(resumed.events[4].data);
  EXPECT_EQ(warnings["daemon"], "hb-membershipd");
  EXPECT_EQ(warnings["added"][0]["code"], "no-link-source");
  expect_schema(api, "WarningsEvent", warnings);

  // An id from another start of hb-statusd: the whole state first, then live events.
  SseClient foreign(port_, "1-3");
  ASSERT_TRUE(wait([&] { return foreign.poll() && !foreign.events.empty(); })) << log();
  EXPECT_EQ(foreign.events[0].event, "reset");
  EXPECT_EQ(foreign.events[0].id, resumed.events.back().id);
  const json state = json::parse(foreign.events[0].data);
  ASSERT_TRUE(state.is_object()) << foreign.events[0].data;
  EXPECT_EQ(state["groups"][0]["owner"], "ha2");
  EXPECT_EQ((*node_in(state, "ha2"))["links"][0]["state"], "up");
  fakes.resource.set_group(seed_group_key, "ha1", "starting");
  ASSERT_TRUE(wait([&] { return foreign.poll() && foreign.events.size() >= 2; })) << log();
  EXPECT_EQ(foreign.events[1].event, "group");
  EXPECT_EQ(json::parse(foreign.events[1].data)["new_owner"], "ha1");
  EXPECT_EQ(foreign.events.size(), 2u);
}

TEST_F(Statusd, StreamsAndIdleConnectionsLeaveRoomForRequests) {
  std::ofstream(conf_ / "hb.conf") << "[status]\n"
                                   << "listen = 127.0.0.1:" << port_ << "\n"
                                   << "request_workers = 2\n"
                                   << "max_event_streams = 3\n";
  FourFakes fakes(bus_->address());
  std::vector<Conn*> conns = fakes.conns();
  conns.push_back(client_.get());
  start("HB_STATUSD", "ha1", tmp_.path() / "statusd.log");
  ASSERT_TRUE(wait_until(conns, [&] {
    auto r = get("/healthz");
    return r && r->status == 200;
  })) << log();

  // Every stream it allows, each holding its thread ...
  std::vector<std::unique_ptr<SseClient>> streams;
  for (int i = 0; i < 3; ++i) {
    streams.push_back(std::make_unique<SseClient>(port_));
    ASSERT_TRUE(
        wait_until(conns, [&] { return streams.back()->poll() && streams.back()->status == 200; }))
        << "stream " << i << "\n"
        << log();
  }
  // ... and 8 connections that never finish a request: 4 send nothing, 4 half a request head.
  std::vector<int> idle;
  for (int i = 0; i < 8; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    if (i % 2 == 1) {
      const std::string part = "GET /api/v1/cluster HTTP/1.1\r\nHost: 127.0.0.1\r\n";
      ASSERT_EQ(::send(fd, part.data(), part.size(), MSG_NOSIGNAL), ssize_t(part.size()));
    }
    idle.push_back(fd);
  }
  // The cluster document still comes at once: well before the 5 s read timeout (hb.conf's
  // default) that a server waiting on those connections would need first. The limit leaves room
  // for a loaded machine (it took 1.01 s once with two builds running beside it).
  const auto before = std::chrono::steady_clock::now();
  auto r = get("/api/v1/cluster");
  const auto took = std::chrono::steady_clock::now() - before;
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(took, std::chrono::milliseconds(2500));

  // One stream more: a clear 503.
  auto refused = get("/api/v1/events");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->get_header_value("Content-Type"), "application/json");
  const json error = json::parse(refused->body, nullptr, false);
  EXPECT_NE(error["error"]["message"].get<std::string>().find("too many event streams"),
            std::string::npos)
      << refused->body;
  // The streams it has are still served.
  fakes.membership.set_state("ha2", "dead");
  ASSERT_TRUE(wait_until(conns, [&] {
    for (auto& s : streams)
      if (!s->poll() || s->events.empty()) return false;
    return true;
  })) << log();
  for (int fd : idle) ::close(fd);
}

TEST_F(Statusd, ABadHbConfExits78WithFileAndLine) {
  std::ofstream(conf_ / "hb.conf") << "[status]\nlisten = everywhere\n";
  start("HB_STATUSD", "ha1", tmp_.path() / "statusd.log");
  const int status = daemon_.wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 78) << log();
  EXPECT_NE(log().find("hb.conf:2: listen \"everywhere\" is not an address:port"),
            std::string::npos)
      << log();
}

}  // namespace
}  // namespace hb::test
