#pragma once
// Applies a peer's catalogue to ours: announced tracks become remote tracks (file_path p2p://<track id>)
// grouped under the same artist/album rules as local music; removals and edits follow the peer.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/catalog.hpp"
#include "model/p2p.hpp"
#include "p2p/protocol/messages.hpp"

namespace st::p2p {

// The content hash of a stored cover named by its URL (/api/media/covers/<2 hex>/<hash>.<ext>).
std::optional<std::string> cover_hash_of(const std::optional<std::string>& cover_url);

class Replicator {
 public:
  Replicator(model::CatalogRepository& catalog, model::P2pRepository& repo) : catalog_(catalog), repo_(repo) {}

  // `from` is the authenticated sender: it is recorded as the copy's origin whatever the message says.
  void upsert(const std::string& from, const TrackAnnouncement& a);
  void remove(const std::string& from, const std::string& hash);
  // A whole page: new tracks inserted in one transaction, artists and albums settled once per page.
  void upsert_page(const std::string& from, const std::vector<TrackAnnouncement>& page);

  // upsert_page in two steps, so that a pull can settle one page's tracks while the previous page's copies
  // are recorded (node.cpp: pull_catalog): pages' tracks are settled in order, and their copies recorded in
  // the same order, each page's after its tracks.
  struct SettledPage {
    std::vector<model::RemoteTrackRecord> copies;            // the peer's copies, to record
    std::vector<std::pair<std::string, std::string>> covers;  // (album id, cover hash) of the new replicas
  };
  // New replicas inserted, edits followed.
  SettledPage settle_tracks(const std::string& from, const std::vector<TrackAnnouncement>& page);
  // The peer's copies of a settled page recorded, its covers asked for.
  void record_copies(const std::string& from, const SettledPage& settled);

  // Told about each album of an applied announcement that carries a cover hash (the cover is fetched
  // once per hash, later, by the node): album id, cover hash, the peer that announced it.
  using CoverWanted = std::function<void(const std::string&, const std::string&, const std::string&)>;
  void on_cover_wanted(CoverWanted f) { cover_wanted_ = std::move(f); }

  // Our local track as an announcement (for pages we send).
  static TrackAnnouncement announce(const model::Track& t, const std::optional<std::string>& album_artist,
                                    const std::string& self);

 private:
  struct PageCache;
  model::RemoteTrackRecord copy_of(const std::string& from, const TrackAnnouncement& a) const;
  void follow_edit(const std::string& track_id, const TrackAnnouncement& a, const std::string& from);
  model::Track new_replica(const TrackAnnouncement& a, const model::RemoteTrackRecord& copy, PageCache* cache);

  // The album a replica belongs to under the local grouping rules (artist by name, album by album
  // artist and title), created when needed.
  std::optional<std::string> album_for(const TrackAnnouncement& a, const model::Artist& track_artist, PageCache* cache);
  model::Artist artist_for(const std::string& name, PageCache* cache);
  // Its key and the row proposed for it (nothing when the track names no album).
  std::optional<std::pair<std::string, model::Album>> album_proposal(const TrackAnnouncement& a,
                                                                     const model::Artist& track_artist,
                                                                     PageCache* cache);
  void settle_names(const std::vector<const TrackAnnouncement*>& fresh, PageCache& cache);

  model::CatalogRepository& catalog_;
  model::P2pRepository& repo_;
  CoverWanted cover_wanted_;
};

}  // namespace st::p2p
