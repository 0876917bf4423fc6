#pragma once
// Applies a peer's catalogue to ours: announced tracks become remote tracks (file_path p2p://<hash>)
// grouped under the same artist/album rules as local music; removals and edits follow the peer.
#include <map>
#include <string>
#include <vector>

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
  // A whole page: new tracks inserted in one transaction, artists and albums settled once per page.
  void upsert_page(const std::string& from, const std::vector<TrackAnnouncement>& page);

  // Our local track as an announcement (for pages we send).
  static TrackAnnouncement announce(const model::Track& t, const std::optional<std::string>& album_artist,
                                    const std::string& self);

 private:
  struct PageCache;
  model::RemoteTrackRecord copy_of(const std::string& from, const TrackAnnouncement& a) const;
  void follow_edit(const std::string& track_id, const TrackAnnouncement& a);
  model::Track new_replica(const TrackAnnouncement& a, const model::RemoteTrackRecord& copy, PageCache* cache);

  model::CatalogRepository& catalog_;
  model::P2pRepository& repo_;
};

}  // namespace st::p2p
