// multipart/form-data bodies from the network: parsing never crashes, never writes outside its folder,
// and every file it reports exists with the size it reports.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "http/multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/st-multipart-fuzz-XXXXXX";
    return std::string(mkdtemp(tmpl));
  }();
  std::string body = dir + "/body";
  if (std::FILE* f = std::fopen(body.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  st::http::MultipartLimits limits;
  limits.max_file_bytes = 1 << 16;
  {
    auto form = st::http::parse_multipart(body, "BOUNDARY", dir, limits);
    for (const auto& p : form.parts) {
      if (p.filename) {
        struct stat st {};
        if (::stat(p.file_path.c_str(), &st) != 0 || static_cast<std::uint64_t>(st.st_size) != p.size) __builtin_trap();
        if (p.file_path.rfind(dir + "/part-", 0) != 0) __builtin_trap();
      }
    }
  }
  ::unlink(body.c_str());
  return 0;
}
