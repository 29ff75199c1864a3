// hb-statusd's pure parts: a snapshot assembled from the daemons' objects as the bus gives them,
// rendered as the REST documents, Prometheus metrics and /healthz's verdict; ETags.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "core/status/etag.hpp"
#include "core/status/health.hpp"
#include "core/status/render_json.hpp"
#include "core/status/render_metrics.hpp"
#include "core/status/snapshot.hpp"

namespace hb::status {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr std::uint64_t mono_now = 1'000'000'000;     // 1000 s of CLOCK_MONOTONIC
constexpr std::int64_t wall_now = 1'764'763'200'000;  // 2025-12-03T12:00:00.000Z

config::Config two_nodes() {
  config::Config c;
  c.local_node = "ha1";
  c.ha_cf.nodes = {"ha1", "ha2"};
  c.ha_cf.ping_nodes = {"192.0.2.1"};
  c.ha_cf.keepalive = milliseconds(100);
  c.ha_cf.deadtime = milliseconds(1000);
  config::ResourceGroup g;
  g.preferred_node = "ha1";
  config::Resource ip;
  ip.token = "192.0.2.10";
  config::Resource web;
  web.token = "apache2";
  g.resources = {ip, web};
  c.groups = {g};
  return c;
}

// Every daemon up and read, as their GetManagedObjects and GetAll replies would say.
Sources cluster_sources() {
  Sources s;
  for (Source* x : s.all()) {
    x->up = true;
    x->read = true;
    x->read_at_usec = mono_now - 500'000;
  }
  s.membership.objects = json::parse(R"({
    "/io/github/hbcluster/membership1/node/ha1": {"io.github.hbcluster.membership1.Node":
      {"Name": "ha1", "Type": "normal", "State": "up", "Incarnation": 1, "Reason": "local",
       "LastHeardUSec": 0, "Links": {}}},
    "/io/github/hbcluster/membership1/node/ha2": {"io.github.hbcluster.membership1.Node":
      {"Name": "ha2", "Type": "normal", "State": "up", "Incarnation": 3, "Reason": "first-contact",
       "LastHeardUSec": 999500000, "Links": {"eth0": "up"}}},
    "/io/github/hbcluster/membership1/node/192_2e0_2e2_2e1": {"io.github.hbcluster.membership1.Node":
      {"Name": "192.0.2.1", "Type": "ping", "State": "init", "Incarnation": 0, "Reason": "none",
       "LastHeardUSec": 0, "Links": {}}}
  })");
  s.membership.manager = json::parse(R"({"LocalNode": "ha1", "Nodes": ["ha1", "ha2", "192.0.2.1"],
                                         "Warnings": []})");
  s.link.objects = json::parse(R"({
    "/io/github/hbcluster/link1/link/ha2_2feth0": {"io.github.hbcluster.link1.Link":
      {"Node": "ha2", "Medium": "eth0", "State": "up", "LastHeardUSec": 999900000,
       "PacketsReceived": 1234, "PacketsSent": 1240, "Rejected": {"auth": 2, "replay": 1}}},
    "/io/github/hbcluster/link1/peer/ha2": {"io.github.hbcluster.link1.Peer":
      {"Name": "ha2", "Generation": 7, "LastSeq": 99}}
  })");
  s.link.manager = json::parse(
      R"({"LocalNode": "ha1", "Generation": 4,
          "Warnings": [["weak-auth-crc-udp", "crc on a UDP medium: anyone on the LAN can forge"]]})");
  s.resource.objects = json::parse(R"({
    "/io/github/hbcluster/resource1/group/192_2e0_2e2_2e10": {"io.github.hbcluster.resource1.Group":
      {"Key": "192.0.2.10", "PreferredNode": "ha1", "Owner": "ha1", "State": "running",
       "Resources": [["192.0.2.10", "hb-ipaddr@192.0.2.10.service", "active"],
                     ["apache2", "apache2.service", "active"]],
       "Takeovers": 1, "LastTakeoverUSec": 2500000}}
  })");
  s.resource.manager = json::parse(R"({"Warnings": [], "PeerProtocols": {"ha2": "heartbeat"}})");
  s.ipfail.objects = json::parse(R"({
    "/io/github/hbcluster/ipfail1/pingnode/192_2e0_2e2_2e1": {"io.github.hbcluster.ipfail1.PingNode":
      {"Address": "192.0.2.1", "State": "up"}}
  })");
  s.ipfail.manager = json::parse(R"({"LocalCount": 1, "PeerCount": 0, "Warnings": []})");
  return s;
}

