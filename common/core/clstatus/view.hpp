// The cluster as cl_status needs it, in hb's own words (membership1, link1, resource1, ipfail1
// read by the shell): plain data that cl_status.hpp turns into heartbeat's answers.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace hb::clstatus {

struct Node {
  std::string name;
  std::string type = "normal";  // normal | ping
  // hb-membershipd's State: init, up, dead; for ping nodes ipfaild's (mirrored), or unknown
  // when nobody watches them.
  std::string state = "init";
  std::map<std::string, std::string> links;  // medium -> init, up, late, dead
};

struct Group {
  std::string key, preferred, owner;
  std::string state;  // stopped, starting, running, stopping, failed, fencing
};

struct View {
  // hb answers (hb-membershipd is on the bus): heartbeat's "signed on".
  bool running = false;
  // Some other hb daemon is on the bus although hb-membershipd is not.
  bool partly_running = false;
  // Why hb cannot answer (heartbeat's "REASON: ..." line), when !running.
  std::string failure;
  std::string local_node;
  std::vector<Node> nodes;  // ha.cf order
  bool resourced = false;   // hb-resourced is on the bus
  std::vector<Group> groups;
  bool ipfaild = false;  // ipfaild is on the bus (heartbeat's client "ipfail" signed on)
  std::string version;
  // hbparameter's values (parameters.hpp): name -> value as heartbeat reports it.
  std::map<std::string, std::string> parameters;
};

}  // namespace hb::clstatus
