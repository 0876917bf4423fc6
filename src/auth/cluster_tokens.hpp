#pragma once
// Tokens one node of a cluster gives another for an internal request (a follower asking the leader for a
// replicated track's bytes): HS256 under the JWT_SECRET every node shares, bound to a purpose and a subject
// (a content hash), valid one minute. They are never access tokens: their type names the purpose.
#include <cstdint>
#include <string>
#include <string_view>

namespace st::auth {

class ClusterTokens {
 public:
  explicit ClusterTokens(std::string secret) : secret_(std::move(secret)) {}

  static constexpr std::int64_t kLifetimeSeconds = 60;

  std::string mint(std::string_view purpose, std::string_view subject, std::int64_t now) const;
  bool check(std::string_view token, std::string_view purpose, std::string_view subject, std::int64_t now) const;

 private:
  std::string secret_;
};

}  // namespace st::auth