Snapshot build(const Sources& s, const config::Config& c, std::uint64_t generation = 5,
               const Snapshot* previous = nullptr, std::int64_t wall = wall_now) {
  return assemble(s, AssembleInput{&c, "0.1.0", 42, generation, Clocks{wall, mono_now}}, previous);
}

TEST(StatusJson, TheClusterDocumentSaysWhatTheDaemonsSay) {
  const auto c = two_nodes();
  const json j = cluster_json(build(cluster_sources(), c));
  EXPECT_EQ(j["api_version"], 1);
  EXPECT_EQ(j["hb_version"], "0.1.0");
  EXPECT_EQ(j["local_node"], "ha1");
  EXPECT_EQ(j["generated_at"], "2025-12-03T12:00:00.000Z");
  EXPECT_EQ(j["cache"], (json{{"epoch", 42}, {"generation", 5}}));
  EXPECT_EQ(j["timings"]["keepalive_ms"], 100);
  EXPECT_EQ(j["timings"]["deadtime_ms"], 1000);
  ASSERT_EQ(j["nodes"].size(), 3u);
  const json& ha2 = j["nodes"][1];
  EXPECT_EQ(ha2["name"], "ha2");
  EXPECT_EQ(ha2["state"], "up");
  EXPECT_EQ(ha2["incarnation"], 3);
  EXPECT_EQ(ha2["reason"], "first-contact");
  EXPECT_EQ(ha2["generation"], 7);
  EXPECT_EQ(ha2["protocol"], "heartbeat");                   // hb-resourced's PeerProtocols
  EXPECT_EQ(j["nodes"][0]["protocol"], "hb");                // this node
  EXPECT_EQ(j["nodes"][2]["protocol"], nullptr);             // a ping node
  EXPECT_EQ(ha2["last_heard"], "2025-12-03T11:59:59.500Z");  // 0.5 s before now
  ASSERT_EQ(ha2["links"].size(), 1u);
  EXPECT_EQ(ha2["links"][0], (json{{"medium", "eth0"},
                                   {"state", "up"},
                                   {"last_heard", "2025-12-03T11:59:59.900Z"},
                                   {"packets_received", 1234},
                                   {"packets_sent", 1240},
                                   {"rejected", {{"auth", 2}, {"replay", 1}}}}));
  EXPECT_EQ(j["nodes"][0]["last_heard"], nullptr);  // this node: never heard over a link
  EXPECT_EQ(j["nodes"][2]["type"], "ping");
  ASSERT_EQ(j["groups"].size(), 1u);
  EXPECT_EQ(j["groups"][0],
            (json{{"key", "192.0.2.10"},
                  {"preferred_node", "ha1"},
                  {"owner", "ha1"},
                  {"state", "running"},
                  {"since", "2025-12-03T12:00:00.000Z"},
                  {"resources",
                   {{{"token", "192.0.2.10"},
                     {"unit", "hb-ipaddr@192.0.2.10.service"},
                     {"state", "active"}},
                    {{"token", "apache2"}, {"unit", "apache2.service"}, {"state", "active"}}}},
                  {"takeovers", 1},
                  {"last_takeover_seconds", 2.5}}));
  EXPECT_EQ(j["ping_nodes"], (json{{{"address", "192.0.2.1"}, {"state", "up"}}}));
  EXPECT_EQ(j["ipfail"], (json{{"local_count", 1}, {"peer_count", 0}}));
  ASSERT_EQ(j["daemons"].size(), 4u);
  EXPECT_EQ(j["daemons"][0]["name"], "hb-linkd");
  EXPECT_EQ(j["daemons"][0]["up"], true);
  EXPECT_EQ(j["daemons"][0]["warnings"][0]["code"], "weak-auth-crc-udp");
}

