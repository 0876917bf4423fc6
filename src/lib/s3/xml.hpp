#pragma once
// A small, bounded XML reader for the answers of S3-compatible stores (ListBucketResult, Error,
// InitiateMultipartUploadResult, ...): elements, text, the five predefined entities and character
// references, CDATA and comments. Attributes are read and dropped; namespace prefixes are dropped from
// names. A DOCTYPE is refused (no entity expansion), and so is anything past the limits.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace st::lib::s3 {

class XmlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct XmlNode {
  std::string name;  // local name, without a namespace prefix
  std::string text;  // the element's own text, entities decoded (children's text not included)
  std::vector<XmlNode> children;

  const XmlNode* child(std::string_view local_name) const;  // the first one, or nullptr
  std::string child_text(std::string_view local_name) const;  // empty when absent
  std::vector<const XmlNode*> all(std::string_view local_name) const;
};

struct XmlLimits {
  std::size_t max_bytes = 8 * 1024 * 1024;
  int max_depth = 32;
  std::size_t max_nodes = 100000;
};

// The document's root element. Throws XmlError on malformed input or when a limit is passed.
XmlNode parse_xml(std::string_view doc, const XmlLimits& limits = {});

// Text for an XML element body: & < > " ' escaped.
std::string xml_escape(std::string_view text);

}  // namespace st::lib::s3
