// Health of replicated copies, copies of a song, and replicas following a peer's artist/album edits,
// on SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <set>

#include "db/repositories.hpp"
#include "p2p/replicator.hpp"
#include "support/test_database.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

using namespace st;

namespace {

const std::string kPeer(64, 'a');
const std::string kOther(64, 'b');

class TrackHealthRepo : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ST_OPEN_TEST_DATABASE(db_);
    catalog_ = db::make_catalog_repository(db_.pool());
    repo_ = db::make_p2p_repository(db_.pool());
    health_ = db::make_track_health_repository(db_.pool());
  }

  p2p::TrackAnnouncement song(std::string hash, std::string format, int kbps) {
    p2p::TrackAnnouncement a;
    a.hash = std::move(hash);
    a.title = "Same Song";
    a.artist_name = "Far Artist";
    a.album_title = "Far Album";
    a.duration_secs = 200;
    a.format = std::move(format);
    a.file_size = 4096;
    a.bitrate = kbps;
    a.sample_rate = 44100;
    return a;
  }

  test::TestDatabase db_{GetParam()};
  std::unique_ptr<model::CatalogRepository> catalog_;
  std::unique_ptr<model::P2pRepository> repo_;
  std::unique_ptr<model::TrackHealthRepository> health_;
};

TEST_P(TrackHealthRepo, StatePersistsAndAdminDecisionsStand) {
  p2p::Replicator rep(*catalog_, *repo_);
  auto h = std::string(64, '1');
  rep.upsert(kPeer, song(h, "flac", 900));
  auto c = health_->find_copy_of(kPeer, h);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->state, model::CopyState{});
  EXPECT_EQ(c->hash, h);
  EXPECT_EQ(c->origin_node, kPeer);
  EXPECT_FALSE(c->last_failure_at);

  for (int i = 0; i < 3; ++i) health_->update_state(c->id, &model::after_failure, true);
  c = health_->find_copy(c->id);
  EXPECT_EQ(c->state.health, model::CopyHealth::dereferenced);
  EXPECT_EQ(c->state.failed_attempts, 3);
  EXPECT_FALSE(c->state.is_available);
  EXPECT_TRUE(c->last_checked_at);
  EXPECT_TRUE(c->last_failure_at);
  EXPECT_FALSE(repo_->remote_copies(h).front().is_available) << "the fetch path sees it unavailable";

  health_->update_state(c->id, &model::after_success, true);
  EXPECT_EQ(health_->find_copy(c->id)->state.health, model::CopyHealth::healthy) << "re-referenced";

  health_->update_state(c->id, &model::after_admin_dereference, false);
  health_->update_state(c->id, &model::after_success, true);
  c = health_->find_copy(c->id);
  EXPECT_TRUE(c->state.admin_dereferenced);
  EXPECT_FALSE(c->state.is_available) << "a check never undoes the administrator";
  EXPECT_EQ(health_->update_state(c->id, &model::after_admin_rereference, false)->is_available, true);

  // A peer announcing the track again does not reset its health.
  health_->update_state(c->id, &model::after_failure, true);
  rep.upsert(kPeer, song(h, "flac", 900));
  EXPECT_EQ(health_->find_copy(c->id)->state.failed_attempts, 1);
  EXPECT_FALSE(health_->update_state(util::new_uuid(), &model::after_failure, true)) << "unknown copy";
}

TEST_P(TrackHealthRepo, SweepBatchesVisitTheLeastRecentlyCheckedFirst) {
  p2p::Replicator rep(*catalog_, *repo_);
  std::vector<std::string> ids;
  for (char ch : {'1', '2', '3'}) {
    auto a = song(std::string(64, ch), "mp3", 128);
    a.title = std::string("Song ") + ch;
    rep.upsert(kPeer, a);
    ids.push_back(health_->find_copy_of(kPeer, a.hash)->id);
  }
  // Announcements stamp last_checked_at; checking the first two makes the third the oldest.
  health_->update_state(ids[0], &model::after_success, true);
  health_->update_state(ids[1], &model::after_success, true);
  auto batch = health_->least_recently_checked(2);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].id, ids[2]);
  EXPECT_EQ(batch[1].id, ids[0]);
  EXPECT_EQ(health_->list_copies(200).size(), 3u);
  EXPECT_EQ(health_->list_copies(1).size(), 1u);
}

