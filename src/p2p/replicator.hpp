#pragma once
// Applies a peer's catalogue to ours: announced tracks become remote tracks (file_path p2p://<hash>)
// grouped under the same artist/album rules as local music; removals and edits follow the peer.
#include <string>

#include "model/catalog.hpp"
#include "model/p2p.hpp"
#include "p2p/protocol/messages.hpp"

namespace st::p2p {

class Replicator {
 public:
  Replicator(model::CatalogRepository& catalog, model::P2pRepository& repo) : catalog_(catalog), repo_(repo) {}

  // `from` is the authenticated sender: it is recorded as the copy's origin whatever the message says.
  void upsert(const std::string& from, const TrackAnnouncement& a);
  void remove(const std::string& from, const std::string& hash);

  // Our local track as an announcement (for pages we send).
  static TrackAnnouncement announce(const model::Track& t, const std::optional<std::string>& album_artist,
                                    const std::string& self);

 private:
  model::CatalogRepository& catalog_;
  model::P2pRepository& repo_;
};

}  // namespace st::p2p
