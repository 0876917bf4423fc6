#include "subsonic/node.hpp"

#include <fmt/format.h>

#include <cmath>

#include "http/response.hpp"

namespace st::subsonic {

namespace {

constexpr std::string_view kApiVersion = "1.16.1";

// Where a response is written: its text, cut where a prerendered part goes in shared rather than copied.
class Out {
 public:
  Out& operator+=(char c) {
    text_ += c;
    return *this;
  }
  Out& operator+=(std::string_view s) {
    text_ += s;
    return *this;
  }
  std::string& text() { return text_; }
  // `piece` after the text so far; copied when small (a piece of its own costs more than a few kB).
  void share(std::shared_ptr<const std::string> piece) {
    if (piece->size() < kCopiedBelow) {
      text_ += *piece;
      return;
    }
    flush();
    pieces_.push_back(std::move(piece));
  }
  Pieces finish() && {
    flush();
    return std::move(pieces_);
  }

 private:
  static constexpr std::size_t kCopiedBelow = 16 * 1024;
  void flush() {
    if (text_.empty()) return;
    pieces_.push_back(std::make_shared<const std::string>(std::move(text_)));
    text_.clear();
  }
  std::string text_;
  Pieces pieces_;
};

std::string joined(Pieces pieces) { return http::SharedPieces{std::move(pieces)}.joined(); }

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

void json_string(Out& out, std::string_view s) {
  out += '"';
  http::append_json_escaped(out.text(), s);
  out += '"';
}

// Written straight into out: a response of 10,000 artists has some 100,000 scalars.
void json_scalar(Out& out, const Scalar& s) {
  if (auto* str = std::get_if<std::string>(&s)) json_string(out, *str);
  else if (auto* i = std::get_if<std::int64_t>(&s)) fmt::format_to(std::back_inserter(out.text()), "{}", *i);
  else if (auto* b = std::get_if<bool>(&s)) out += *b ? "true" : "false";
  else out += scalar_text(s);
}

// The members of node (without braces), after `first` tells whether a comma is needed.
void json_members(Out& out, const Node& n, bool first);

void json_object(Out& out, const Node& n) {
  out += '{';
  json_members(out, n, true);
  out += '}';
}

void json_members(Out& out, const Node& n, bool first) {
  if (n.prerendered) {
    const auto& members = n.prerendered->json_members();
    if (members.empty()) return;
    if (!first) out += ',';
    out.share(std::shared_ptr<const std::string>(n.prerendered, &members));
    return;
  }
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

void xml_attrs(Out& out, const Node& n) {
  if (n.prerendered) {
    out.share(std::shared_ptr<const std::string>(n.prerendered, &n.prerendered->xml_attrs()));
    return;
  }
  for (const auto& [k, v] : n.attrs) {
    out += ' ';
    out += k;
    out += "=\"";
    out += xml_escape(scalar_text(v));
    out += '"';
  }
}

void xml_element(Out& out, std::string_view name, const Node& n);

void xml_children(Out& out, const Node& n) {
  if (n.prerendered) {
    out.share(std::shared_ptr<const std::string>(n.prerendered, &n.prerendered->xml_children()));
    return;
  }
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
  if (n.prerendered) return !n.prerendered->xml_children().empty();
  if (n.text || !n.objects.empty() || !n.values.empty()) return true;
  for (const auto& [k, items] : n.lists)
    if (!items.empty()) return true;
  for (const auto& [k, items] : n.values)
    if (!items.empty()) return true;
  return false;
}

void xml_element(Out& out, std::string_view name, const Node& n) {
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

// U+FFFD, written where the text holds something XML 1.0 cannot carry.
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// The length of the well-formed UTF-8 sequence at the start of s (which starts with a byte >= 0x80); 0 for
// a stray or truncated byte, an overlong form, a surrogate or a code point past U+10FFFF. Titles come from
// tags and peers, so anything can be there.
std::size_t utf8_length(std::string_view s) {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  auto cont = [&](std::size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

// U+FFFE and U+FFFF: well-formed UTF-8, yet not XML 1.0 characters.
bool is_noncharacter_fffe(std::string_view seq) {
  return seq.size() == 3 && seq[0] == '\xEF' && seq[1] == '\xBF' && (seq[2] == '\xBE' || seq[2] == '\xBF');
}

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      auto n = utf8_length(s.substr(i));
      if (n == 0) {
        out += kReplacement;  // for each byte that starts no character
        ++i;
      } else {
        out += is_noncharacter_fffe(s.substr(i, n)) ? kReplacement : s.substr(i, n);
        i += n;
      }
      continue;
    }
    ++i;
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
        if (c < 0x20) out += kReplacement;  // not an XML 1.0 character, even as a reference
        else out += static_cast<char>(c);
    }
  }
  return out;
}

// Each written into a local string first: if building or writing throws, call_once lets the next caller try
// again from nothing instead of after a partial text.
const std::string& Prerendered::json_members() const {
  std::call_once(json_once_, [&] {
    Out out;
    subsonic::json_members(out, build_(), true);
    json_ = joined(std::move(out).finish());
  });
  return json_;
}

const std::string& Prerendered::xml_attrs() const {
  std::call_once(xml_once_, [&] {
    auto n = build_();
    Out attrs, children;
    subsonic::xml_attrs(attrs, n);
    subsonic::xml_children(children, n);
    auto a = joined(std::move(attrs).finish());
    xml_children_ = joined(std::move(children).finish());
    xml_attrs_ = std::move(a);
  });
  return xml_attrs_;
}

const std::string& Prerendered::xml_children() const {
  xml_attrs();
  return xml_children_;
}

Pieces to_xml_pieces(const Envelope& e, const Node& body) {
  Out out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<subsonic-response xmlns=\"http://subsonic.org/restapi\"";
  xml_attrs(out, envelope_attrs(e));
  xml_attrs(out, body);
  if (!has_content(body)) {
    out += "/>";
  } else {
    out += '>';
    xml_children(out, body);
    out += "</subsonic-response>";
  }
  return std::move(out).finish();
}

Pieces to_json_pieces(const Envelope& e, const Node& body) {
  Out out;
  out += "{\"subsonic-response\":{";
  json_members(out, envelope_attrs(e), true);
  json_members(out, body, false);
  out += "}}";
  return std::move(out).finish();
}

std::string to_xml(const Envelope& e, const Node& body) { return joined(to_xml_pieces(e, body)); }

std::string to_json(const Envelope& e, const Node& body) { return joined(to_json_pieces(e, body)); }

}  // namespace st::subsonic
