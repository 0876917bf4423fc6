#include "subsonic/node.hpp"

#include <fmt/format.h>

#include <cmath>

#include "http/response.hpp"

namespace st::subsonic {

namespace {

constexpr std::string_view kApiVersion = "1.16.1";

std::string number(double d) {
  if (!std::isfinite(d)) return "0";
  return fmt::format("{}", d);  // shortest form that reads back the same
}

std::string scalar_text(const Scalar& s) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) return v;
        else if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
        else if constexpr (std::is_same_v<T, double>) return number(v);
        else return std::to_string(v);
      },
      s);
}

void json_scalar(std::string& out, const Scalar& s) {
  if (auto* str = std::get_if<std::string>(&s)) {
    out += '"';
    out += http::json_escape(*str);
    out += '"';
  } else {
    out += scalar_text(s);
  }
}

void json_string(std::string& out, std::string_view s) {
  out += '"';
  out += http::json_escape(s);
  out += '"';
}

// The members of node (without braces), after `first` tells whether a comma is needed.
void json_members(std::string& out, const Node& n, bool first);

void json_object(std::string& out, const Node& n) {
  out += '{';
  json_members(out, n, true);
  out += '}';
}

void json_members(std::string& out, const Node& n, bool first) {
  auto comma = [&] {
    if (!first) out += ',';
    first = false;
  };
  for (const auto& [k, v] : n.attrs) {
    comma();
    json_string(out, k);
    out += ':';
    json_scalar(out, v);
  }
  if (n.text) {
    comma();
    out += "\"value\":";
    json_string(out, *n.text);
  }
  for (const auto& [k, child] : n.objects) {
    comma();
    json_string(out, k);
    out += ':';
    json_object(out, child);
  }
  for (const auto& [k, items] : n.lists) {
    comma();
    json_string(out, k);
    out += ":[";
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i) out += ',';
      json_object(out, items[i]);
    }
    out += ']';
  }
  for (const auto& [k, items] : n.values) {
    comma();
    json_string(out, k);
    out += ":[";
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i) out += ',';
      json_scalar(out, items[i]);
    }
    out += ']';
  }
}

void xml_attrs(std::string& out, const Node& n) {
  for (const auto& [k, v] : n.attrs) {
    out += ' ';
    out += k;
    out += "=\"";
    out += xml_escape(scalar_text(v));
    out += '"';
  }
}

void xml_element(std::string& out, std::string_view name, const Node& n);

void xml_children(std::string& out, const Node& n) {
  if (n.text) out += xml_escape(*n.text);
  for (const auto& [k, child] : n.objects) xml_element(out, k, child);
  for (const auto& [k, items] : n.lists)
    for (const auto& item : items) xml_element(out, k, item);
  for (const auto& [k, items] : n.values)
    for (const auto& v : items) {
      out += '<';
      out += k;
      out += '>';
      out += xml_escape(scalar_text(v));
      out += "</";
      out += k;
      out += '>';
    }
}

bool has_content(const Node& n) {
  if (n.text || !n.objects.empty() || !n.values.empty()) return true;
  for (const auto& [k, items] : n.lists)
    if (!items.empty()) return true;
  for (const auto& [k, items] : n.values)
    if (!items.empty()) return true;
  return false;
}

void xml_element(std::string& out, std::string_view name, const Node& n) {
  out += '<';
  out += name;
  xml_attrs(out, n);
  if (!has_content(n)) {
    out += "/>";
    return;
  }
  out += '>';
  xml_children(out, n);
  out += "</";
  out += name;
  out += '>';
}

Node envelope_attrs(const Envelope& e) {
  Node head;
  head.set("status", e.ok ? "ok" : "failed");
  head.set("version", kApiVersion);
  head.set("type", "soundtime");
  head.set("serverVersion", e.server_version);
  head.set("openSubsonic", true);
  return head;
}

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (c < 0x20) break;  // not allowed in XML 1.0
        out += static_cast<char>(c);
    }
  }
  return out;
}

std::string to_xml(const Envelope& e, const Node& body) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<subsonic-response xmlns=\"http://subsonic.org/restapi\"";
  xml_attrs(out, envelope_attrs(e));
  xml_attrs(out, body);
  if (!has_content(body)) {
    out += "/>";
    return out;
  }
  out += '>';
  xml_children(out, body);
  out += "</subsonic-response>";
  return out;
}

std::string to_json(const Envelope& e, const Node& body) {
  std::string out = "{\"subsonic-response\":{";
  json_members(out, envelope_attrs(e), true);
  json_members(out, body, false);
  out += "}}";
  return out;
}

}  // namespace st::subsonic