TEST_P(TrackHealthRepo, SongCopiesGatherSameBytesAndSameSongWithPeersOnline) {
  p2p::Replicator rep(*catalog_, *repo_);
  auto flac = std::string(64, 'f'), mp3 = std::string(64, 'e');
  repo_->peer_seen(kPeer, std::nullopt, 1, std::nullopt);
  repo_->add_peer(kOther, "127.0.0.1:1");  // known but offline
  rep.upsert(kPeer, song(flac, "flac", 1000));
  rep.upsert(kOther, song(flac, "flac", 1000));
  auto other = song(mp3, "mp3", 320);
  other.duration_secs = 201.5;  // another file of the same song
  rep.upsert(kOther, other);
  auto far = song(std::string(64, 'd'), "flac", 1000);
  far.duration_secs = 300;  // same names, another recording: not a copy
  rep.upsert(kPeer, far);
  auto track = catalog_->find_track_by_hash(mp3);
  ASSERT_TRUE(track);
  auto copies = health_->song_copies(track->id);
  ASSERT_EQ(copies.size(), 3u);
  int online = 0;
  for (const auto& c : copies) {
    EXPECT_NE(c.hash, std::string(64, 'd'));
    if (c.online) ++online;
    EXPECT_EQ(c.source.rfind("p2p://", 0), 0u);
  }
  EXPECT_EQ(online, 1);
  EXPECT_TRUE(health_->song_copies(util::new_uuid()).empty());
}

// Same-song copies are found through the artist's folded name and that artist's tracks (no scan of every
// title): names alike but for case match, another artist's song of the same title does not, and local files
// of the same bytes and of the same song are listed with the peers' copies.
TEST_P(TrackHealthRepo, SongCopiesMatchTitleAndArtistWhateverTheirCase) {
  p2p::Replicator rep(*catalog_, *repo_);
  rep.upsert(kPeer, song(std::string(64, 'f'), "flac", 1000));
  auto replica = catalog_->find_track_by_hash(std::string(64, 'f'));
  ASSERT_TRUE(replica);
  auto now = util::now_micros();
  auto local = [&](const std::string& artist, const std::string& title, double secs, std::string hash) {
    auto ar = catalog_->upsert_artist("name:" + artist, {util::new_uuid(), artist, {}, {}, {}, now});
    model::Track t;
    t.id = util::new_uuid();
    t.title = title;
    t.artist_id = ar.id;
    t.duration_secs = secs;
    t.file_path = "/music/" + t.id + ".mp3";
    t.file_size = 1;
    t.format = "mp3";
    t.content_hash = std::move(hash);
    t.created_at = now;
    t.artist_name = artist;
    catalog_->insert_track(t);
    return t.id;
  };
  auto shouted = local("FAR ARTIST", "SAME SONG", 198, std::string(64, '1'));
  auto same_bytes = local("Someone Else", "Other Title", 50, std::string(64, 'f'));
  local("Near Artist", "Same Song", 200, std::string(64, '2'));      // another artist
  local("Far Artist", "Same Song (Live)", 200, std::string(64, '3'));  // another title
  local("far artist", "same song", 210, std::string(64, '4'));        // another recording (10 s longer)
  std::set<std::string> found;
  for (const auto& c : health_->song_copies(replica->id)) found.insert(c.source + " " + c.track_id);
  EXPECT_EQ(found, (std::set<std::string>{"local " + shouted, "local " + same_bytes, "p2p://" + kPeer + " " +
                                          replica->id}));
  found.clear();
  for (const auto& c : health_->song_copies(shouted)) found.insert(c.source + " " + c.track_id);
  EXPECT_EQ(found, (std::set<std::string>{"local " + shouted, "p2p://" + kPeer + " " + replica->id}))
      << "the peer's copy of the same song, and not the file that only shares the replica's bytes";
}

