#pragma once
// Radio: an endless, stateless stream of tracks from a seed (a track, an artist, a genre, the
// listener's own taste). The client sends what it already played; each call returns the next few.
#include <optional>
#include <string>
#include <vector>

#include "model/catalog.hpp"
#include "model/playlist.hpp"

namespace st::library {

struct RadioRequest {
  std::string seed_type;  // track | artist | genre | personal_mix | similar
  std::optional<std::string> seed_id;
  std::optional<std::string> genre;
  int count = 5;
  std::vector<std::string> exclude;
  std::string user_id;
};

struct RadioResult {
  std::vector<model::Track> tracks;
  bool exhausted = false;
};

class Radio {
 public:
  Radio(model::CatalogRepository& catalog, model::ActivityRepository& activity) : catalog_(catalog), activity_(activity) {}
  // Throws DomainError: 400 for a missing seed, 404 for an unknown one.
  RadioResult next(const RadioRequest& r);

 private:
  std::vector<model::Track> pick(const RadioRequest& r, const std::vector<std::string>& exclude);
  model::CatalogRepository& catalog_;
  model::ActivityRepository& activity_;
};

}  // namespace st::library
