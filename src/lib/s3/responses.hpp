#pragma once
// The S3 answers the client reads (ListObjectsV2, ListMultipartUploads, InitiateMultipartUpload, Error)
// and the one body it writes (CompleteMultipartUpload). Throws XmlError on a malformed answer.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace st::lib::s3 {

struct ObjectEntry {
  std::string key;  // as stored (the client's prefix included)
  std::uint64_t size = 0;
  std::string etag;
  std::string last_modified;
};

struct ObjectList {
  std::vector<ObjectEntry> objects;
  bool truncated = false;
  std::string next_token;  // NextContinuationToken when truncated
};

struct UploadEntry {
  std::string key;
  std::string upload_id;
  std::string initiated;
};

struct UploadList {
  std::vector<UploadEntry> uploads;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};

struct ErrorDocument {
  std::string code;     // e.g. "NoSuchKey", "SlowDown"
  std::string message;
};

ObjectList parse_object_list(std::string_view xml);
UploadList parse_upload_list(std::string_view xml);
std::string parse_upload_id(std::string_view xml);
// nullopt when the document is not an <Error> (CompleteMultipartUpload may answer 200 with one).
std::optional<ErrorDocument> parse_error(std::string_view xml);
std::string complete_multipart_body(const std::vector<std::pair<int, std::string>>& parts);

}  // namespace st::lib::s3
