#include "http/multipart.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "util/random.hpp"
#include "util/strings.hpp"

namespace st::http {

MultipartForm::~MultipartForm() {
  for (const auto& p : parts)
    if (!p.file_path.empty()) ::unlink(p.file_path.c_str());
}

const MultipartPart* MultipartForm::field(std::string_view name) const {
  for (const auto& p : parts)
    if (p.name == name && !p.filename) return &p;
  return nullptr;
}

std::vector<const MultipartPart*> MultipartForm::files(std::string_view name) const {
  std::vector<const MultipartPart*> out;
  for (const auto& p : parts)
    if (p.name == name && p.filename) out.push_back(&p);
  return out;
}

void MultipartForm::take(const MultipartPart& part) {
  for (auto& p : parts)
    if (&p == &part) p.file_path.clear();
}

namespace {

// Value of a header parameter (name="x"; filename="y"), unquoting; nothing when absent.
std::optional<std::string> param(std::string_view header, std::string_view key) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto semi = header.find(';', pos);
    auto part = util::trim(header.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos));
    auto eq = part.find('=');
    if (eq != std::string_view::npos && util::iequals(util::trim(part.substr(0, eq)), key)) {
      auto v = util::trim(part.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
        std::string out;
        for (std::size_t i = 1; i + 1 < v.size(); ++i) {
          if (v[i] == '\\' && i + 2 < v.size()) ++i;
          out.push_back(v[i]);
        }
        return out;
      }
      return std::string(v);
    }
    if (semi == std::string_view::npos) break;
    pos = semi + 1;
  }
  return std::nullopt;
}

// The last path component of a client file name ("C:\\x\\song.mp3" -> "song.mp3").
std::string base_name(std::string name) {
  auto slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name = name.substr(slash + 1);
  return name;
}

class Reader {
 public:
  explicit Reader(const std::string& path) : in_(path, std::ios::binary) {}
  bool ok() const { return static_cast<bool>(in_) || in_.eof(); }
  // Makes at least n bytes available in buf (fewer at end of input).
  void fill(std::size_t n) {
    while (buf.size() - pos < n && !eof_) {
      if (pos > 0 && pos > buf.size() / 2) {
        buf.erase(0, pos);
        pos = 0;
      }
      char chunk[64 * 1024];
      in_.read(chunk, sizeof chunk);
      auto got = static_cast<std::size_t>(in_.gcount());
      if (got == 0) eof_ = true;
      buf.append(chunk, got);
    }
  }
  std::string_view avail() const { return std::string_view(buf).substr(pos); }
  void consume(std::size_t n) { pos += n; }
  bool at_eof() { return eof_ && pos >= buf.size(); }

  std::string buf;
  std::size_t pos = 0;

 private:
  std::ifstream in_;
  bool eof_ = false;
};

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  auto semi = content_type.find(';');
  if (!util::iequals(util::trim(content_type.substr(0, semi)), "multipart/form-data")) return std::nullopt;
  if (semi == std::string_view::npos) return std::nullopt;
  auto b = param(content_type.substr(semi + 1), "boundary");
  if (!b || b->empty() || b->size() > 200) return std::nullopt;
  return b;
}

MultipartForm parse_multipart(const std::string& body_path, const std::string& boundary, const std::string& out_dir,
                              const MultipartLimits& limits) {
  MultipartForm form;
  auto fail = [&form](std::string why) {
    for (const auto& p : form.parts)
      if (!p.file_path.empty()) ::unlink(p.file_path.c_str());
    form.parts.clear();
    form.error = std::move(why);
    return std::move(form);
  };
  Reader r(body_path);
  if (!r.ok()) return fail("cannot read the request body");
  const std::string first = "--" + boundary;
  const std::string delim = "\r\n--" + boundary;

  // Preamble, then the first boundary.
  for (;;) {
    r.fill(first.size() + 64 * 1024);
    auto a = r.avail();
    auto at = a.find(first);
    if (at != std::string_view::npos) {
      r.consume(at + first.size());
      break;
    }
    if (r.at_eof() || a.size() > 1024 * 1024) return fail("no multipart boundary found in the body");
    r.consume(a.size() > first.size() ? a.size() - first.size() : 0);
    if (r.avail().size() == a.size()) return fail("no multipart boundary found in the body");
  }

  for (;;) {
    // After a boundary: "--" ends the form, CRLF starts a part.
    r.fill(2);
    auto a = r.avail();
    if (a.substr(0, 2) == "--") return form;
    if (a.substr(0, 2) != "\r\n") return fail("malformed multipart boundary line");
    r.consume(2);
    if (form.parts.size() >= limits.max_parts) return fail("too many parts in the form");

    // Part headers.
    r.fill(16 * 1024);
    a = r.avail();
    auto end = a.find("\r\n\r\n");
    if (end == std::string_view::npos) return fail("multipart part headers missing or too long");
    MultipartPart part;
    for (auto line : util::split(a.substr(0, end), '\n')) {
      line = util::trim(line);
      auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      auto name = util::trim(line.substr(0, colon));
      auto value = util::trim(line.substr(colon + 1));
      if (util::iequals(name, "Content-Disposition")) {
        part.name = param(value, "name").value_or("");
        if (auto f = param(value, "filename")) part.filename = base_name(*f);
      } else if (util::iequals(name, "Content-Type")) {
        part.content_type = std::string(value);
      }
    }
    r.consume(end + 4);

    std::FILE* out = nullptr;
    if (part.filename) {
      part.file_path = out_dir + "/part-" + util::random_hex(12);
      out = std::fopen(part.file_path.c_str(), "wb");
      if (!out) return fail("cannot store an uploaded file");
    }
    form.parts.push_back(part);
    MultipartPart& p = form.parts.back();
    // Body: everything up to CRLF--boundary, flushed as it comes except a tail that could start it.
    bool done = false;
    while (!done) {
      r.fill(delim.size() + 256 * 1024);
      a = r.avail();
      auto at = a.find(delim);
      std::size_t take = at != std::string_view::npos ? at
                         : a.size() > delim.size() ? a.size() - delim.size() + 1
                                                   : 0;
      if (at == std::string_view::npos && take == 0) {  // fill() stopped short: end of input
        if (out) std::fclose(out);
        return fail("the multipart body ends in the middle of a part");
      }
      p.size += take;
      if (out) {
        if (p.size > limits.max_file_bytes) {
          std::fclose(out);
          form.too_large = true;
          auto f = fail("uploaded file too large");
          f.too_large = true;
          return f;
        }
        if (std::fwrite(a.data(), 1, take, out) != take) {
          std::fclose(out);
          return fail("cannot store an uploaded file (disk full?)");
        }
      } else {
        if (p.size > limits.max_field_bytes) return fail("form field '" + p.name + "' too long");
        p.value.append(a.data(), take);
      }
      r.consume(take);
      if (at != std::string_view::npos) {
        r.consume(delim.size());
        done = true;
      }
    }
    if (out && std::fclose(out) != 0) return fail("cannot store an uploaded file (disk full?)");
  }
}

}  // namespace st::http
