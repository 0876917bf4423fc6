#pragma once
#include <string>

#include "http/request.hpp"
#include "http/response.hpp"

namespace st::http {

// Serves a built single-page app: files under root by path, and index.html for any other GET
// (client-side routing). Fingerprinted assets under /_app/immutable/ are cached for a year.
class StaticFiles {
 public:
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}
  bool available() const;  // root/index.html exists
  Response serve(const Request& req) const;

 private:
  std::string root_;
};

std::string content_type_for(std::string_view path);

}  // namespace st::http
