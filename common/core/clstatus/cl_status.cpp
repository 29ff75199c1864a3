// heartbeat's cl_status sub-commands, answered from hb's view of the cluster (cl_status.hpp).
#include "core/clstatus/cl_status.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include "core/config/node_name.hpp"

namespace hb::clstatus {
namespace {

// heartbeat lists node names lowered (ASCII only, as it compares them).
std::string lower(std::string s) {
  for (char& c : s) c = config::ascii_lower(c);
  return s;
}

// getopt(3) as cl_status calls it (GNU, permuting): options anywhere among the words after the
// sub-command, clustered ("-mv"), an option's argument in the same word or the next, "--" ends
// them. Unknown options and missing arguments come back as '?' after getopt's own message,
// which names the sub-command (cl_status hands getopt its argv from the sub-command on).
struct Parsed {
  std::vector<char> options;           // in order, '?' for a bad one
  std::map<char, std::string> values;  // an option's argument
  std::vector<std::string> operands;   // the non-option words, in order
};

Parsed parse_options(const std::vector<std::string>& args, const std::string& optstr,
                     std::string& err) {
  Parsed p;
  const std::string& prog = args.front();
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      p.operands.insert(p.operands.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (a.size() < 2 || a[0] != '-') {
      p.operands.push_back(a);
      continue;
    }
    for (std::size_t k = 1; k < a.size(); ++k) {
      const char c = a[k];
      const auto at = optstr.find(c);
      if (c == ':' || at == std::string::npos) {
        err += prog + ": invalid option -- '" + std::string(1, c) + "'\n";
        p.options.push_back('?');
        continue;
      }
      if (at + 1 < optstr.size() && optstr[at + 1] == ':') {
        if (k + 1 < a.size()) {
          p.values[c] = a.substr(k + 1);
        } else if (i + 1 < args.size()) {
          p.values[c] = args[++i];
        } else {
          err += prog + ": option requires an argument -- '" + std::string(1, c) + "'\n";
          p.options.push_back('?');
          break;
        }
        p.options.push_back(c);
        break;
      }
      p.options.push_back(c);
    }
  }
  return p;
}

struct Context {
  const View& view;
  const std::string& log_prefix;
  Answer answer;
  bool human = false;  // -m, heartbeat's FOR_HUMAN_READ

