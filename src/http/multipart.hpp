#pragma once
// multipart/form-data (RFC 7578), parsed as a stream from a body file on disk: file parts go straight
// to their own files, so an upload is never held in memory whatever its size.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace st::http {

struct MultipartPart {
  std::string name;
  std::optional<std::string> filename;  // present for file parts
  std::string content_type;
  std::string value;      // text fields
  std::string file_path;  // file parts: where the bytes are (owned by the MultipartForm)
  std::uint64_t size = 0;
};

struct MultipartLimits {
  std::size_t max_parts = 64;
  std::size_t max_field_bytes = 64 * 1024;
  std::uint64_t max_file_bytes = 1ull << 40;
};

// The parsed form. Files it still owns are deleted with it; take() a part's file to keep it.
class MultipartForm {
 public:
  MultipartForm() = default;
  MultipartForm(MultipartForm&&) noexcept = default;
  MultipartForm& operator=(MultipartForm&&) noexcept = default;
  ~MultipartForm();

  std::vector<MultipartPart> parts;
  std::string error;  // non-empty when parsing failed (the form is then empty)
  bool too_large = false;

  const MultipartPart* field(std::string_view name) const;
  std::vector<const MultipartPart*> files(std::string_view name) const;
  // Disowns a file part's file: the caller must move or delete it.
  void take(const MultipartPart& part);
};

// The boundary parameter of a multipart/form-data Content-Type, if any.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// Parses body_path; file parts are written under out_dir.
MultipartForm parse_multipart(const std::string& body_path, const std::string& boundary, const std::string& out_dir,
                              const MultipartLimits& limits = {});

}  // namespace st::http
