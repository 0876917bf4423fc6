#pragma once
// Public shares: a secret link to some tracks that plays without an account, until it expires.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalog.hpp"

namespace st::model {

struct Share {
  std::string id;
  std::string secret;  // the unguessable part of the public URL
  std::string user_id;
  std::string username;  // joined
  std::optional<std::string> description;
  util::Micros created_at = 0;
  std::optional<util::Micros> expires_at;
  std::optional<util::Micros> last_visited_at;
  std::int64_t visit_count = 0;
  std::vector<Track> tracks;
};

class ShareRepository {
 public:
  virtual ~ShareRepository() = default;
  virtual void create(const Share& s, const std::vector<std::string>& track_ids) = 0;
  virtual std::vector<Share> list_by_user(std::string_view user_id) = 0;  // every share when user_id is empty
  virtual std::optional<Share> find(std::string_view id) = 0;
  virtual std::optional<Share> find_by_secret(std::string_view secret) = 0;
  virtual void update(std::string_view id, const std::optional<std::string>& description,
                      std::optional<std::optional<util::Micros>> expires_at) = 0;
  virtual void remove(std::string_view id) = 0;
  virtual void record_visit(std::string_view id, util::Micros now) = 0;
};

}  // namespace st::model
