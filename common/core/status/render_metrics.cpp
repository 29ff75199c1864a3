// /metrics: a Snapshot in Prometheus' text format (render_metrics.hpp).
#include "core/status/render_metrics.hpp"

#include <algorithm>
#include <initializer_list>
#include <utility>
#include <vector>

namespace hb::status {
namespace {

using Labels = std::vector<std::pair<const char*, std::string>>;

// Every value a state can take, so each has its series from the start.
constexpr std::initializer_list<const char*> node_states = {"init", "up", "dead", "unknown"};
constexpr std::initializer_list<const char*> link_states = {"init", "up", "late", "dead",
                                                            "unknown"};
constexpr std::initializer_list<const char*> group_states = {"stopped",  "starting", "running",
                                                             "stopping", "failed",   "unknown"};
constexpr std::initializer_list<const char*> ping_states = {"init", "up", "dead", "unknown"};

class Writer {
 public:
  // One family: HELP and TYPE once, then its samples.
  void family(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(const char* name, const Labels& labels, double value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) out_ += ',';
        out_ += labels[i].first;
        out_ += "=\"";
        out_ += escape_label_value(labels[i].second);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += number(value);
    out_ += '\n';
  }
  // One series per state, 1 for the current one (an unlisted current state gets its own).
  void states(const char* name, Labels labels, std::initializer_list<const char*> all,
              const std::string& current) {
    bool listed = false;
    for (const char* s : all) {
      Labels l = labels;
      l.emplace_back("state", s);
      sample(name, l, current == s ? 1 : 0);
      listed = listed || current == s;
    }
    if (!listed) {
      labels.emplace_back("state", current);
      sample(name, labels, 1);
    }
  }
  std::string take() { return std::move(out_); }

