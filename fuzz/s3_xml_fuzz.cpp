// The answers of an object store (a misconfigured or hostile endpoint, or a proxy in front of it) go
// through the XML reader and the S3 answer readers: any input is refused with XmlError or read, never a
// crash; text that was escaped reads back as it was.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/s3/responses.hpp"
#include "lib/s3/xml.hpp"

using namespace st::lib::s3;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    parse_xml(in);
  } catch (const XmlError&) {
  }
  try {
    parse_object_list(in);
  } catch (const XmlError&) {
  }
  try {
    parse_upload_list(in);
  } catch (const XmlError&) {
  }
  try {
    parse_upload_id(in);
  } catch (const XmlError&) {
  }
  try {
    parse_error(in);
  } catch (const XmlError&) {
  }
  if (in.find('\0') == std::string_view::npos) {
    std::string doc = "<a>" + xml_escape(in) + "</a>";
    try {
      if (parse_xml(doc).text != in) std::abort();
    } catch (const XmlError&) {
      // only when the text is too large for the limits
      if (doc.size() <= XmlLimits{}.max_bytes) std::abort();
    }
  }
  return 0;
}
