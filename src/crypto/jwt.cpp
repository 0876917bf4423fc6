#include "crypto/jwt.hpp"

#include <boost/json.hpp>

#include "lib/sodium/sodium.hpp"
#include "util/base64.hpp"

namespace st::crypto {

namespace json = boost::json;

namespace {

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

std::string signature_of(std::string_view signing_input, std::string_view secret) {
  auto mac = lib::sodium::hmac_sha256(secret, signing_input);
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

std::optional<json::object> parse_object(std::string_view b64) {
  auto raw = util::base64url_decode(b64);
  if (!raw) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*raw, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return v.as_object();
}

std::optional<std::string> get_string(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

std::optional<std::int64_t> get_int(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return std::nullopt;
  if (it->value().is_int64()) return it->value().as_int64();
  if (it->value().is_uint64() && it->value().as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(it->value().as_uint64());
  return std::nullopt;
}

}  // namespace

std::string jwt_sign(const JwtClaims& c, std::string_view secret) {
  json::object payload;
  payload["sub"] = c.sub;
  payload["username"] = c.username;
  payload["role"] = c.role;
  payload["token_type"] = c.token_type;
  payload["sid"] = c.sid;
  payload["iat"] = c.iat;
  payload["exp"] = c.exp;
  std::string input = util::base64url_encode(kHeader) + "." + util::base64url_encode(json::serialize(payload));
  return input + "." + util::base64url_encode(signature_of(input, secret));
}

JwtResult jwt_verify(std::string_view token, std::string_view secret, std::int64_t now, std::int64_t leeway) {
  JwtResult r;
  auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return r;
  auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) return r;

  auto header = parse_object(token.substr(0, dot1));
  if (!header) return r;
  auto alg = get_string(*header, "alg");
  if (!alg || *alg != "HS256") {
    r.error = JwtError::bad_algorithm;
    return r;
  }
  // Only the header fields we emit are meaningful; a `crit` extension we do not understand is refused.
  if (header->contains("crit")) {
    r.error = JwtError::bad_algorithm;
    return r;
  }

  auto sig = util::base64url_decode(token.substr(dot2 + 1));
  if (!sig) return r;
  std::string expected = signature_of(token.substr(0, dot2), secret);
  if (!lib::sodium::equal_constant_time(sig->data(), expected.data(), sig->size(), expected.size())) {
    r.error = JwtError::bad_signature;
    return r;
  }

  auto payload = parse_object(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) return r;
  JwtClaims c;
  auto sub = get_string(*payload, "sub");
  auto type = get_string(*payload, "token_type");
  auto iat = get_int(*payload, "iat");
  auto exp = get_int(*payload, "exp");
  if (!sub || !type || !iat || !exp) return r;
  c.sub = *sub;
  c.token_type = *type;
  c.username = get_string(*payload, "username").value_or("");
  c.role = get_string(*payload, "role").value_or("user");
  c.sid = get_string(*payload, "sid").value_or("");
  c.iat = *iat;
  c.exp = *exp;
  if (c.exp + leeway <= now) {
    r.error = JwtError::expired;
    return r;
  }
  if (c.iat > now + leeway) {
    r.error = JwtError::issued_in_future;
    return r;
  }
  r.claims = std::move(c);
  return r;
}

}  // namespace st::crypto
