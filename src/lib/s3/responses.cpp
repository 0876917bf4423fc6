#include "lib/s3/responses.hpp"

#include <charconv>

#include "lib/s3/xml.hpp"

namespace st::lib::s3 {

namespace {

XmlNode root_named(std::string_view xml, std::string_view name) {
  XmlNode root = parse_xml(xml);
  if (root.name != name) throw XmlError("expected <" + std::string(name) + ">, got <" + root.name + ">");
  return root;
}

std::uint64_t parse_size(const std::string& text) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) throw XmlError("a malformed <Size>");
  return v;
}

}  // namespace

ObjectList parse_object_list(std::string_view xml) {
  XmlNode root = root_named(xml, "ListBucketResult");
  ObjectList out;
  for (const XmlNode* c : root.all("Contents")) {
    ObjectEntry e;
    e.key = c->child_text("Key");
    if (e.key.empty()) throw XmlError("an object without a <Key>");
    e.size = parse_size(c->child_text("Size"));
    e.etag = c->child_text("ETag");
    e.last_modified = c->child_text("LastModified");
    out.objects.push_back(std::move(e));
  }
  out.truncated = root.child_text("IsTruncated") == "true";
  out.next_token = root.child_text("NextContinuationToken");
  if (out.truncated && out.next_token.empty()) throw XmlError("a truncated list without a continuation token");
  return out;
}

UploadList parse_upload_list(std::string_view xml) {
  XmlNode root = root_named(xml, "ListMultipartUploadsResult");
  UploadList out;
  for (const XmlNode* u : root.all("Upload")) {
    UploadEntry e{u->child_text("Key"), u->child_text("UploadId"), u->child_text("Initiated")};
    if (e.key.empty() || e.upload_id.empty()) throw XmlError("an upload without a key or an id");
    out.uploads.push_back(std::move(e));
  }
  out.truncated = root.child_text("IsTruncated") == "true";
  out.next_key_marker = root.child_text("NextKeyMarker");
  out.next_upload_id_marker = root.child_text("NextUploadIdMarker");
  return out;
}

std::string parse_upload_id(std::string_view xml) {
  XmlNode root = root_named(xml, "InitiateMultipartUploadResult");
  std::string id = root.child_text("UploadId");
  if (id.empty()) throw XmlError("no <UploadId>");
  return id;
}

std::optional<ErrorDocument> parse_error(std::string_view xml) {
  XmlNode root = parse_xml(xml);
  if (root.name != "Error") return std::nullopt;
  return ErrorDocument{root.child_text("Code"), root.child_text("Message")};
}

std::string complete_multipart_body(const std::vector<std::pair<int, std::string>>& parts) {
  std::string out = "<CompleteMultipartUpload>";
  for (const auto& [number, etag] : parts)
    out += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + xml_escape(etag) + "</ETag></Part>";
  out += "</CompleteMultipartUpload>";
  return out;
}

}  // namespace st::lib::s3
