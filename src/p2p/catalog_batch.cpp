#include "p2p/catalog_batch.hpp"

namespace st::p2p {

bool CatalogBatch::accepts(const std::vector<TrackAnnouncement>& tracks) const {
  for (const auto& t : tracks)
    if (hashes_.count(t.hash)) return false;
  return true;
}

void CatalogBatch::add(std::vector<TrackAnnouncement> tracks) {
  for (auto& t : tracks) {
    hashes_.insert(t.hash);
    tracks_.push_back(std::move(t));
  }
}

std::vector<TrackAnnouncement> CatalogBatch::take() {
  std::vector<TrackAnnouncement> out;
  out.swap(tracks_);
  hashes_.clear();
  return out;
}

}  // namespace st::p2p