  void out(const std::string& s) { answer.out += s; }
  void eprint(const std::string& s) { answer.err += s; }
  // heartbeat's cl_log(LOG_ERR, ...) on stderr.
  void log_error(const std::string& s) { answer.err += log_prefix + "ERROR: " + s + "\n"; }
};

const Node* find_node(const View& v, const std::string& name) {
  for (const Node& n : v.nodes)
    if (config::same_node_name(n.name, name)) return &n;
  return nullptr;
}

bool is_local(const View& v, const Node& n) {
  return n.type != "ping" && config::same_node_name(n.name, v.local_node);
}

// The links heartbeat would list for `node`: medium -> up/dead.
std::vector<std::pair<std::string, std::string>> links_of(const View& v, const Node& node) {
  std::vector<std::pair<std::string, std::string>> out;
  if (node.type == "ping") {
    out.emplace_back(lower(node.name), node.state == "up" ? "up" : "dead");
    return out;
  }
  if (is_local(v, node)) {
    // hb-linkd has no link to this node itself; its media are those of the peers. heartbeat
    // calls a medium of its own node up when it hears its own packets on it: a UDP medium
    // (bcast, mcast) echoes them, a serial line never does.
    auto own = [](const std::string& medium) {
      return medium.starts_with("/dev/") ? "dead" : "up";
    };
    std::map<std::string, std::string> media;
    for (const Node& n : v.nodes)
      if (n.type != "ping")
        for (const auto& [medium, st] : n.links) media[medium] = own(medium);
    for (const auto& [medium, st] : node.links) media[medium] = own(medium);
    out.assign(media.begin(), media.end());
    return out;
  }
  for (const auto& [medium, st] : node.links) out.emplace_back(medium, link_status(st));
  return out;
}

void list_links(Context& c, const Node& node, bool verbose) {
  if (c.human) c.out("\tthis node has the following heartbeat links:\n");
  for (const auto& [medium, st] : links_of(c.view, node))
    c.out(verbose ? "\t" + medium + "\t" + st + "\n" : "\t" + medium + "\n");
}

void list_nodes(Context& c, bool normal_only, bool ping_only, bool verbose) {
  if (normal_only && ping_only) normal_only = ping_only = false;
  if (c.human) c.out("The nodes are as follow:\n");
  // heartbeat's API hands the node list over last node first: ha.cf's order, reversed.
  for (auto it = c.view.nodes.rbegin(); it != c.view.nodes.rend(); ++it) {
    const Node& n = *it;
    if (normal_only && n.type != "normal") continue;
    if (ping_only && n.type != "ping") continue;
    if (verbose) {
      c.out("\n" + lower(n.name) + "\t" + node_status(n, is_local(c.view, n)) +
            "\t(nodetype: " + n.type + ")\n");
      list_links(c, n, true);
    } else {
      c.out(lower(n.name) + "\n");
    }
  }
}

// cl_status's general_simple_opt_deal: only -m; false after a bad option (exit 11).
bool simple_options(Context& c, const Parsed& p) {
  for (char o : p.options) {
    if (o == 'm') {
      c.human = true;
    } else {
      c.log_error(std::string("Error: getopt returned character ") + o + ".");
      return false;
    }
  }
  return true;
}

// The handlers that parse their own options log a bad one with heartbeat's missing space.
bool own_options(Context& c, const Parsed& p, const std::function<void(char)>& take) {
  for (char o : p.options) {
    if (o == '?') {
      c.log_error(std::string("Error: getopt returnedcharacter code ") + o + ".");
      return false;
    }
    if (o == 'm') c.human = true;
    take(o);
  }
  return true;
}

int hbstatus(Context& c, const Parsed& p) {
  bool verbose = false;
  for (char o : p.options) {  // heartbeat ignores a bad option here
    if (o == 'm') c.human = true;
    if (o == 'v') verbose = true;
  }
  if (!c.view.running) {
    int rc = exit_normal_fail;
    if (c.view.partly_running) {
      c.out("Heartbeat is apparently running on this machine, but refuses my connection\n");
      rc = exit_ok;
    } else {
      // The exact sentence monitoring scripts grep for.
      c.out("Heartbeat is stopped on this machine.\n");
    }
    if (verbose && !c.view.failure.empty()) c.out("(" + c.view.failure + ")\n");
    return rc;
  }
  if (!verbose) {
    c.out("Heartbeat is running on this machine.\n");
    return exit_ok;
  }
  if (c.human) {
    c.out("Heartbeat version " + c.view.version + "\n");
    c.out("Resources controlled by \"haresources\"\n");
  } else {
    c.out("version:\t" + c.view.version + "\n");
    c.out("managed by:\t\"haresources\"\n");
  }
  list_nodes(c, false, false, true);
  return exit_ok;
}

int listnodes(Context& c, const Parsed& p) {
  bool verbose = false, ping = false, normal = false;
  if (!own_options(c, p, [&](char o) {
        verbose = verbose || o == 'v';
        ping = ping || o == 'p';
        normal = normal || o == 'n';
      }))
    return exit_parameter_error;
  list_nodes(c, normal, ping, verbose);
  return exit_ok;
}

int nodestatus(Context& c, const Parsed& p) {
  if (!simple_options(c, p)) return exit_parameter_error;
  if (p.operands.empty()) {
    c.eprint("Not enough parameters.\n");
    return exit_parameter_error;
  }
  const std::string& name = p.operands[0];
  const Node* n = find_node(c.view, name);
  if (n == nullptr) {
    c.eprint("Error. May be due to incorrect node name\n");
    return exit_parameter_error;
  }
  const std::string status = node_status(*n, is_local(c.view, *n));
  c.out(c.human ? "The cluster node " + name + " is " + status + "\n" : status + "\n");
  return status == "active" || status == "up" || status == "ping" ? exit_ok : exit_normal_fail;
}

int nodeweight(Context& c, const Parsed& p) {
  if (!simple_options(c, p)) return exit_parameter_error;
  if (p.operands.empty()) {
    c.eprint("Not enough parameters.\n");
    return exit_parameter_error;
  }
  const std::string& name = p.operands[0];
  if (find_node(c.view, name) == nullptr) {
    c.eprint("Error. Maybe due to incorrect node name.\n");
    return exit_parameter_error;
  }
  // heartbeat's default weight; only hbadm changed it, and hb has no such tool.
  c.out(c.human ? "The weight of the cluster node " + name + " is 100\n" : "100\n");
  return exit_ok;
}

int nodesite(Context& c, const Parsed& p) {
  if (!simple_options(c, p)) return exit_parameter_error;
  if (p.operands.empty()) {
    c.eprint("Not enough parameters.\n");
    return exit_parameter_error;
  }
  const std::string& name = p.operands[0];
  if (find_node(c.view, name) == nullptr) {
    c.eprint("Error. May be due to incorrect node name\n");
    return exit_parameter_error;
  }
  c.out(c.human ? "The site of the cluster node " + name + " is \n" : "\n");
  return exit_ok;
}

int nodetype(Context& c, const Parsed& p) {
  if (!simple_options(c, p)) return exit_parameter_error;
  if (p.operands.empty()) {
    c.eprint("No enough parameter.\n");
    return exit_parameter_error;
  }
  const std::string& name = p.operands[0];
  const Node* n = find_node(c.view, name);
  if (n == nullptr) {
    c.eprint("Error. May be due to incorrect node name\n");
    return exit_parameter_error;
  }
  c.out(c.human ? "The node " + name + "'s type: " + n->type + "\n" : n->type + "\n");
  return exit_ok;
}

int listhblinks(Context& c, const Parsed& p) {
  bool verbose = false;
  if (!own_options(c, p, [&](char o) { verbose = verbose || o == 'v'; }))
    return exit_parameter_error;
  if (p.operands.empty()) {
    c.eprint("No enough parameter.\n");
    return exit_parameter_error;
  }
  const Node* n = find_node(c.view, p.operands[0]);
  if (n == nullptr) {
    c.log_error("Cannot start heartbeat link interface walk.");
    c.log_error("REASON: no node " + p.operands[0] + " in ha.cf");
    return exit_unknown_error;
  }
  list_links(c, *n, verbose);
  return exit_ok;
}

int hblinkstatus(Context& c, const Parsed& p) {
  if (!simple_options(c, p)) return exit_parameter_error;
  if (p.operands.size() < 2) {
    c.eprint("No enough parameter.\n");
    return exit_parameter_error;
  }
  const std::string &node = p.operands[0], &link = p.operands[1];
  std::optional<std::string> status;
  if (const Node* n = find_node(c.view, node))
    for (const auto& [medium, st] : links_of(c.view, *n))
      if (medium == link) status = st;
  if (!status) {
    c.log_error("Cannot get heartbeat link status");
    c.log_error("REASON: ");  // heartbeat's API gives no reason
    return exit_unknown_error;
  }
  c.out(c.human ? "The node " + node + "'s heartbeat link " + link + " is " + *status + "\n"
                : *status + "\n");
  return *status == "up" ? exit_ok : exit_normal_fail;
}

int clientstatus(Context& c, const Parsed& p) {
  if (!simple_options(c, p)) return exit_parameter_error;
  if (p.operands.size() < 2) {
    c.eprint("No enough parameter.\n");
    return exit_parameter_error;
  }
  const std::string &node = p.operands[0], &client = p.operands[1];
  const Node* n = find_node(c.view, node);
  std::string status;
  std::string why;
  if (n == nullptr) {
    why = "no node " + node + " in ha.cf";
  } else if (is_local(c.view, *n)) {
    // ipfaild is hb's one heartbeat API client (the `respawn ... ipfail` line).
    status = client == "ipfail" && c.view.ipfaild ? "online" : "offline";
  } else if (node_status(*n, false) != "active") {
    status = "offline";  // heartbeat: a node that is not active has no client online
  } else {
    // heartbeat asks the peer; hb cannot. Every node runs the same ha.cf, so an active peer
    // runs ipfail when this node does (its `respawn ... ipfail` line), and no other client.
    status = client == "ipfail" && c.view.ipfaild ? "online" : "offline";
  }
  if (status.empty()) {
    c.log_error("Cannot get heartbeat client " + client + "'s status");
    c.log_error("REASON: " + why);
    return exit_unknown_error;
  }
  c.out(status + "\n");
  return status == "online" ? exit_ok : exit_normal_fail;
}

int rscstatus(Context& c, const Parsed& p) {
  if (!simple_options(c, p)) return exit_parameter_error;
  if (!c.view.resourced) {
    c.log_error("Cannot get cluster resource status");
    c.log_error("REASON: hb-resourced is not running");
    return exit_unknown_error;
  }
  const std::string r = resource_status(c.view);
  c.out(c.human ? "This node is holding " + r + " resources.\n" : r + "\n");
  return exit_ok;
}

int hbparameter(Context& c, const Parsed& p) {
  std::string name;
  if (!own_options(c, p, [&](char o) {
        if (o == 'p') name = p.values.count('p') ? p.values.at('p') : "";
      }))
    return exit_parameter_error;
  if (name.empty()) {
    c.log_error("parameter name required");
    return exit_parameter_error;
  }
  auto it = c.view.parameters.find(name == "crm" ? "pacemaker" : name);
  if (it == c.view.parameters.end()) {
    c.log_error("Cannot get parameter " + name + "'s value");
    c.log_error("REASON: ");  // heartbeat's API gives no reason
    return exit_normal_fail;
  }
  c.out(c.human ? "Heartbeat parameter " + name + "'s value: " + it->second + "\n"
                : it->second + "\n");
  return exit_ok;
}

struct Command {
  const char* name;
  int (*run)(Context&, const Parsed&);
  const char* optstr;
  bool needs_hb;  // heartbeat's needsignon
};

constexpr Command commands[] = {
    {"hbstatus", hbstatus, "mv", false},       {"listnodes", listnodes, "mpnv", true},
    {"nodestatus", nodestatus, "m", true},     {"nodeweight", nodeweight, "m", true},
    {"nodesite", nodesite, "m", true},         {"nodetype", nodetype, "m", true},
    {"listhblinks", listhblinks, "mv", true},  {"hblinkstatus", hblinkstatus, "m", true},
    {"clientstatus", clientstatus, "m", true}, {"rscstatus", rscstatus, "m", true},
    {"hbparameter", hbparameter, "mp:", true},
};

}  // namespace

const std::string& help_text() {
  static const std::string text =
      "Usage: cl_status <sub-command> [<options>] [<parameters>]\n"
      "\n"
      "Sub-commands:\n"
      "clientstatus <node-name> <client-id> [<timeout>]\n"
      "\tShow the status of heartbeat clients.\n"
      "hblinkstatus <node-name> <link-name>\n"
      "\tShow the status of a heartbeat link\n"
      "hbstatus\n"
      "\tIndicate if heartbeat is running on the local system.\n"
      "\tOptions:\n"
      "\t\t-v\tverbose: also add \"listnodes -v\" output\n"
      "listnodes [<option>]\n"
      "\tList the nodes in the cluster.\n"
      "\tOptions:\n"
      "\t\t-p\tlist only 'ping' type nodes\n"
      "\t\t-n\tlist only 'normal' type nodes\n"
      "\t\t-v\tverbose: also list type and status,\n"
      "\t\t\tthen add \"listhblinks -v\" output\n"
      "listhblinks <node-name>\n"
      "\tList the network interfaces used as hearbeat links.\n"
      "\tOptions:\n"
      "\t\t-v\tverbose: list link status as well\n"
      "nodestatus <node-name>\n"
      "\tList the node status.\n"
      "nodeweight <node-name>\n"
      "\tList the node weight.\n"
      "nodesite <node-name>\n"
      "\tList the node site.\n"
      "nodetype <node-name>\n"
      "\tList the nodes of a given type.\n"
      "rscstatus\n"
      "\tShow the status of cluster resources.\n"
      "hbparameter -p <parameter-name>\n"
      "\tRetrieve the value of a cluster parameter.\n"
      "\tAs for the valid parameter names, please refer to the man page.\n";
  return text;
}

std::string node_status(const Node& node, bool local) {
  if (node.type == "ping") {
    if (node.state == "up") return "ping";
    if (node.state == "dead" || node.state == "init") return node.state;
    return "unknown";
  }
  if (local || node.state == "up") return "active";
  if (node.state == "dead") return "dead";
  return "init";
}

std::string link_status(const std::string& hb_state) {
  return hb_state == "up" || hb_state == "late" ? "up" : "dead";
}

// heartbeat's two bits: "local" once this node holds every group haresources gives it (true at
// once for a node given none, as heartbeat's standby answers `local`), "foreign" while it holds
// a group given to another node.
std::string resource_status(const View& view) {
  bool local = true, foreign = false;
  for (const Group& g : view.groups) {
    if (g.state == "starting" || g.state == "stopping" || g.state == "fencing") return "transition";
    const bool here = g.state == "running" && config::same_node_name(g.owner, view.local_node);
    if (config::same_node_name(g.preferred, view.local_node))
      local = local && here;
    else
      foreign = foreign || here;
  }
  return local && foreign ? "all" : local ? "local" : foreign ? "foreign" : "none";
}

Answer run(const std::vector<std::string>& args, const View& view, const std::string& log_prefix) {
  Context c{view, log_prefix, {}, false};
  if (args.empty() || (args.size() == 1 && args[0].rfind("-h", 0) == 0)) {
    c.out(help_text());
    return c.answer;
  }
  for (const Command& cmd : commands) {
    if (args[0] != cmd.name) continue;
    if (cmd.needs_hb && !view.running) {
      c.log_error("Cannot signon with heartbeat");
      c.log_error("REASON: " + view.failure);
      c.answer.code = exit_normal_fail;
      return c.answer;
    }
    std::string getopt_err;
    const Parsed parsed = parse_options(args, cmd.optstr, getopt_err);
    c.answer.err += getopt_err;
    c.answer.code = cmd.run(c, parsed);
    return c.answer;
  }
  c.log_error(args[0] + ": invalid sub-command.");
  c.answer.code = exit_parameter_error;
  return c.answer;
}

}  // namespace hb::clstatus
