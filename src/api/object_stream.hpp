#pragma once
// A track's original bytes when they live in object storage (file_path "s3://<key>"): a redirect to a
// presigned URL (S3_PRESIGNED_REDIRECT), the local copy when the media cache has one, or the bytes
// proxied from the store with ranges (a seek is one ranged read, not a download of the whole file).
#include <string>

#include "api/deps.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace st::api {

http::Response object_response(const MediaStore& d, const http::Request& req, const std::string& file_path,
                               const std::string& content_type);

// StorageError as the client sees it: 404 for a missing object, 503 when the store cannot be reached or is
// busy, 502 when it refuses us (credentials, permissions).
[[noreturn]] void throw_storage_error(const library::StorageError& e);

}  // namespace st::api
