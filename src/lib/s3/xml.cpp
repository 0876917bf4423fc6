#include "lib/s3/xml.hpp"

#include <charconv>
#include <cstdint>
#include "util/strings.hpp"

namespace st::lib::s3 {

const XmlNode* XmlNode::child(std::string_view local_name) const {
  for (const auto& c : children)
    if (c.name == local_name) return &c;
  return nullptr;
}

std::string XmlNode::child_text(std::string_view local_name) const {
  const XmlNode* c = child(local_name);
  return c ? c->text : std::string();
}

std::vector<const XmlNode*> XmlNode::all(std::string_view local_name) const {
  std::vector<const XmlNode*> out;
  for (const auto& c : children)
    if (c.name == local_name) out.push_back(&c);
  return out;
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_name_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ':';
}

class Parser {
 public:
  Parser(std::string_view doc, const XmlLimits& limits) : in_(doc), limits_(limits) {}

  XmlNode document() {
    if (in_.size() > limits_.max_bytes) throw XmlError("the document is too large");
    if (in_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    skip_misc();
    if (!at("<")) throw XmlError("no root element");
    XmlNode root = element(1);
    skip_misc();
    if (pos_ != in_.size()) throw XmlError("content after the root element");
    return root;
  }

 private:
  bool at(std::string_view s) const { return in_.substr(pos_).starts_with(s); }

  void skip_spaces() {
    while (pos_ < in_.size() && is_space(in_[pos_])) ++pos_;
  }

  void skip_past(std::string_view end, const char* what) {
    auto found = in_.find(end, pos_);
    if (found == std::string_view::npos) throw XmlError(std::string("unterminated ") + what);
    pos_ = found + end.size();
  }

  // Spaces, processing instructions and comments between top-level constructs.
  void skip_misc() {
    for (;;) {
      skip_spaces();
      if (at("<?")) {
        skip_past("?>", "processing instruction");
      } else if (at("<!--")) {
        skip_past("-->", "comment");
      } else if (at("<!")) {
        throw XmlError("a DOCTYPE or declaration is not accepted");
      } else {
        return;
      }
    }
  }

  std::string name() {
    std::size_t start = pos_;
    while (pos_ < in_.size() && is_name_char(in_[pos_])) ++pos_;
    if (pos_ == start) throw XmlError("a name was expected");
    std::string_view n = in_.substr(start, pos_ - start);
    return std::string(n);
  }

  static std::string local(const std::string& qualified) {
    auto colon = qualified.rfind(':');
    return colon == std::string::npos ? qualified : qualified.substr(colon + 1);
  }

  void entity(std::string& out) {
    auto end = in_.find(';', pos_);
    if (end == std::string_view::npos || end - pos_ > 12) throw XmlError("a malformed entity");
    std::string_view ref = in_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    if (ref == "amp") out += '&';
    else if (ref == "lt") out += '<';
    else if (ref == "gt") out += '>';
    else if (ref == "quot") out += '"';
    else if (ref == "apos") out += '\'';
    else if (ref.size() >= 2 && ref[0] == '#') {
      std::uint32_t cp = 0;
      bool hex = ref[1] == 'x';
      std::string_view digits = ref.substr(hex ? 2 : 1);
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || cp == 0 || cp > 0x10FFFF ||
          (cp >= 0xD800 && cp <= 0xDFFF))
        throw XmlError("a malformed character reference");
      util::append_utf8(out, cp);
    } else {
      throw XmlError("an unknown entity");
    }
  }

  void attributes() {
    for (;;) {
      skip_spaces();
      if (pos_ >= in_.size()) throw XmlError("an unterminated start tag");
      if (in_[pos_] == '>' || at("/>")) return;
      name();
      skip_spaces();
      if (!at("=")) throw XmlError("an attribute without a value");
      ++pos_;
      skip_spaces();
      if (pos_ >= in_.size() || (in_[pos_] != '"' && in_[pos_] != '\'')) throw XmlError("an unquoted attribute");
      char quote = in_[pos_++];
      auto end = in_.find(quote, pos_);
      if (end == std::string_view::npos) throw XmlError("an unterminated attribute");
      pos_ = end + 1;
    }
  }

  XmlNode element(int depth) {
    if (depth > limits_.max_depth) throw XmlError("the document is nested too deeply");
    if (++nodes_ > limits_.max_nodes) throw XmlError("the document has too many elements");
    ++pos_;  // '<'
    std::string qualified = name();
    XmlNode node;
    node.name = local(qualified);
    attributes();
    if (at("/>")) {
      pos_ += 2;
      return node;
    }
    ++pos_;  // '>'
    for (;;) {
      if (pos_ >= in_.size()) throw XmlError("an unterminated element <" + node.name + ">");
      char c = in_[pos_];
      if (c == '&') {
        entity(node.text);
      } else if (c != '<') {
        node.text += c;
        ++pos_;
      } else if (at("</")) {
        pos_ += 2;
        if (name() != qualified) throw XmlError("a mismatched end tag in <" + node.name + ">");
        skip_spaces();
        if (!at(">")) throw XmlError("a malformed end tag");
        ++pos_;
        return node;
      } else if (at("<![CDATA[")) {
        pos_ += 9;
        auto end = in_.find("]]>", pos_);
        if (end == std::string_view::npos) throw XmlError("an unterminated CDATA section");
        node.text.append(in_.substr(pos_, end - pos_));
        pos_ = end + 3;
      } else if (at("<!--")) {
        skip_past("-->", "comment");
      } else if (at("<?")) {
        skip_past("?>", "processing instruction");
      } else if (at("<!")) {
        throw XmlError("a declaration inside an element");
      } else {
        node.children.push_back(element(depth + 1));
      }
    }
  }

  std::string_view in_;
  const XmlLimits& limits_;
  std::size_t pos_ = 0;
  std::size_t nodes_ = 0;
};

}  // namespace

XmlNode parse_xml(std::string_view doc, const XmlLimits& limits) { return Parser(doc, limits).document(); }

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace st::lib::s3
