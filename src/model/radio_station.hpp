#pragma once
// Internet radio stations an administrator lists for everyone.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace st::model {

struct RadioStation {
  std::string id;
  std::string name;
  std::string stream_url;
  std::optional<std::string> homepage_url;
  util::Micros created_at = 0;
};

class RadioStationRepository {
 public:
  virtual ~RadioStationRepository() = default;
  virtual std::vector<RadioStation> list() = 0;
  virtual std::optional<RadioStation> find(std::string_view id) = 0;
  virtual void create(const RadioStation& s) = 0;
  virtual void update(const RadioStation& s) = 0;
  virtual void remove(std::string_view id) = 0;
};

}  // namespace st::model
