#pragma once
// Blocked domains: web domains and P2P NodeIds an administrator refuses (inbound and outbound).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace st::model {

struct BlockedDomain {
  std::string id;
  std::string domain;
  std::optional<std::string> reason;
  util::Micros created_at = 0;
};

class BlocklistRepository {
 public:
  virtual ~BlocklistRepository() = default;
  virtual std::vector<BlockedDomain> list() = 0;  // newest first
  // False when the domain is already blocked.
  virtual bool add(const BlockedDomain& b, std::optional<std::string> blocked_by) = 0;
  virtual bool remove(std::string_view id) = 0;
};

}  // namespace st::model