TEST(StatusJson, ADaemonThatIsNotRunningShowsAsSuchAndConfigFillsIn) {
  const auto c = two_nodes();
  Sources s = cluster_sources();
  s.resource = Source("hb-resourced", "io.github.hbcluster.resource1");
  s.link = Source("hb-linkd", "io.github.hbcluster.link1");
  const json j = cluster_json(build(s, c));
  EXPECT_EQ(j["daemons"][2]["up"], false);
  EXPECT_EQ(j["daemons"][2]["read"], false);
  // The groups of haresources, state unknown, nobody named as owner.
  EXPECT_EQ(j["groups"][0]["key"], "192.0.2.10");
  EXPECT_EQ(j["groups"][0]["owner"], nullptr);
  EXPECT_EQ(j["groups"][0]["state"], "unknown");
  EXPECT_EQ(j["groups"][0]["since"], nullptr);
  EXPECT_EQ(j["groups"][0]["resources"][1]["token"], "apache2");
  EXPECT_EQ(j["groups"][0]["takeovers"], nullptr);  // not known without hb-resourced
  EXPECT_EQ(j["groups"][0]["last_takeover_seconds"], nullptr);
  EXPECT_EQ(render_metrics(build(s, c), mono_now).find("hb_failovers_total{"), std::string::npos);
  // Without hb-linkd the links are hb-membershipd's view, without counters.
  EXPECT_EQ(j["nodes"][1]["links"][0]["state"], "up");
  EXPECT_EQ(j["nodes"][1]["links"][0]["packets_received"], nullptr);
}

TEST(StatusJson, AGroupKeepsItsSinceUntilItsOwnerOrStateChanges) {
  const auto c = two_nodes();
  Sources s = cluster_sources();
  const Snapshot first = build(s, c, 1);
  const Snapshot same = build(s, c, 2, &first, wall_now + 5000);
  EXPECT_EQ(same.group("192.0.2.10")->since_unix_ms, wall_now);
  s.resource.objects["/io/github/hbcluster/resource1/group/192_2e0_2e2_2e10"]
                    ["io.github.hbcluster.resource1.Group"]["Owner"] = "ha2";
  const Snapshot moved = build(s, c, 3, &same, wall_now + 9000);
  EXPECT_EQ(moved.group("192.0.2.10")->since_unix_ms, wall_now + 9000);
}

TEST(StatusJson, OddPropertiesAreTakenAsMissing) {
  const auto c = two_nodes();
  Sources s = cluster_sources();
  s.membership.objects = json::parse(R"({
    "/x": {"io.github.hbcluster.membership1.Node": {"Name": 5, "State": ["up"]}},
    "/y": {"io.github.hbcluster.membership1.Node": {"Name": "ha2", "State": 3, "Incarnation": -1}},
    "/z": "nonsense"})");
  s.link.manager = json::parse(R"({"Warnings": [["only-code"], "text", 7]})");
  const Snapshot snap = build(s, c);
  EXPECT_EQ(snap.node("ha2")->state, "unknown");
  EXPECT_EQ(snap.node("ha2")->incarnation, std::nullopt);
  EXPECT_TRUE(snap.daemons[0].warnings.empty());
  EXPECT_NO_THROW(cluster_json(snap).dump());
}

TEST(StatusJson, NodeAndGroupLookupAndErrors) {
  const auto c = two_nodes();
  const Snapshot snap = build(cluster_sources(), c);
  ASSERT_NE(snap.node("HA2"), nullptr);  // node names compare as heartbeat does
  EXPECT_EQ(node_json(*snap.node("ha2"))["name"], "ha2");
  EXPECT_EQ(snap.node("ha3"), nullptr);
  EXPECT_EQ(group_json(*snap.group("192.0.2.10"))["owner"], "ha1");
  EXPECT_EQ(snap.group("192.0.2.11"), nullptr);
  EXPECT_EQ(error_json(404, "no node \"ha3\""),
            (json{{"error",
                   {{"status", 404}, {"reason", "Not Found"}, {"message", "no node \"ha3\""}}}}));
  EXPECT_EQ(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339_ms(951782400123), "2000-02-29T00:00:00.123Z");
}

// The samples of `text` as "name{labels}" -> value, checking each line's shape on the way.
std::map<std::string, std::string> samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  std::set<std::string> typed;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      std::string name, type;
      t >> name >> type;
      EXPECT_TRUE(typed.insert(name).second) << "TYPE twice for " << name;
      EXPECT_TRUE(type == "gauge" || type == "counter") << line;
      continue;
    }
    if (line.rfind("# HELP ", 0) == 0) continue;
    const auto space = line.rfind(' ');
    EXPECT_NE(space, std::string::npos) << line;
    EXPECT_EQ(line.rfind("hb_", 0), 0u) << line;
    out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

