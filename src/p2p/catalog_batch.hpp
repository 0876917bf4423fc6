#pragma once
// Catalogue pages pulled from a peer, gathered so that thousands of tracks are applied in one database
// transaction: every index of the tracks tables is keyed by random ids or hashes, so a transaction writes
// each index page it touches once, and a page of 500 tracks touches about as many index pages as 5,000.
// Order is kept: a page joins the batch only when none of its hashes is already waiting (a track edited
// during the pull is applied in two steps), and removals are applied after the batch they follow.
#include <cstddef>
#include <string>
#include <unordered_set>
#include <vector>

#include "p2p/protocol/messages.hpp"

namespace st::p2p {

class CatalogBatch {
 public:
  explicit CatalogBatch(std::size_t max_tracks) : max_(max_tracks) {}

  // False when one of these hashes is already waiting: apply the batch first.
  bool accepts(const std::vector<TrackAnnouncement>& tracks) const;
  void add(std::vector<TrackAnnouncement> tracks);
  bool full() const { return tracks_.size() >= max_; }
  bool empty() const { return tracks_.empty(); }
  std::size_t size() const { return tracks_.size(); }
  // The waiting tracks in arrival order; the batch is empty afterwards.
  std::vector<TrackAnnouncement> take();

 private:
  std::size_t max_;
  std::vector<TrackAnnouncement> tracks_;
  std::unordered_set<std::string> hashes_;
};

}  // namespace st::p2p
