#include "model/annotation.hpp"

namespace st::model {

std::string_view to_string(ItemKind k) {
  switch (k) {
    case ItemKind::track: return "track";
    case ItemKind::album: return "album";
    case ItemKind::artist: return "artist";
  }
  return "track";
}

}  // namespace st::model
