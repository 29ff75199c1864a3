// cl_status answers as heartbeat 3.0.6's does (tools/cl_status.c): each sub-command's output,
// with and without -m, and its exit code, for a known cluster view; hbparameter's values from
// ha.cf with heartbeat's defaults.
#include "core/clstatus/cl_status.hpp"

#include <gtest/gtest.h>

#include "core/clstatus/parameters.hpp"

namespace hb::clstatus {
namespace {

const std::string prefix = "Dec 03 14:00:00 ha1 cl_status: [1]: ";

// ha1 (this node) and ha2 up over eth0 (late on eth1), ping node 192.0.2.1 reached; ha1 runs
// its own group.
View two_nodes() {
  View v;
  v.running = true;
  v.local_node = "ha1";
  v.version = "0.1.0 (hb)";
  v.nodes = {{"ha1", "normal", "up", {}},
             {"ha2", "normal", "up", {{"eth0", "up"}, {"eth1", "late"}}},
             {"192.0.2.1", "ping", "up", {}}};
  v.resourced = true;
  v.groups = {{"192.0.2.10", "ha1", "ha1", "running"}};
  v.ipfaild = true;
  v.parameters = parameters_from_ha_cf("keepalive 2\ndeadtime 10\n", "0.1.0");
  return v;
}

Answer run_(std::vector<std::string> args, const View& v = two_nodes()) {
  return run(args, v, prefix);
}

TEST(ClStatus, HelpWithoutArguments) {
  auto a = run_({});
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.out.rfind("Usage: cl_status <sub-command> [<options>] [<parameters>]\n", 0), 0u);
  EXPECT_EQ(run_({"-h"}).out, a.out);
}

TEST(ClStatus, UnknownSubCommandIsAParameterError) {
  auto a = run_({"status"});
  EXPECT_EQ(a.code, 11);
  EXPECT_EQ(a.out, "");
  EXPECT_EQ(a.err, prefix + "ERROR: status: invalid sub-command.\n");
}

TEST(ClStatus, HbstatusRunningAndStopped) {
  EXPECT_EQ(run_({"hbstatus"}).out, "Heartbeat is running on this machine.\n");
  EXPECT_EQ(run_({"hbstatus"}).code, 0);
  View stopped;
  stopped.failure = "hb-membershipd is not running";
  auto a = run_({"hbstatus"}, stopped);
  EXPECT_EQ(a.out, "Heartbeat is stopped on this machine.\n");
  EXPECT_EQ(a.code, 1);
  EXPECT_EQ(run_({"hbstatus", "-v"}, stopped).out,
            "Heartbeat is stopped on this machine.\n(hb-membershipd is not running)\n");
  stopped.partly_running = true;
  a = run_({"hbstatus"}, stopped);
  EXPECT_EQ(a.out, "Heartbeat is apparently running on this machine, but refuses my connection\n");
  EXPECT_EQ(a.code, 0);
}

TEST(ClStatus, HbstatusVerboseListsNodesAndLinks) {
  EXPECT_EQ(run_({"hbstatus", "-v"}).out,
            "version:\t0.1.0 (hb)\n"
            "managed by:\t\"haresources\"\n"
            "\n192.0.2.1\tping\t(nodetype: ping)\n\t192.0.2.1\tup\n"
            "\nha2\tactive\t(nodetype: normal)\n\teth0\tup\n\teth1\tup\n"
            "\nha1\tactive\t(nodetype: normal)\n\teth0\tup\n\teth1\tup\n");
  EXPECT_EQ(run_({"hbstatus", "-m", "-v"})
                .out.rfind("Heartbeat version 0.1.0 (hb)\nResources controlled by \"haresources\"\n"
                           "The nodes are as follow:\n\n192.0.2.1\tping\t(nodetype: ping)\n"
                           "\tthis node has the following heartbeat links:\n",
                           0),
            0u);
}

TEST(ClStatus, StoppedHbRefusesEveryOtherSubCommand) {
  View stopped;
  stopped.failure = "hb-membershipd is not running";
  auto a = run_({"listnodes"}, stopped);
  EXPECT_EQ(a.code, 1);
  EXPECT_EQ(a.out, "");
  EXPECT_EQ(a.err, prefix + "ERROR: Cannot signon with heartbeat\n" + prefix +
                       "ERROR: REASON: hb-membershipd is not running\n");
}

// heartbeat 3.0.6 lists the nodes of ha.cf last first (its API builds the list that way).
TEST(ClStatus, Listnodes) {
  EXPECT_EQ(run_({"listnodes"}).out, "192.0.2.1\nha2\nha1\n");
  EXPECT_EQ(run_({"listnodes", "-n"}).out, "ha2\nha1\n");
  EXPECT_EQ(run_({"listnodes", "-p"}).out, "192.0.2.1\n");
  EXPECT_EQ(run_({"listnodes", "-pn"}).out, "192.0.2.1\nha2\nha1\n");  // both: all, as heartbeat
  EXPECT_EQ(run_({"listnodes", "-m", "-p"}).out, "The nodes are as follow:\n192.0.2.1\n");
  auto a = run_({"listnodes", "-x"});
  EXPECT_EQ(a.code, 11);
  EXPECT_EQ(a.err, "listnodes: invalid option -- 'x'\n" + prefix +
                       "ERROR: Error: getopt returnedcharacter code ?.\n");
}

TEST(ClStatus, NodestatusInHeartbeatsWords) {
  EXPECT_EQ(run_({"nodestatus", "ha2"}).out, "active\n");
  EXPECT_EQ(run_({"nodestatus", "ha2"}).code, 0);
  EXPECT_EQ(run_({"nodestatus", "HA1"}).out, "active\n");  // names compare case-insensitively
  EXPECT_EQ(run_({"nodestatus", "-m", "ha2"}).out, "The cluster node ha2 is active\n");
  EXPECT_EQ(run_({"nodestatus", "ha2", "-m"}).out, "The cluster node ha2 is active\n");
  EXPECT_EQ(run_({"nodestatus", "192.0.2.1"}).out, "ping\n");
  EXPECT_EQ(run_({"nodestatus", "192.0.2.1"}).code, 0);

  View v = two_nodes();
  v.nodes[1].state = "dead";
  v.nodes[2].state = "dead";
  EXPECT_EQ(run_({"nodestatus", "ha2"}, v).out, "dead\n");
  EXPECT_EQ(run_({"nodestatus", "ha2"}, v).code, 1);
  EXPECT_EQ(run_({"nodestatus", "192.0.2.1"}, v).out, "dead\n");
  EXPECT_EQ(run_({"nodestatus", "192.0.2.1"}, v).code, 1);
  v.nodes[1].state = "init";
  v.nodes[2].state = "unknown";  // ipfaild not running: nobody watches it
  EXPECT_EQ(run_({"nodestatus", "ha2"}, v).out, "init\n");
  EXPECT_EQ(run_({"nodestatus", "192.0.2.1"}, v).out, "unknown\n");
  EXPECT_EQ(run_({"nodestatus", "192.0.2.1"}, v).code, 1);

  auto a = run_({"nodestatus", "ha9"});
  EXPECT_EQ(a.code, 11);
  EXPECT_EQ(a.err, "Error. May be due to incorrect node name\n");
  a = run_({"nodestatus"});
  EXPECT_EQ(a.code, 11);
  EXPECT_EQ(a.err, "Not enough parameters.\n");
}

TEST(ClStatus, NodetypeWeightSite) {
  EXPECT_EQ(run_({"nodetype", "ha2"}).out, "normal\n");
  EXPECT_EQ(run_({"nodetype", "192.0.2.1"}).out, "ping\n");
  EXPECT_EQ(run_({"nodetype", "-m", "192.0.2.1"}).out, "The node 192.0.2.1's type: ping\n");
  EXPECT_EQ(run_({"nodetype"}).err, "No enough parameter.\n");
  EXPECT_EQ(run_({"nodeweight", "ha2"}).out, "100\n");
  EXPECT_EQ(run_({"nodeweight", "-m", "ha2"}).out, "The weight of the cluster node ha2 is 100\n");
  EXPECT_EQ(run_({"nodeweight", "ha9"}).err, "Error. Maybe due to incorrect node name.\n");
  EXPECT_EQ(run_({"nodeweight", "ha9"}).code, 11);
  EXPECT_EQ(run_({"nodesite", "ha2"}).out, "\n");
  EXPECT_EQ(run_({"nodesite", "ha2"}).code, 0);
  auto a = run_({"nodesite", "-v", "ha2"});
  EXPECT_EQ(a.code, 11);
  EXPECT_EQ(a.err, "nodesite: invalid option -- 'v'\n" + prefix +
                       "ERROR: Error: getopt returned character ?.\n");
}

TEST(ClStatus, Links) {
  EXPECT_EQ(run_({"listhblinks", "ha2"}).out, "\teth0\n\teth1\n");
  EXPECT_EQ(run_({"listhblinks", "-v", "ha2"}).out, "\teth0\tup\n\teth1\tup\n");
  EXPECT_EQ(run_({"listhblinks", "-m", "ha2"}).out,
            "\tthis node has the following heartbeat links:\n\teth0\n\teth1\n");
  EXPECT_EQ(run_({"listhblinks", "-v", "192.0.2.1"}).out, "\t192.0.2.1\tup\n");
  EXPECT_EQ(run_({"hblinkstatus", "ha2", "eth0"}).out, "up\n");
  EXPECT_EQ(run_({"hblinkstatus", "-m", "ha2", "eth0"}).out,
            "The node ha2's heartbeat link eth0 is up\n");
  View v = two_nodes();
  v.nodes[1].links["eth0"] = "dead";
  EXPECT_EQ(run_({"hblinkstatus", "ha2", "eth0"}, v).out, "dead\n");
  EXPECT_EQ(run_({"hblinkstatus", "ha2", "eth0"}, v).code, 1);
  auto a = run_({"hblinkstatus", "ha2", "eth7"});
  EXPECT_EQ(a.code, 13);
  EXPECT_EQ(a.err.find(prefix + "ERROR: Cannot get heartbeat link status\n"), 0u);
  EXPECT_EQ(run_({"hblinkstatus", "ha2"}).code, 11);
}

// This node's own media as heartbeat reports them: a UDP medium is up (it hears its own
// packets), a serial line dead (it never does).
TEST(ClStatus, OwnSerialLineIsDeadOwnUdpMediumUp) {
  View v = two_nodes();
  v.nodes[1].links = {{"eth0", "up"}, {"/dev/ttyS0", "up"}};
  EXPECT_EQ(run_({"hblinkstatus", "ha1", "eth0"}, v).out, "up\n");
  auto a = run_({"hblinkstatus", "ha1", "/dev/ttyS0"}, v);
  EXPECT_EQ(a.out, "dead\n");
  EXPECT_EQ(a.code, 1);
  EXPECT_EQ(run_({"hblinkstatus", "ha2", "/dev/ttyS0"}, v).out, "up\n");
  // An unknown link: heartbeat's API gives no reason.
  a = run_({"hblinkstatus", "ha2", "eth9"}, v);
  EXPECT_EQ(a.code, 13);
  EXPECT_EQ(a.err,
            prefix + "ERROR: Cannot get heartbeat link status\n" + prefix + "ERROR: REASON: \n");
}

TEST(ClStatus, Clientstatus) {
  EXPECT_EQ(run_({"clientstatus", "ha1", "ipfail"}).out, "online\n");
  EXPECT_EQ(run_({"clientstatus", "ha1", "ipfail"}).code, 0);
  EXPECT_EQ(run_({"clientstatus", "ha1", "ccm"}).out, "offline\n");
  EXPECT_EQ(run_({"clientstatus", "ha1", "ccm"}).code, 1);
  View v = two_nodes();
  v.nodes[1].state = "dead";
  EXPECT_EQ(run_({"clientstatus", "ha2", "ipfail"}, v).out, "offline\n");
  // Another live node runs the same ha.cf: ipfail when this node runs it, no other client.
  EXPECT_EQ(run_({"clientstatus", "ha2", "ipfail"}).out, "online\n");
  EXPECT_EQ(run_({"clientstatus", "ha2", "ccm"}).out, "offline\n");
  EXPECT_EQ(run_({"clientstatus", "ha2", "ccm"}).code, 1);
  v = two_nodes();
  v.ipfaild = false;
  EXPECT_EQ(run_({"clientstatus", "ha2", "ipfail"}, v).out, "offline\n");
}

TEST(ClStatus, Rscstatus) {
  EXPECT_EQ(run_({"rscstatus"}).out, "local\n");
  EXPECT_EQ(run_({"rscstatus", "-m"}).out, "This node is holding local resources.\n");
  View v = two_nodes();
  v.groups.push_back({"192.0.2.20", "ha2", "ha1", "running"});
  EXPECT_EQ(resource_status(v), "all");
  v.groups[0].owner = "ha2";
  EXPECT_EQ(resource_status(v), "foreign");
  v.groups[1].owner = "ha2";
  EXPECT_EQ(resource_status(v), "none");
  v.groups[1].state = "starting";
  EXPECT_EQ(resource_status(v), "transition");
  // A node haresources gives nothing holds "local" at once (heartbeat's standby), "all" once it
  // holds its peer's group.
  View standby = two_nodes();
  standby.local_node = "ha2";
  EXPECT_EQ(resource_status(standby), "local");
  standby.groups[0].owner = "ha2";
  EXPECT_EQ(resource_status(standby), "all");
  v.resourced = false;
  auto a = run_({"rscstatus"}, v);
  EXPECT_EQ(a.code, 13);
  EXPECT_EQ(a.err.find(prefix + "ERROR: Cannot get cluster resource status\n"), 0u);
}

TEST(ClStatus, Hbparameter) {
  EXPECT_EQ(run_({"hbparameter", "-p", "keepalive"}).out, "2\n");  // as written in ha.cf
  EXPECT_EQ(run_({"hbparameter", "-pdeadtime"}).out, "10\n");
  EXPECT_EQ(run_({"hbparameter", "-m", "-p", "warntime"}).out,
            "Heartbeat parameter warntime's value: 5000ms\n");
  auto a = run_({"hbparameter", "-p", "watchdog"});
  EXPECT_EQ(a.code, 1);
  EXPECT_EQ(a.err.find(prefix + "ERROR: Cannot get parameter watchdog's value\n"), 0u);
  a = run_({"hbparameter"});
  EXPECT_EQ(a.code, 11);
  EXPECT_EQ(a.err, prefix + "ERROR: parameter name required\n");
  a = run_({"hbparameter", "-p"});
  EXPECT_EQ(a.code, 11);
  EXPECT_EQ(a.err.find("hbparameter: option requires an argument -- 'p'\n"), 0u);
}

TEST(Parameters, HeartbeatsDefaultsAndDerivedValues) {
  auto p =
      parameters_from_ha_cf("# comment\nnode ha1 ha2\nudpport 695\nlogfacility local0\n", "0.1.0");
  EXPECT_EQ(p.at("keepalive"), "1000ms");
  EXPECT_EQ(p.at("deadtime"), "30000ms");
  EXPECT_EQ(p.at("warntime"), "15000ms");
  EXPECT_EQ(p.at("initdead"), "30000ms");
  EXPECT_EQ(p.at("deadping"), "30000ms");
  EXPECT_EQ(p.at("udpport"), "695");
  EXPECT_EQ(p.at("auto_failback"), "legacy");
  EXPECT_EQ(p.at("debug"), "0");
  EXPECT_EQ(p.at("logfile"), "/dev/null");
  EXPECT_EQ(p.at("hbversion"), "0.1.0");
  EXPECT_EQ(p.count("node"), 0u);  // heartbeat does not record node lines
  // A short deadtime gets heartbeat's 12 s initdead.
  EXPECT_EQ(parameters_from_ha_cf("deadtime 2\n", "x").at("initdead"), "12000ms");
}

}  // namespace
}  // namespace hb::clstatus
