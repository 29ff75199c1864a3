#include "netlink_addr.hpp"

#include <arpa/inet.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace hb::ipaddr {
namespace {

struct SockFree {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct CacheFree {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};
struct AddrPut {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct RtAddrPut {
  void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
struct LinkPut {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
using Sock = std::unique_ptr<nl_sock, SockFree>;
using Cache = std::unique_ptr<nl_cache, CacheFree>;

[[noreturn]] void fail(const std::string& what, int nl_err) {
  throw std::runtime_error(what + ": " + nl_geterror(nl_err));
}

// One rtnetlink connection with the current links and addresses.
struct Netlink {
  Sock sock{nl_socket_alloc()};
  Cache links, addrs;

  Netlink() {
    if (!sock) throw std::runtime_error("netlink: out of memory");
    if (int r = nl_connect(sock.get(), NETLINK_ROUTE); r < 0) fail("netlink connect", r);
    nl_cache* c = nullptr;
    if (int r = rtnl_link_alloc_cache(sock.get(), AF_UNSPEC, &c); r < 0) fail("list links", r);
    links.reset(c);
    if (int r = rtnl_addr_alloc_cache(sock.get(), &c); r < 0) fail("list addresses", r);
    addrs.reset(c);
  }

  std::string name(int ifindex) const {
    char buf[64] = "";
    rtnl_link_i2name(links.get(), ifindex, buf, sizeof buf);
    return buf;
  }
};

std::uint32_t parse_v4(const std::string& text, const char* what) {
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1)
    throw std::runtime_error(std::string("not an IPv4 ") + what + ": " + text);
  return a.s_addr;
}

std::uint32_t mask(int prefix) {
  return prefix <= 0 ? 0 : htonl(~std::uint32_t{0} << (32 - prefix));
}

// The IPv4 local address of a cached rtnl_addr, or nullopt-like false.
bool local_v4(rtnl_addr* a, std::uint32_t& out) {
  if (rtnl_addr_get_family(a) != AF_INET) return false;
  nl_addr* l = rtnl_addr_get_local(a);
  if (!l || nl_addr_get_len(l) != 4) return false;
  std::memcpy(&out, nl_addr_get_binary_addr(l), 4);
  return true;
}

template <class F>
void each_addr(nl_cache* cache, F f) {
  for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o))
    f(reinterpret_cast<rtnl_addr*>(o));
}

// The cached address object equal to the cluster address (on `ifindex` when > 0).
rtnl_addr* find(const Netlink& nl, std::uint32_t address, int ifindex) {
  rtnl_addr* found = nullptr;
  each_addr(nl.addrs.get(), [&](rtnl_addr* a) {
    std::uint32_t l;
    if (found || !local_v4(a, l) || l != address) return;
    if (ifindex > 0 && rtnl_addr_get_ifindex(a) != ifindex) return;
    found = a;
  });
  return found;
}

}  // namespace

Placement resolve(const config::IpSpec& spec) {
  Netlink nl;
  Placement p;
  p.address = parse_v4(spec.address, "address");
  int want_if = 0;
  if (!spec.interface.empty()) {
    want_if = rtnl_link_name2i(nl.links.get(), spec.interface.c_str());
    if (want_if <= 0) throw std::runtime_error("no interface " + spec.interface);
  }
  // The interface whose subnet holds the address (heartbeat keys off the existing route).
  int subnet_prefix = -1;
  each_addr(nl.addrs.get(), [&](rtnl_addr* a) {
    std::uint32_t l;
    if (subnet_prefix >= 0 || !local_v4(a, l) || l == p.address) return;
    int plen = rtnl_addr_get_prefixlen(a);
    int ifx = rtnl_addr_get_ifindex(a);
    if (want_if > 0 && ifx != want_if) return;
    int test_prefix = spec.prefix_length.value_or(plen);
    if (plen >= 32 || ((l ^ p.address) & mask(std::min(plen, test_prefix))) != 0) return;
    subnet_prefix = plen;
    p.ifindex = ifx;
  });
  if (p.ifindex == 0) {
    if (want_if == 0)
      throw std::runtime_error("no interface has a subnet holding " + spec.address +
                               "; name one (" + spec.address + "/24/eth0)");
    p.ifindex = want_if;
  }
  p.interface = nl.name(p.ifindex);
  p.prefix_length = spec.prefix_length.value_or(subnet_prefix >= 0 ? subnet_prefix : 32);
  if (!spec.broadcast.empty())
    p.broadcast = parse_v4(spec.broadcast, "broadcast");
  else if (p.prefix_length < 31)
    p.broadcast = p.address | ~mask(p.prefix_length);
  if (!spec.label.empty()) p.label = p.interface + ":" + spec.label;

  std::unique_ptr<rtnl_link, LinkPut> link(rtnl_link_get(nl.links.get(), p.ifindex));
  if (link) {
    nl_addr* hw = rtnl_link_get_addr(link.get());
    if (hw && nl_addr_get_len(hw) == 6) std::memcpy(p.mac.data(), nl_addr_get_binary_addr(hw), 6);
  }
  return p;
}

void add(const Placement& p) {
  Netlink nl;
  if (find(nl, p.address, p.ifindex)) return;  // already there: start is idempotent
  std::unique_ptr<rtnl_addr, RtAddrPut> a(rtnl_addr_alloc());
  rtnl_addr_set_ifindex(a.get(), p.ifindex);
  rtnl_addr_set_family(a.get(), AF_INET);
  std::unique_ptr<nl_addr, AddrPut> local(nl_addr_build(AF_INET, &p.address, 4));
  nl_addr_set_prefixlen(local.get(), p.prefix_length);
  if (int r = rtnl_addr_set_local(a.get(), local.get()); r < 0) fail("set address", r);
  rtnl_addr_set_prefixlen(a.get(), p.prefix_length);
  if (p.broadcast != 0) {
    std::unique_ptr<nl_addr, AddrPut> b(nl_addr_build(AF_INET, &p.broadcast, 4));
    if (int r = rtnl_addr_set_broadcast(a.get(), b.get()); r < 0) fail("set broadcast", r);
  }
  if (!p.label.empty())
    if (int r = rtnl_addr_set_label(a.get(), p.label.c_str()); r < 0) fail("set label", r);
  int r = rtnl_addr_add(nl.sock.get(), a.get(), 0);
  if (r < 0 && r != -NLE_EXIST) fail("add address on " + p.interface, r);
}

void remove(const config::IpSpec& spec) {
  Netlink nl;
  std::uint32_t address = parse_v4(spec.address, "address");
  int ifindex = 0;
  if (!spec.interface.empty()) ifindex = rtnl_link_name2i(nl.links.get(), spec.interface.c_str());
  rtnl_addr* a = find(nl, address, ifindex);
  if (!a) return;
  int r = rtnl_addr_delete(nl.sock.get(), a, 0);
  if (r < 0 && r != -NLE_NOADDR && r != -NLE_OBJ_NOTFOUND) fail("remove address", r);
}

std::string holder(const config::IpSpec& spec) {
  Netlink nl;
  std::uint32_t address = parse_v4(spec.address, "address");
  int ifindex = 0;
  if (!spec.interface.empty()) ifindex = rtnl_link_name2i(nl.links.get(), spec.interface.c_str());
  rtnl_addr* a = find(nl, address, ifindex);
  return a ? nl.name(rtnl_addr_get_ifindex(a)) : "";
}

}  // namespace hb::ipaddr