 private:
  static std::string number(double v) {
    // Integers (every counter and gauge here but the ages) print without an exponent.
    if (v == static_cast<double>(static_cast<std::int64_t>(v)) && v < 9e15 && v > -9e15)
      return std::to_string(static_cast<std::int64_t>(v));
    std::string s = std::to_string(v);
    return s;
  }
  std::string out_;
};

}  // namespace

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string render_metrics(const Snapshot& s, std::uint64_t now_usec, const StatusdCounters& own) {
  Writer w;
  w.family("hb_info", "gauge", "hb's version and this node's name (always 1).");
  w.sample("hb_info", {{"version", s.version}, {"node", s.local_node}}, 1);

  w.family("hb_up", "gauge", "Whether the daemon is on the bus (1) or not (0).");
  for (const auto& d : s.daemons) w.sample("hb_up", {{"daemon", d.name}}, d.up ? 1 : 0);
  w.family("hb_status_cache_age_seconds", "gauge",
           "Seconds since hb-statusd last read the daemon's objects (only once read).");
  for (const auto& d : s.daemons) {
    if (!d.read || d.read_at_usec > now_usec) continue;
    w.sample("hb_status_cache_age_seconds", {{"daemon", d.name}},
             static_cast<double>(now_usec - d.read_at_usec) / 1e6);
  }
  w.family("hb_status_cache_generation", "gauge", "Changes hb-statusd has seen since it started.");
  w.sample("hb_status_cache_generation", {}, static_cast<double>(s.generation));
  if (own.admin_refused) {
    w.family("hb_status_admin_refused_total", "counter",
             "Admin requests refused for a missing or wrong token.");
    w.sample("hb_status_admin_refused_total", {}, static_cast<double>(*own.admin_refused));
  }
  w.family("hb_warnings", "gauge", "What the daemon says puts the cluster at risk (its Warnings).");
  for (const auto& d : s.daemons)
    w.sample("hb_warnings", {{"daemon", d.name}}, static_cast<double>(d.warnings.size()));
  w.family("hb_warning", "gauge", "One series per warning a daemon raises now (always 1).");
  for (const auto& d : s.daemons)
    for (const auto& x : d.warnings)
      w.sample("hb_warning", {{"daemon", d.name}, {"code", x.code}}, 1);

  w.family("hb_node_state", "gauge", "The node's state: 1 for the state it is in, else 0.");
  for (const auto& n : s.nodes)
    w.states("hb_node_state", {{"node", n.name}, {"type", n.type}}, node_states, n.state);
  w.family("hb_node_incarnation", "gauge", "How many times the node has (re)joined.");
  for (const auto& n : s.nodes)
    if (n.incarnation)
      w.sample("hb_node_incarnation", {{"node", n.name}}, static_cast<double>(*n.incarnation));

  w.family("hb_link_state", "gauge", "The link's state: 1 for the state it is in, else 0.");
  for (const auto& n : s.nodes)
    for (const auto& l : n.links)
      w.states("hb_link_state", {{"node", n.name}, {"medium", l.medium}}, link_states, l.state);
  w.family("hb_link_packets_received_total", "counter",
           "Packets accepted from the peer on the link.");
  for (const auto& n : s.nodes)
    for (const auto& l : n.links)
      if (l.packets_received)
        w.sample("hb_link_packets_received_total", {{"node", n.name}, {"medium", l.medium}},
                 static_cast<double>(*l.packets_received));
  w.family("hb_link_packets_sent_total", "counter", "Packets sent to the peer on the link.");
  for (const auto& n : s.nodes)
    for (const auto& l : n.links)
      if (l.packets_sent)
        w.sample("hb_link_packets_sent_total", {{"node", n.name}, {"medium", l.medium}},
                 static_cast<double>(*l.packets_sent));
  w.family("hb_link_packets_rejected_total", "counter",
           "Packets from the peer dropped on the link, by reason.");
  for (const auto& n : s.nodes)
    for (const auto& l : n.links)
      for (const auto& [reason, count] : l.rejected)
        w.sample("hb_link_packets_rejected_total",
                 {{"node", n.name}, {"medium", l.medium}, {"reason", reason}},
                 static_cast<double>(count));

  // Every cluster node (and any owner outside that list) gets a series for every group.
  std::vector<std::string> owners;
  for (const auto& n : s.nodes)
    if (n.type != "ping") owners.push_back(n.name);
  for (const auto& g : s.groups)
    if (!g.owner.empty() && std::find(owners.begin(), owners.end(), g.owner) == owners.end())
      owners.push_back(g.owner);
  w.family("hb_group_owner", "gauge",
           "1 on the node that runs the resource group, 0 on the others.");
  for (const auto& g : s.groups)
    for (const auto& o : owners)
      w.sample("hb_group_owner", {{"group", g.key}, {"node", o}}, g.owner == o ? 1 : 0);
  w.family("hb_group_state", "gauge", "The resource group's state: 1 for its state, else 0.");
  for (const auto& g : s.groups)
    w.states("hb_group_state", {{"group", g.key}}, group_states, g.state);
  // hb-resourced's counts (core/failover/takeovers.hpp): no sample while it is not read, and no
  // duration before the first takeover.
  w.family("hb_failovers_total", "counter",
           "Takeovers of the resource group by this node since its hb-resourced started: the "
           "group came to run here after the peer running it died, shut down or let it go.");
  for (const auto& g : s.groups)
    if (g.takeovers) w.sample("hb_failovers_total", {{"group", g.key}}, *g.takeovers);
  w.family("hb_last_takeover_duration_seconds", "gauge",
           "The last takeover's duration: from when this node learnt the peer no longer ran the "
           "group to the group running here.");
  for (const auto& g : s.groups)
    if (g.takeovers && *g.takeovers > 0 && g.last_takeover_usec)
      w.sample("hb_last_takeover_duration_seconds", {{"group", g.key}},
               static_cast<double>(*g.last_takeover_usec) / 1e6);

  w.family("hb_ping_node_reachable", "gauge", "1 while ipfaild reaches the ping node, else 0.");
  for (const auto& p : s.ping_nodes)
    w.sample("hb_ping_node_reachable", {{"address", p.address}}, p.state == "up" ? 1 : 0);
  w.family("hb_ping_node_state", "gauge", "The ping node's state: 1 for its state, else 0.");
  for (const auto& p : s.ping_nodes)
    w.states("hb_ping_node_state", {{"address", p.address}}, ping_states, p.state);
  w.family("hb_ping_nodes_reachable", "gauge",
           "Ping nodes reached, as ipfaild counts them: by this node (local) and by its peer.");
  if (s.ping_local_count)
    w.sample("hb_ping_nodes_reachable", {{"side", "local"}}, *s.ping_local_count);
  if (s.ping_peer_count)
    w.sample("hb_ping_nodes_reachable", {{"side", "peer"}}, *s.ping_peer_count);
  return w.take();
}

}  // namespace hb::status
