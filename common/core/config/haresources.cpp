#include "core/config/haresources.hpp"

#include <cctype>
#include <optional>

#include "core/config/lexical.hpp"
#include "core/config/node_name.hpp"
#include "core/util/enum_names.hpp"

namespace hb::config {
namespace {

bool is_ipv4(const std::string& text) {
  auto parts = split(text, ".");
  if (parts.size() != 4 || text.front() == '.' || text.back() == '.' ||
      text.find("..") != std::string::npos) {
    return false;
  }
  for (const auto& p : parts) {
    if (p.size() > 3) return false;
    auto n = parse_int(p);
    if (!n || *n > 255) return false;
  }
  return true;
}

bool starts_with_digit(const std::string& s) {
  return !s.empty() && std::isdigit(static_cast<unsigned char>(s.front()));
}

// Splits "a::b::c" on the two-character separator, keeping empty fields.
std::vector<std::string> split_double_colon(const std::string& token) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto pos = token.find("::", start);
    if (pos == std::string::npos) {
      out.push_back(token.substr(start));
      return out;
    }
    out.push_back(token.substr(start, pos - start));
    start = pos + 2;
  }
}

}  // namespace

std::optional<IpSpec> parse_ip_spec(const std::string& text, std::string& error) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto pos = text.find('/', start);
    parts.push_back(text.substr(start, pos == std::string::npos ? pos : pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  IpSpec ip;
  ip.address = parts[0];
  if (!is_ipv4(ip.address)) {
    error = "\"" + text + "\": \"" + ip.address + "\" is not an IPv4 address";
    return std::nullopt;
  }
  if (parts.size() > 4) {
    error =
        "\"" + text + "\": too many \"/\" parts (address[/prefix[/interface[:label]][/broadcast]])";
    return std::nullopt;
  }
  if (parts.size() >= 2 && !parts[1].empty()) {
    auto prefix = parse_int(parts[1]);
    if (!prefix || *prefix < 1 || *prefix > 32) {
      error = "\"" + text + "\": invalid prefix length \"" + parts[1] + "\" (1 to 32)";
      return std::nullopt;
    }
    ip.prefix_length = *prefix;
  }
  std::string broadcast;
  if (parts.size() >= 3) {
    if (starts_with_digit(parts[2])) {
      if (parts.size() == 4) {
        error = "\"" + text + "\": nothing may follow the broadcast address";
        return std::nullopt;
      }
      broadcast = parts[2];
    } else {
      auto colon = parts[2].find(':');
      ip.interface = parts[2].substr(0, colon);
      if (colon != std::string::npos) ip.label = parts[2].substr(colon + 1);
      if (parts.size() == 4) broadcast = parts[3];
    }
  }
  if (!broadcast.empty() && !is_ipv4(broadcast)) {
    error = "\"" + text + "\": broadcast \"" + broadcast + "\" is not an IPv4 address";
    return std::nullopt;
  }
  ip.broadcast = broadcast;
  return ip;
}

std::optional<Resource> parse_resource(const std::string& token, std::string& error) {
  Resource r;
  r.token = token;
  if (starts_with_digit(token)) {
    // heartbeat turns a bare address into IPaddr::address.
    r.kind = Resource::Kind::ip;
    r.name = "IPaddr";
    r.args = {token};
    auto ip = parse_ip_spec(token, error);
    if (!ip) return std::nullopt;
    r.ip = std::move(ip);
    return r;
  }
  auto fields = split_double_colon(token);
  r.name = fields[0];
  r.args.assign(fields.begin() + 1, fields.end());
  if (r.name.empty() || r.name.find('/') != std::string::npos) {
    error = "\"" + token + "\": invalid resource name";
    return std::nullopt;
  }
  if (r.name == "IPaddr" || r.name == "IPaddr2") {
    if (r.args.empty() || r.args[0].empty()) {
      error = "\"" + token + "\": " + r.name + " needs an address (" + r.name + "::a.b.c.d/24)";
      return std::nullopt;
    }
    r.kind = Resource::Kind::ip;
    auto ip = parse_ip_spec(r.args[0], error);
    if (!ip) return std::nullopt;
    r.ip = std::move(ip);
    return r;
  }
  if (r.name == "Filesystem") {
    if (r.args.size() < 2 || r.args[0].empty() || r.args[1].empty()) {
      error = "\"" + token + "\": expected Filesystem::device::mountpoint[::fstype[::options]]";
      return std::nullopt;
    }
    if (r.args.size() > 4) {
      error =
          "\"" + token + "\": too many fields (Filesystem::device::mountpoint::fstype::options)";
      return std::nullopt;
    }
    r.kind = Resource::Kind::filesystem;
    FilesystemSpec fs;
    fs.device = r.args[0];
    fs.mountpoint = r.args[1];
    if (r.args.size() > 2) fs.fstype = r.args[2];
    if (r.args.size() > 3) fs.options = r.args[3];
    r.filesystem = std::move(fs);
    return r;
  }
  r.kind = r.args.empty() ? Resource::Kind::service : Resource::Kind::script;
  return r;
}

HaResourcesResult parse_haresources(std::string_view text, const std::string& file,
                                    const std::vector<std::string>& nodes) {
  HaResourcesResult result;
  auto error = [&](int line, std::string message) {
    result.diagnostics.push_back(
        {Diagnostic::Severity::error, Origin{file, line}, std::move(message)});
  };

  auto lines = lines_of(text);
  std::string logical;
  int first_line = 0;
  for (std::size_t i = 0; i <= lines.size(); ++i) {
    bool at_end = i == lines.size();
    if (!at_end) {
      // Comments go first, then continuation (as ResourceManager's sed does).
      std::string_view part = strip_comment(lines[i]);
      while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
      if (logical.empty()) first_line = static_cast<int>(i) + 1;
      bool continues = !part.empty() && part.back() == '\\';
      if (continues) part.remove_suffix(1);
      logical += std::string(part);
      logical += ' ';
      if (continues) continue;
    }
    auto words = split(logical, " \t");
    logical.clear();
    if (words.empty()) continue;
    const int line = first_line;
    ResourceGroup group;
    group.origin = Origin{file, line};
    const std::string& node = words[0];
    const std::string* canonical = nullptr;
    for (const auto& n : nodes) {
      if (same_node_name(n, node)) canonical = &n;
    }
    bool ok = true;
    if (!canonical) {
      error(line, "preferred node \"" + node + "\" is not a node of ha.cf");
      ok = false;
    } else {
      group.preferred_node = *canonical;
    }
    if (words.size() < 2) {
      error(line, "group for \"" + node + "\" lists no resource");
      continue;
    }
    for (std::size_t w = 1; w < words.size(); ++w) {
      std::string message;
      auto r = parse_resource(words[w], message);
      if (!r) {
        error(line, message);
        ok = false;
        continue;
      }
      r->origin = group.origin;
      group.resources.push_back(std::move(*r));
    }
    if (!ok) continue;
    for (const auto& other : result.groups) {
      if (other.key() == group.key()) {
        error(line, "group \"" + group.key() + "\" already defined on line " +
                        std::to_string(other.origin.line) +
                        " (a group is named by its first resource)");
        ok = false;
      }
    }
    if (ok) result.groups.push_back(std::move(group));
  }
  return result;
}

namespace {

constexpr auto resource_kind_names = std::to_array<util::EnumName<Resource::Kind>>({
    {Resource::Kind::ip, "ip"},
    {Resource::Kind::filesystem, "filesystem"},
    {Resource::Kind::service, "service"},
    {Resource::Kind::script, "script"},
});
static_assert(util::names_are_complete(resource_kind_names));

}  // namespace

const char* to_string(Resource::Kind kind) {
  return util::to_string(resource_kind_names, kind, "service");
}

}  // namespace hb::config
