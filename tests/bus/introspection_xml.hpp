// Just enough XML for D-Bus introspection data (elements, attributes, comments, DOCTYPE), and
// the comparable summary of each interface: one line per method, signal and property with
// names, signatures, directions and access. Annotations are left out: sd-bus adds its own.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace hb::test {

struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::vector<std::unique_ptr<XmlElement>> children;
};

inline std::unique_ptr<XmlElement> parse_xml(const std::string& text) {
  auto root = std::make_unique<XmlElement>();
  root->name = "#document";
  std::vector<XmlElement*> stack{root.get()};
  size_t i = 0;
  auto fail = [&](const char* why) {
    throw std::runtime_error(std::string("XML: ") + why + " at offset " + std::to_string(i));
  };
  while ((i = text.find('<', i)) != std::string::npos) {
    if (text.compare(i, 4, "<!--") == 0) {
      i = text.find("-->", i);
      if (i == std::string::npos) fail("unterminated comment");
      i += 3;
    } else if (text.compare(i, 2, "<!") == 0 || text.compare(i, 2, "<?") == 0) {
      i = text.find('>', i) + 1;
    } else if (text.compare(i, 2, "</") == 0) {
      if (stack.size() < 2) fail("unbalanced close");
      stack.pop_back();
      i = text.find('>', i) + 1;
    } else {
      ++i;
      auto e = std::make_unique<XmlElement>();
      size_t j = text.find_first_of(" \t\r\n/>", i);
      e->name = text.substr(i, j - i);
      i = j;
      for (;;) {
        i = text.find_first_not_of(" \t\r\n", i);
        if (i == std::string::npos) fail("unterminated tag");
        if (text[i] == '>' || text[i] == '/') break;
        size_t eq = text.find('=', i);
        std::string key = text.substr(i, eq - i);
        char quote = text[eq + 1];
        size_t end = text.find(quote, eq + 2);
        e->attributes[key] = text.substr(eq + 2, end - eq - 2);
        i = end + 1;
      }
      bool self_closing = text[i] == '/';
      i = text.find('>', i) + 1;
      XmlElement* raw = e.get();
      stack.back()->children.push_back(std::move(e));
      if (!self_closing) stack.push_back(raw);
    }
  }
  return root;
}

// interface name -> lines like "method Standby(in s which)", "property State s read".
using InterfaceSummary = std::map<std::string, std::set<std::string>>;

inline void summarize(const XmlElement& e, InterfaceSummary& out) {
  for (const auto& c : e.children) {
    if (c->name != "interface") {
      summarize(*c, out);
      continue;
    }
    auto& lines = out[c->attributes.at("name")];
    for (const auto& m : c->children) {
      if (m->name == "property") {
        lines.insert("property " + m->attributes["name"] + " " + m->attributes["type"] + " " +
                     m->attributes["access"]);
      } else if (m->name == "method" || m->name == "signal") {
        std::string line = m->name + " " + m->attributes["name"] + "(";
        bool first = true;
        for (const auto& a : m->children) {
          if (a->name != "arg") continue;
          if (!first) line += ", ";
          first = false;
          std::string dir = a->attributes.count("direction") ? a->attributes["direction"] : "";
          if (m->name == "method" && dir.empty()) dir = "in";  // the spec's default
          if (!dir.empty()) line += dir + " ";
          line += a->attributes["type"] + " " + a->attributes["name"];
        }
        lines.insert(line + ")");
      }
    }
  }
}

inline InterfaceSummary summarize_xml(const std::string& text) {
  InterfaceSummary out;
  summarize(*parse_xml(text), out);
  return out;
}

// The object paths of <node name="..."> children (relative names).
inline std::vector<std::string> child_nodes(const std::string& text) {
  std::vector<std::string> out;
  auto doc = parse_xml(text);
  for (const auto& top : doc->children)
    for (const auto& c : top->children)
      if (c->name == "node") out.push_back(c->attributes["name"]);
  return out;
}

}  // namespace hb::test