TEST(StatusMetrics, StatesAreOneSeriesPerValue) {
  const auto c = two_nodes();
  const auto m = samples(render_metrics(build(cluster_sources(), c), mono_now));
  EXPECT_EQ(m.at(R"(hb_up{daemon="hb-resourced"})"), "1");
  EXPECT_EQ(m.at(R"(hb_node_state{node="ha2",type="normal",state="up"})"), "1");
  EXPECT_EQ(m.at(R"(hb_node_state{node="ha2",type="normal",state="dead"})"), "0");
  EXPECT_EQ(m.at(R"(hb_node_state{node="ha2",type="normal",state="init"})"), "0");
  EXPECT_EQ(m.at(R"(hb_node_incarnation{node="ha2"})"), "3");
  EXPECT_EQ(m.at(R"(hb_link_state{node="ha2",medium="eth0",state="up"})"), "1");
  EXPECT_EQ(m.at(R"(hb_link_state{node="ha2",medium="eth0",state="late"})"), "0");
  EXPECT_EQ(m.at(R"(hb_link_packets_received_total{node="ha2",medium="eth0"})"), "1234");
  EXPECT_EQ(m.at(R"(hb_link_packets_rejected_total{node="ha2",medium="eth0",reason="auth"})"), "2");
  EXPECT_EQ(m.at(R"(hb_group_owner{group="192.0.2.10",node="ha1"})"), "1");
  EXPECT_EQ(m.at(R"(hb_group_owner{group="192.0.2.10",node="ha2"})"), "0");
  EXPECT_EQ(m.at(R"(hb_group_state{group="192.0.2.10",state="running"})"), "1");
  EXPECT_EQ(m.at(R"(hb_group_state{group="192.0.2.10",state="failed"})"), "0");
  EXPECT_EQ(m.at(R"(hb_failovers_total{group="192.0.2.10"})"), "1");
  EXPECT_EQ(m.at(R"(hb_last_takeover_duration_seconds{group="192.0.2.10"})"), "2.500000");
  EXPECT_EQ(m.at(R"(hb_ping_node_reachable{address="192.0.2.1"})"), "1");
  EXPECT_EQ(m.at(R"(hb_ping_nodes_reachable{side="local"})"), "1");
  EXPECT_EQ(m.at(R"(hb_warning{daemon="hb-linkd",code="weak-auth-crc-udp"})"), "1");
  EXPECT_EQ(m.at(R"(hb_status_cache_age_seconds{daemon="hb-linkd"})"), "0.500000");
  EXPECT_EQ(m.at("hb_status_cache_generation"), "5");
}

TEST(StatusMetrics, AMovedGroupKeepsItsSeries) {
  const auto c = two_nodes();
  Sources s = cluster_sources();
  const auto before = samples(render_metrics(build(s, c), mono_now));
  s.resource.objects["/io/github/hbcluster/resource1/group/192_2e0_2e2_2e10"]
                    ["io.github.hbcluster.resource1.Group"]["Owner"] = "ha2";
  const auto after = samples(render_metrics(build(s, c), mono_now));
  std::vector<std::string> a, b;
  for (const auto& [k, v] : before) a.push_back(k);
  for (const auto& [k, v] : after) b.push_back(k);
  EXPECT_EQ(a, b);  // the same series, only values differ
  EXPECT_EQ(after.at(R"(hb_group_owner{group="192.0.2.10",node="ha2"})"), "1");
}

TEST(StatusMetrics, LabelValuesAreEscaped) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(StatusHealth, EveryExpectedDaemonUpAndFresh) {
  const auto c = two_nodes();
  Sources s = cluster_sources();
  EXPECT_TRUE(check_health(build(s, c), mono_now, milliseconds(10000)).ok);
  auto stale = check_health(build(s, c), mono_now, milliseconds(100));
  EXPECT_FALSE(stale.ok);
  EXPECT_EQ(stale.problems.front(), "hb-linkd: last read 500 ms ago (limit 100 ms)");
  s.membership.up = false;
  s.membership.read = false;
  s.ipfail.expected = false;
  s.ipfail.up = false;
  auto down = check_health(build(s, c), mono_now, milliseconds(10000));
  EXPECT_EQ(down.problems, std::vector<std::string>{"hb-membershipd: not on the bus"});
}

TEST(StatusEtag, MatchesAsRfc9110Says) {
  const std::string tag = etag_of("{}");
  EXPECT_EQ(tag.size(), 18u);
  EXPECT_NE(tag, etag_of("{ }"));
  EXPECT_TRUE(if_none_match(tag, tag));
  EXPECT_TRUE(if_none_match("\"x\", " + tag, tag));
  EXPECT_TRUE(if_none_match("W/" + tag, tag));
  EXPECT_TRUE(if_none_match(" * ", tag));
  EXPECT_FALSE(if_none_match("\"x\"", tag));
  EXPECT_FALSE(if_none_match("", tag));
}

}  // namespace
}  // namespace hb::status