TEST_P(TrackHealthRepo, ReplicaFollowsThePeersArtistAndAlbumAndWantsItsCover) {
  p2p::Replicator rep(*catalog_, *repo_);
  std::vector<std::pair<std::string, std::string>> covers;
  rep.on_cover_wanted([&](const std::string& album, const std::string& hash, const std::string& from) {
    covers.emplace_back(album, hash + "@" + from);
  });
  auto a = song(std::string(64, '7'), "flac", 900);
  a.album_artist_name = "Far Artist";
  a.cover_hash = std::string(64, 'c');
  a.origin_node = "a liar";
  rep.upsert(kPeer, a);
  auto t = catalog_->find_track_by_hash(a.hash);
  ASSERT_TRUE(t);
  ASSERT_EQ(covers.size(), 1u);
  EXPECT_EQ(covers[0].first, *t->album_id);
  EXPECT_EQ(covers[0].second, a.cover_hash.value() + "@" + kPeer) << "fetched from the sender, not origin_node";
  auto old_album = *t->album_id;
  auto old_artist = t->artist_id;

  a.artist_name = "Renamed Artist";
  a.album_artist_name = "Renamed Artist";
  a.album_title = "Renamed Album";
  rep.upsert(kPeer, a);
  t = catalog_->find_track_by_hash(a.hash);
  EXPECT_EQ(t->artist_name, "Renamed Artist");
  EXPECT_EQ(t->album_title, "Renamed Album");
  EXPECT_NE(t->album_id, old_album);
  EXPECT_EQ(catalog_->find_album(*t->album_id)->artist_name, "Renamed Artist");
  EXPECT_FALSE(catalog_->find_album(old_album)) << "the emptied album is pruned";
  EXPECT_FALSE(catalog_->find_artist(old_artist)) << "and its artist";
  EXPECT_EQ(covers.back().first, *t->album_id) << "the new album wants the cover too";
}

TEST_P(TrackHealthRepo, ArtistRenamesAndAlbumCoversAreLoggedForPeers) {
  auto now = util::now_micros();
  auto artist = catalog_->upsert_artist("name:x", {util::new_uuid(), "X", {}, {}, {}, now});
  model::Album al;
  al.id = util::new_uuid();
  al.title = "Album";
  al.artist_id = artist.id;
  al.artist_name = "X";
  al.created_at = now;
  al = catalog_->upsert_album(artist.id + "|album", al);
  model::Track t;
  t.id = util::new_uuid();
  t.title = "Song";
  t.artist_id = artist.id;
  t.album_id = al.id;
  t.duration_secs = 3;
  t.file_path = "/music/song.mp3";
  t.file_size = 10;
  t.format = "mp3";
  t.content_hash = std::string(64, '9');
  t.created_at = now;
  catalog_->insert_track(t);
  auto cursor = repo_->changes_since(0, 500).next_cursor;
  auto cover = "/api/media/covers/ab/" + std::string(62, 'a') + "ab.jpg";
  catalog_->set_album_cover(al.id, cover, false);
  auto page = repo_->changes_since(cursor, 500);
  ASSERT_EQ(page.changes.size(), 1u);
  auto ann = p2p::Replicator::announce(*page.changes[0].track, page.changes[0].album_artist_name, kPeer);
  EXPECT_EQ(ann.cover_hash, std::string(62, 'a') + "ab");
  EXPECT_EQ(p2p::cover_hash_of(std::string("https://example.org/x.jpg")), std::nullopt);
  EXPECT_EQ(p2p::cover_hash_of(std::string("/api/media/covers/ab/../../etc.jpg")), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Engines, TrackHealthRepo, test::kEngines);

}  // namespace
