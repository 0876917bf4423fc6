#include "lib/s3/sigv4.hpp"

#include "lib/sodium/sodium.hpp"
#include "lib/ssl/digest.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace st::lib::s3 {
namespace {

std::string hex(const unsigned char* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

std::string hmac(std::string_view key, std::string_view data) {
  auto mac = sodium::hmac_sha256(key, data);
  return std::string(mac.begin(), mac.end());
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// Header values: leading/trailing spaces trimmed, inner runs of spaces collapsed to one.
std::string trim_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char ch : v) {
    if (ch == ' ' || ch == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += ch;
  }
  return out;
}

struct Canon {
  std::string request;
  std::string signed_headers;
};

Canon canon(const SignedRequest& r, bool double_encode_path) {
  std::string path = r.path.empty() ? "/" : uri_encode(r.path, false);
  if (double_encode_path) path = uri_encode(path, false);
  Pairs q;
  for (const auto& [k, v] : r.query) q.emplace_back(uri_encode(k, true), uri_encode(v, true));
  std::sort(q.begin(), q.end());
  std::string query;
  for (const auto& [k, v] : q) query += (query.empty() ? "" : "&") + k + "=" + v;
  Pairs h;
  for (const auto& [k, v] : r.headers) h.emplace_back(lower(k), trim_value(v));
  std::stable_sort(h.begin(), h.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string headers, names;
  for (size_t i = 0; i < h.size(); ++i) {
    if (i > 0 && h[i].first == h[i - 1].first) {  // repeated header: values joined by commas
      headers.pop_back();
      headers += "," + h[i].second + "\n";
      continue;
    }
    headers += h[i].first + ":" + h[i].second + "\n";
    names += (names.empty() ? "" : ";") + h[i].first;
  }
  return {r.method + "\n" + path + "\n" + query + "\n" + headers + "\n" + names + "\n" + r.payload_hash, names};
}

std::string signature(const Credentials& c, std::string_view amz_date, const std::string& canonical) {
  std::string date(amz_date.substr(0, 8));
  std::string scope = date + "/" + c.region + "/" + c.service + "/aws4_request";
  std::string to_sign = "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + scope + "\n" + sha256_hex(canonical);
  std::string k = hmac("AWS4" + c.secret_key, date);
  k = hmac(k, c.region);
  k = hmac(k, c.service);
  k = hmac(k, "aws4_request");
  std::string sig = hmac(k, to_sign);
  return hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

}  // namespace

std::string uri_encode(std::string_view in, bool encode_slash) {
  if (encode_slash) return util::percent_encode(in);
  // A key's path: each segment encoded, the slashes between them kept.
  std::string out;
  for (std::size_t start = 0;;) {
    auto slash = in.find('/', start);
    out += util::percent_encode(in.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) return out;
    out += '/';
    start = slash + 1;
  }
}

std::string sha256_hex(std::string_view data) {
  std::string d = ssl::sha256(data);
  return hex(reinterpret_cast<const unsigned char*>(d.data()), d.size());
}

std::string canonical_request(const SignedRequest& r, bool double_encode_path) {
  return canon(r, double_encode_path).request;
}

std::string authorization(const Credentials& c, const SignedRequest& r, std::string_view amz_date,
                          bool double_encode_path) {
  Canon cr = canon(r, double_encode_path);
  return "AWS4-HMAC-SHA256 Credential=" + c.access_key + "/" + std::string(amz_date.substr(0, 8)) + "/" + c.region +
         "/" + c.service + "/aws4_request, SignedHeaders=" + cr.signed_headers +
         ", Signature=" + signature(c, amz_date, cr.request);
}

std::string presigned_query(const Credentials& c, std::string_view method, std::string_view path,
                            std::string_view host, std::string_view amz_date, long expires_seconds) {
  SignedRequest r;
  r.method = std::string(method);
  r.path = std::string(path);
  r.query = {{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
             {"X-Amz-Credential", c.access_key + "/" + std::string(amz_date.substr(0, 8)) + "/" + c.region + "/" +
                                      c.service + "/aws4_request"},
             {"X-Amz-Date", std::string(amz_date)},
             {"X-Amz-Expires", std::to_string(expires_seconds)},
             {"X-Amz-SignedHeaders", "host"}};
  r.headers = {{"host", std::string(host)}};
  r.payload_hash = "UNSIGNED-PAYLOAD";
  std::string query;
  Pairs q = r.query;
  std::sort(q.begin(), q.end());
  for (const auto& [k, v] : q) query += (query.empty() ? "" : "&") + uri_encode(k, true) + "=" + uri_encode(v, true);
  return query + "&X-Amz-Signature=" + signature(c, amz_date, canon(r, false).request);
}

}  // namespace st::lib::s3
