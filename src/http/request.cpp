#include "http/request.hpp"

#include <algorithm>

#include "util/strings.hpp"

namespace st::http {

Method parse_method(std::string_view m) {
  if (m == "GET") return Method::get;
  if (m == "HEAD") return Method::head;
  if (m == "POST") return Method::post;
  if (m == "PUT") return Method::put;
  if (m == "PATCH") return Method::patch;
  if (m == "DELETE") return Method::del;
  if (m == "OPTIONS") return Method::options;
  return Method::other;
}

std::string_view to_string(Method m) {
  switch (m) {
    case Method::get: return "GET";
    case Method::head: return "HEAD";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::del: return "DELETE";
    case Method::options: return "OPTIONS";
    case Method::other: break;
  }
  return "OTHER";
}

std::vector<std::pair<std::string, std::string>> Request::query_pairs() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (query_string.empty()) return out;
  for (auto part : util::split(query_string, '&')) {
    if (part.empty()) continue;
    auto eq = part.find('=');
    auto k = util::percent_decode(part.substr(0, eq), true);
    auto v = util::percent_decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1), true);
    if (!k || !v) continue;  // a malformed pair is ignored, like a missing one
    out.emplace_back(std::move(*k), std::move(*v));
  }
  return out;
}

std::optional<std::string> Request::query(std::string_view key) const {
  for (auto& [k, v] : query_pairs())
    if (k == key) return v;
  return std::nullopt;
}

std::string_view Request::param(std::string_view name) const {
  auto it = path_params.find(name);
  return it == path_params.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string_view> Request::bearer_token() const {
  auto h = headers.get("Authorization");
  if (!h) return std::nullopt;
  std::string_view v = util::trim(*h);
  if (v.size() < 7 || !util::iequals(v.substr(0, 7), "Bearer ")) return std::nullopt;
  v = util::trim(v.substr(7));
  if (v.empty()) return std::nullopt;
  return v;
}

bool split_target(std::string_view target, std::string& path, std::string& query) {
  if (target.empty() || target.front() != '/') return false;
  auto q = target.find('?');
  auto raw_path = target.substr(0, q);
  query = q == std::string_view::npos ? "" : std::string(target.substr(q + 1));
  auto decoded = util::percent_decode(raw_path, false);
  if (!decoded) return false;
  // A NUL byte in a path is never legitimate and confuses C APIs further down.
  if (decoded->find('\0') != std::string::npos) return false;
  path = std::move(*decoded);
  return true;
}

std::string client_ip(const http::Request& req, const std::vector<std::string>& trusted) {
  auto is_trusted = [&](std::string_view ip) { return std::find(trusted.begin(), trusted.end(), ip) != trusted.end(); };
  if (!is_trusted(req.remote_ip)) return req.remote_ip;
  auto xff = req.headers.get("X-Forwarded-For");
  if (!xff) return req.remote_ip;
  // Walk from the right: the nearest hop not run by us is the client as far as we can trust.
  auto hops = util::split(*xff, ',');
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    auto hop = util::trim(*it);
    if (hop.empty()) continue;
    if (!is_trusted(hop)) return std::string(hop);
  }
  return req.remote_ip;
}

}  // namespace st::http
