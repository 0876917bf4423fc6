// The P2P repository and the change log kept by triggers, on SQLite and on PostgreSQL.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <thread>
#include <tuple>

#include "db/hash_lookup.hpp"
#include "db/repositories.hpp"
#include "p2p/replicator.hpp"
#include "support/test_database.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

using namespace st;

namespace {

const std::string kPeer(64, 'a');
const std::string kOther(64, 'b');

class P2pRepo : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ST_OPEN_TEST_DATABASE(db_);
    catalog_ = db::make_catalog_repository(db_.pool());
    repo_ = db::make_p2p_repository(db_.pool());
    auto now = util::now_micros();
    artist_ = catalog_->upsert_artist("name:artist", {util::new_uuid(), "Artist", {}, {}, {}, now});
    model::Album al;
    al.id = util::new_uuid();
    al.title = "Album";
    al.artist_id = artist_.id;
    al.artist_name = "Artist";
    al.created_at = now;
    album_ = catalog_->upsert_album(artist_.id + "|album", al);
  }

  // A track of the fixture's artist and album, not inserted: ours under /music/, or a replica (p2p://).
  model::Track track(std::string title, std::optional<std::string> hash, bool replica = false) {
    model::Track t;
    t.id = util::new_uuid();
    t.title = std::move(title);
    t.artist_id = artist_.id;
    t.album_id = album_.id;
    t.duration_secs = 3;
    t.file_path = replica ? "p2p://" + t.id : "/music/" + t.id + ".mp3";
    t.file_size = 1234;
    t.format = "mp3";
    t.content_hash = std::move(hash);
    t.created_at = util::now_micros();
    t.artist_name = "Artist";
    t.album_title = "Album";
    return t;
  }

  model::Track local(std::string title, std::string hash) {
    auto t = track(std::move(title), std::move(hash));
    catalog_->insert_track(t);
    return t;
  }

  static model::RemoteTrackRecord copy(const std::string& origin, const std::string& hash,
                                      const std::string& title = "Copy") {
    model::RemoteTrackRecord r;
    r.origin_node = origin;
    r.hash = hash;
    r.title = title;
    r.artist_name = "Artist";
    return r;
  }

  // Every copy held, as (peer, hash, title), ordered.
  std::vector<std::tuple<std::string, std::string, std::string>> copies_held() {
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    auto c = db_.pool().acquire();
    for (const auto& r : c->query("SELECT instance_domain, content_hash, title FROM remote_tracks "
                                  "ORDER BY instance_domain, content_hash").rows)
      out.emplace_back(r.text(0), r.text(1), r.text(2));
    return out;
  }

  test::TestDatabase db_{GetParam()};
  std::unique_ptr<model::CatalogRepository> catalog_;
  std::unique_ptr<model::P2pRepository> repo_;
  model::Artist artist_;
  model::Album album_;
};

TEST_P(P2pRepo, PeersPersistWithCursorAddressAndBackoff) {
  repo_->add_peer(kPeer, "127.0.0.1:11204");
  auto p = repo_->find_peer(kPeer);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->is_online);
  EXPECT_EQ(p->address, "127.0.0.1:11204");
  repo_->peer_seen(kPeer, std::string("0.1.0"), 42, std::nullopt);
  repo_->set_sync_cursor(kPeer, 17);
  p = repo_->find_peer(kPeer);
  EXPECT_TRUE(p->is_online);
  EXPECT_EQ(p->track_count, 42);
  EXPECT_EQ(p->version, "0.1.0");
  EXPECT_EQ(p->sync_cursor, 17);
  EXPECT_EQ(p->address, "127.0.0.1:11204") << "an unknown address keeps the known one";
  repo_->peer_seen(kPeer, std::nullopt, -1, std::string("10.0.0.1:5"));
  p = repo_->find_peer(kPeer);
  EXPECT_EQ(p->track_count, 42) << "an inbound ping does not reset the count (the original's bug)";
  EXPECT_EQ(p->address, "10.0.0.1:5");
  repo_->peer_failed(kPeer);
  repo_->peer_failed(kPeer);
  p = repo_->find_peer(kPeer);
  EXPECT_FALSE(p->is_online);
  EXPECT_EQ(p->failures, 2);
  repo_->mark_all_offline();
  EXPECT_TRUE(repo_->remove_peer(kPeer));
  EXPECT_FALSE(repo_->find_peer(kPeer));
  EXPECT_FALSE(repo_->remove_peer(kPeer));
}

TEST_P(P2pRepo, StrikesAndBlocking) {
  repo_->add_peer(kPeer, "h:1");
  EXPECT_FALSE(repo_->is_blocked(kPeer));
  EXPECT_EQ(repo_->strike_peer(kPeer), 1);
  EXPECT_EQ(repo_->strike_peer(kPeer), 2);
  repo_->block(kPeer, "bad chunks");
  repo_->block(kPeer, "again");  // idempotent
  EXPECT_TRUE(repo_->is_blocked(kPeer));
  EXPECT_FALSE(repo_->is_blocked(kOther));
}

TEST_P(P2pRepo, ChangeLogCarriesInsertsEditsAndDeletionsInOrder) {
  auto h1 = std::string(64, '1'), h2 = std::string(64, '2');
  auto t1 = local("One", h1);
  auto t2 = local("Two", h2);
  auto page = repo_->changes_since(0, 500);
  ASSERT_EQ(page.changes.size(), 2u);
  EXPECT_FALSE(page.has_more);
  EXPECT_EQ(page.changes[0].track->title, "One");
  EXPECT_EQ(page.changes[0].album_artist_name, "Artist");
  EXPECT_EQ(page.changes[1].track->content_hash, h2);
  auto cursor = page.next_cursor;
  EXPECT_TRUE(repo_->changes_since(cursor, 500).changes.empty());

  // Play counts and waveforms do not log; an edit does.
  catalog_->set_waveform(t1.id, "{}");
  EXPECT_TRUE(repo_->changes_since(cursor, 500).changes.empty());
  model::TrackChanges ch;
  ch.title = "Uno";
  catalog_->update_track_fields(t1.id, ch);
  catalog_->delete_track(t2.id);
  page = repo_->changes_since(cursor, 500);
  ASSERT_EQ(page.changes.size(), 2u);
  EXPECT_EQ(page.changes[0].track->title, "Uno");
  EXPECT_FALSE(page.changes[1].track);
  EXPECT_EQ(page.changes[1].removed_hash, h2);

  // Pages are bounded and resume from their cursor.
  auto p1 = repo_->changes_since(0, 1);
  EXPECT_TRUE(p1.has_more);
  EXPECT_EQ(p1.changes.size(), 1u);
  auto p2 = repo_->changes_since(p1.next_cursor, 1);
  EXPECT_GT(p2.next_cursor, p1.next_cursor);
  EXPECT_EQ(repo_->local_track_count(), 1);
  auto blob = repo_->local_blob(h1);
  ASSERT_TRUE(blob);
  EXPECT_EQ(blob->size, 1234);
  EXPECT_FALSE(repo_->local_blob(h2));
}

// Many tracks in one write (an import's batch, PostgreSQL: many rows a statement, logged once a statement,
// migration 0036): our own tracks with a hash are logged in the order given; replicas and tracks without a
// hash are not.
TEST_P(P2pRepo, ABatchOfTracksLogsOurOwnInOrder) {
  std::vector<model::Track> batch;
  for (int i = 0; i < 300; ++i) {
    std::optional<std::string> hash;
    if (i % 3 != 2 || i % 2 == 0) hash = fmt::format("{:064x}", i + 1);
    batch.push_back(track(fmt::format("Batch {}", i), hash, i % 3 == 1));
    batch.back().created_at += i;
  }
  catalog_->insert_tracks(batch);
  std::vector<std::string> want;
  for (const auto& t : batch)
    if (t.content_hash && t.file_path.rfind("p2p://", 0) != 0) want.push_back(t.title);
  std::vector<std::string> got;
  std::int64_t cursor = 0;
  for (;;) {
    auto page = repo_->changes_since(cursor, 64);
    for (const auto& ch : page.changes) {
      ASSERT_TRUE(ch.track);
      got.push_back(ch.track->title);
    }
    cursor = page.next_cursor;
    if (!page.has_more) break;
  }
  EXPECT_EQ(got, want);
}

// What the search filter announces: every track we offer (local, with a hash), read in pages of 5,000.
TEST_P(P2pRepo, OfferedNamesAreOurOwnTracksWithAHash) {
  std::vector<model::Track> batch;
  for (int i = 0; i < 5010; ++i) {
    std::optional<std::string> hash;
    if (i % 1000 != 8) hash = fmt::format("{:064x}", i + 1);
    batch.push_back(track(fmt::format("Offered {}", i), hash, i % 1000 == 7));
  }
  catalog_->insert_tracks(batch);
  std::set<std::string> want, got;
  for (const auto& t : batch)
    if (t.content_hash && t.file_path.rfind("p2p://", 0) != 0) want.insert(t.title);
  std::size_t calls = 0;
  repo_->for_each_offered_name([&](const std::string& title, const std::string& artist, const std::string& album) {
    ++calls;
    got.insert(title);
    EXPECT_EQ(artist, "Artist");
    EXPECT_EQ(album, "Album");
  });
  EXPECT_EQ(want.size(), 4998u);
  EXPECT_EQ(calls, want.size()) << "each once";
  EXPECT_EQ(got, want);
}

TEST_P(P2pRepo, ReplicatedTracksAreRemoteAndNotReannounced) {
  p2p::Replicator rep(*catalog_, *repo_);
  p2p::TrackAnnouncement a;
  a.hash = std::string(64, 'c');
  a.title = "Remote Song";
  a.artist_name = "Far Artist";
  a.album_title = "Far Album";
  a.duration_secs = 200;
  a.format = "flac";
  a.file_size = 5000000;
  a.origin_node = "whatever the message says";
  rep.upsert(kPeer, a);
  rep.upsert(kOther, a);  // a second peer offering the same bytes
  auto t = catalog_->find_track_by_hash(a.hash);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->file_path, "p2p://" + t->id) << "a replica's path grows with time; its bytes are its hash";
  EXPECT_EQ(t->artist_name, "Far Artist");
  EXPECT_EQ(t->album_title, "Far Album");
  EXPECT_FALSE(t->uploaded_by);
  auto copies = repo_->remote_copies(a.hash);
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_EQ(copies[0].origin_node, kPeer) << "the authenticated sender is the origin";
  EXPECT_EQ(repo_->remote_track_count(kPeer), 1);
  EXPECT_TRUE(repo_->changes_since(0, 500).changes.empty()) << "replicas are not offered onwards";
  EXPECT_EQ(repo_->local_track_count(), 0);

  a.title = "Remote Song (edit)";
  rep.upsert(kPeer, a);
  EXPECT_EQ(catalog_->find_track_by_hash(a.hash)->title, "Remote Song (edit)");

  rep.remove(kPeer, a.hash);
  EXPECT_TRUE(catalog_->find_track_by_hash(a.hash)) << "still offered by the other peer";
  rep.remove(kOther, a.hash);
  EXPECT_FALSE(catalog_->find_track_by_hash(a.hash));
  EXPECT_FALSE(catalog_->find_album(t->album_id.value())) << "orphans pruned";
}

TEST_P(P2pRepo, APageNamingSeveralNewAlbumsGroupsEachUnderItsOwn) {
  p2p::Replicator rep(*catalog_, *repo_);
  std::vector<p2p::TrackAnnouncement> page;
  for (char c : {'d', 'e', 'f'}) {
    p2p::TrackAnnouncement a;
    a.hash = std::string(64, c);
    a.title = std::string("Song ") + c;
    a.artist_name = "Far Artist";
    a.album_title = std::string("Far Album ") + (c == 'f' ? 'd' : c);  // two tracks on album d, one on e
    a.duration_secs = 200;
    a.format = "flac";
    a.file_size = 5000000;
    page.push_back(a);
  }
  rep.upsert_page(kPeer, page);
  auto d = catalog_->find_track_by_hash(std::string(64, 'd'));
  auto e = catalog_->find_track_by_hash(std::string(64, 'e'));
  auto f = catalog_->find_track_by_hash(std::string(64, 'f'));
  ASSERT_TRUE(d && e && f);
  ASSERT_TRUE(d->album_id && e->album_id && f->album_id);
  EXPECT_FALSE(d->album_id->empty());
  EXPECT_NE(*d->album_id, *e->album_id);
  EXPECT_EQ(*d->album_id, *f->album_id);
  EXPECT_EQ(d->album_title, "Far Album d");
  EXPECT_EQ(e->album_title, "Far Album e");
  EXPECT_EQ(catalog_->find_album(*e->album_id)->title, "Far Album e");
}

// One replica per content hash with no unique index on the bytes: insert_replicas reads, inside its write
// transaction, which bytes a track already holds. Then two pulls of the same catalogue from two peers at
// the same moment (two threads, pages of 1,500) end with one track a hash and every copy pointing at it.
TEST_P(P2pRepo, OneReplicaPerHashEvenWhenTwoPullsRace) {
  auto hash = [](int i) { return fmt::format("{:064x}", 0x5000 + i); };
  auto mine = local("Mine", hash(1));
  auto replica = [&](int i) {
    model::Track t;
    t.id = util::new_time_uuid();
    t.title = fmt::format("Song {}", i);
    t.artist_id = artist_.id;
    t.album_id = album_.id;
    t.duration_secs = 3;
    t.file_path = "p2p://" + t.id;
    t.file_size = 1234;
    t.format = "flac";
    t.content_hash = hash(i);
    t.created_at = util::now_micros();
    return t;
  };
  std::vector<model::Track> first{replica(2), replica(3)};
  EXPECT_TRUE(catalog_->insert_replicas(first).empty());
  // Bytes held locally, by the replica just made, twice in one page, and new.
  std::vector<model::Track> second{replica(1), replica(2), replica(4), replica(4)};
  auto skipped = catalog_->insert_replicas(second);
  EXPECT_EQ(skipped, (std::map<std::string, std::string>{{hash(1), mine.id}, {hash(2), first[0].id}, {hash(4), second[2].id}}));
  EXPECT_TRUE(catalog_->find_track(second[2].id));
  EXPECT_FALSE(catalog_->find_track(second[1].id));
  EXPECT_FALSE(catalog_->find_track(second[3].id));

  std::vector<std::vector<p2p::TrackAnnouncement>> pages(4);
  for (int i = 0; i < 6000; ++i) {
    p2p::TrackAnnouncement a;
    a.hash = hash(100 + i);
    a.title = fmt::format("Raced {}", i);
    a.artist_name = fmt::format("Far Artist {}", i % 7);
    a.album_title = fmt::format("Far Album {}", i % 13);
    a.duration_secs = 200;
    a.format = "flac";
    a.file_size = 5000000;
    pages[i / 1500].push_back(a);
  }
  p2p::Replicator one(*catalog_, *repo_), other(*catalog_, *repo_);
  std::thread a([&] { for (const auto& p : pages) one.upsert_page(kPeer, p); });
  std::thread b([&] { for (const auto& p : pages) other.upsert_page(kOther, p); });
  a.join();
  b.join();
  auto c = db_.pool().acquire();
  EXPECT_TRUE(c->query("SELECT content_hash FROM tracks GROUP BY content_hash HAVING COUNT(*) > 1").empty());
  EXPECT_EQ(c->query("SELECT COUNT(*) FROM tracks").rows.front().integer(0), 1 + 3 + 6000);
  EXPECT_EQ(c->query("SELECT COUNT(*) FROM remote_tracks r JOIN tracks t ON t.id = r.local_track_id "
                     "AND t.content_hash = r.content_hash").rows.front().integer(0), 2 * 6000)
      << "each peer's copy points at the one track of its bytes";
  EXPECT_TRUE(c->query("SELECT al.id FROM albums al WHERE NOT EXISTS (SELECT 1 FROM tracks t WHERE t.album_id = al.id) "
                       "AND al.title LIKE 'Far Album%'").empty()) << "no album left without tracks";
}

// Hashes are indexed by their first 16 digits (migration 0029): lookups must still match the whole hash,
// tell apart hashes that share the prefix, and reach the rows through that index.
TEST_P(P2pRepo, HashLookupsMatchTheWholeHashThroughThePrefixIndex) {
  const std::string prefix = "0123456789abcdef";
  const std::string h1 = prefix + std::string(48, '1'), h2 = prefix + std::string(48, '2');
  const std::string h3 = std::string(64, '3'), absent = prefix + std::string(48, '9');
  auto t1 = local("One", h1);
  auto t2 = local("Two", h2);
  auto t3 = local("Three", h3);
  auto known = repo_->tracks_with_hashes({h1, h3, absent});
  ASSERT_EQ(known.size(), 2u);
  EXPECT_EQ(known.at(h1).track_id, t1.id);
  EXPECT_EQ(known.at(h3).track_id, t3.id);
  EXPECT_FALSE(known.at(h1).replica);
  EXPECT_EQ(catalog_->find_track_by_hash(h2)->id, t2.id);
  EXPECT_FALSE(catalog_->find_track_by_hash(absent));
  EXPECT_FALSE(catalog_->find_track_by_hash(prefix)) << "a prefix alone is not a hash";
  ASSERT_TRUE(repo_->local_blob(h1));
  EXPECT_EQ(repo_->local_blob(h1)->path, t1.file_path);
  EXPECT_FALSE(repo_->local_blob(absent));

  repo_->upsert_remote_tracks({copy(kPeer, h1), copy(kOther, h1), copy(kPeer, h2)});
  EXPECT_EQ(repo_->remote_copies(h1).size(), 2u);
  ASSERT_EQ(repo_->remote_copies(h2).size(), 1u);
  EXPECT_EQ(repo_->remote_copies(h2)[0].origin_node, kPeer);
  EXPECT_TRUE(repo_->remote_copies(absent).empty());
  EXPECT_EQ(repo_->remove_remote_track(kPeer, h1), 1) << "the other peer's copy of h1 is left, h2's is not counted";
  EXPECT_EQ(repo_->remove_remote_track(kPeer, h2), 0);

  auto c = db_.pool().acquire();
  if (c->dialect() != db::Dialect::sqlite) return;
  // SQLite would not use the prefix index for a condition that names the whole column beside it, and a
  // copy's peer must not lead it to the index of every copy from that peer instead.
  auto plan_of = [&](const std::string& sql, const std::vector<db::Value>& params) {
    std::string plan;
    for (const auto& r : c->query("EXPLAIN QUERY PLAN " + sql, params).rows) plan += r.text(3) + "; ";
    return plan;
  };
  for (const auto& [table, index] : {std::pair{"tracks", "tracks_hash_prefix"},
                                     std::pair{"remote_tracks", "remote_tracks_hash_prefix"}}) {
    auto plan = plan_of(std::string("SELECT 1 FROM ") + table + " WHERE " + db::hash_is("content_hash"), {h1, h1});
    EXPECT_NE(plan.find(std::string("SEARCH ") + table + " USING INDEX " + index), std::string::npos) << plan;
  }
  for (const auto& sql : {"DELETE FROM remote_tracks WHERE " + db::hash_is("content_hash") + " AND instance_domain = ?",
                          "SELECT 1 FROM remote_tracks r WHERE " + db::hash_is("r.content_hash") +
                              " AND r.instance_domain = ?"}) {
    auto plan = plan_of(sql, {h1, h1, "p2p://" + kPeer});
    EXPECT_NE(plan.find("USING INDEX remote_tracks_hash_prefix"), std::string::npos) << plan;
  }
  std::vector<db::Value> params;
  std::vector<std::string> some(3, h1);
  auto plan = plan_of("SELECT 1 FROM remote_tracks WHERE " + db::hash_in("content_hash", some, params), params);
  EXPECT_NE(plan.find("USING INDEX remote_tracks_hash_prefix"), std::string::npos) << plan;
}

// A peer's copy of a file is one row per peer and hash (migration 0030 dropped the unique remote_uri): a copy
// offered again updates its row, whether in the same page, a later page of the same write (pages are looked up
// 500 hashes at a time) or a later write; another peer's copy of the same bytes is a row of its own.
TEST_P(P2pRepo, ACopyIsOneRowPerPeerAndHash) {
  auto hash = [](int i) { return fmt::format("{:064x}", i + 1); };
  std::vector<model::RemoteTrackRecord> page;
  for (int i = 0; i < 1200; ++i) {
    page.push_back(copy(kPeer, hash(i), "First"));
    if (i == 5) page.push_back(copy(kPeer, hash(3), "Again in the page"));  // the same chunk of 500
  }
  page.push_back(copy(kPeer, hash(10), "Again in a later chunk"));  // the third chunk (from 1,000 on)
  page.push_back(copy(kOther, hash(10), "Other peer"));
  repo_->upsert_remote_tracks(page);
  auto held = copies_held();
  ASSERT_EQ(held.size(), 1201u);
  auto title_of = [&](const std::string& peer, int i) {
    for (const auto& [d, h, t] : held)
      if (d == "p2p://" + peer && h == hash(i)) return t;
    return std::string("(none)");
  };
  EXPECT_EQ(title_of(kPeer, 3), "Again in the page");
  EXPECT_EQ(title_of(kPeer, 10), "Again in a later chunk");
  EXPECT_EQ(title_of(kOther, 10), "Other peer");
  EXPECT_EQ(title_of(kPeer, 11), "First");
  EXPECT_EQ(repo_->remote_track_count(kPeer), 1200);

  repo_->upsert_remote_track(copy(kPeer, hash(11), "Edited"));
  held = copies_held();
  EXPECT_EQ(held.size(), 1201u);
  EXPECT_EQ(title_of(kPeer, 11), "Edited");
  auto health = db::make_track_health_repository(db_.pool());
  auto found = health->find_copy_of(kOther, hash(10));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->title, "Other peer");
  EXPECT_EQ(found->hash, hash(10));
  EXPECT_EQ(found->origin_node, kOther);
  EXPECT_FALSE(health->find_copy_of(kOther, hash(11)));
  EXPECT_EQ(repo_->remove_remote_track(kPeer, hash(10)), 1);
  EXPECT_EQ(repo_->remote_track_count(kPeer), 1199);
}

// Migration 0030 on copies written before it: the hash of a row older than the content_hash column comes from
// its remote_uri, and of two rows for one peer and hash the first created stays.
TEST_P(P2pRepo, TheSlimCopiesMigrationKeepsEveryCopy) {
  const std::string h1(64, '1'), h2(64, '2'), h3(64, '3');
  {
    auto c = db_.pool().acquire();
    if (c->dialect() == db::Dialect::postgres)
      c->exec_script("ALTER TABLE remote_tracks ADD COLUMN remote_uri TEXT UNIQUE, ADD COLUMN remote_stream_url TEXT, "
                     "ALTER COLUMN content_hash DROP NOT NULL");
    else
      c->exec_script(
          "DROP TABLE remote_tracks; CREATE TABLE remote_tracks (id TEXT PRIMARY KEY, local_track_id TEXT REFERENCES "
          "tracks(id) ON DELETE SET NULL, musicbrainz_id TEXT, title TEXT NOT NULL, artist_name TEXT NOT NULL, "
          "album_title TEXT, instance_domain TEXT NOT NULL, remote_uri TEXT NOT NULL UNIQUE, remote_stream_url TEXT NOT "
          "NULL, bitrate INTEGER, sample_rate INTEGER, format TEXT, is_available BOOLEAN NOT NULL DEFAULT TRUE, "
          "last_checked_at BIGINT, created_at BIGINT NOT NULL, content_hash TEXT, health_state TEXT NOT NULL DEFAULT "
          "'healthy', failed_attempts INTEGER NOT NULL DEFAULT 0, admin_dereferenced BOOLEAN NOT NULL DEFAULT FALSE, "
          "last_failure_at BIGINT); CREATE INDEX remote_tracks_local ON remote_tracks (local_track_id); "
          "CREATE INDEX remote_tracks_instance ON remote_tracks (instance_domain); "
          "CREATE INDEX remote_tracks_checked ON remote_tracks (last_checked_at); "
          "CREATE INDEX remote_tracks_hash_prefix ON remote_tracks (substr(content_hash, 1, 16));");
    auto row = [&](const std::string& peer, const std::optional<std::string>& hash, const std::string& uri_hash,
                   const std::string& title, std::int64_t created, const std::string& health) {
      auto uri = "p2p://" + peer + "/" + uri_hash;
      c->query("INSERT INTO remote_tracks (id, title, artist_name, instance_domain, remote_uri, remote_stream_url, "
               "created_at, content_hash, health_state, failed_attempts) VALUES (?, ?, 'Artist', ?, ?, ?, ?, ?, ?, 2)",
               {util::new_uuid(), title, "p2p://" + peer, uri, uri, created, db::opt(hash), health});
    };
    row(kPeer, h1, h1, "Current", 10, "degraded");
    row(kPeer, std::nullopt, h2, "Before content_hash", 11, "healthy");
    row(kOther, h2, h2, "Other peer", 12, "healthy");
    row(kPeer, h3, h3, "First of two", 13, "healthy");
    row(kPeer, h3, "legacy-" + h3, "Second of two", 14, "healthy");
    c->query("DELETE FROM schema_migrations WHERE name = '0030_remote_copies_slim'");
  }
  EXPECT_EQ(db::migrate(db_.pool()), std::vector<std::string>{"0030_remote_copies_slim"});
  using Held = std::tuple<std::string, std::string, std::string>;
  EXPECT_EQ(copies_held(), (std::vector<Held>{{"p2p://" + kPeer, h1, "Current"},
                                              {"p2p://" + kPeer, h2, "Before content_hash"},
                                              {"p2p://" + kPeer, h3, "First of two"},
                                              {"p2p://" + kOther, h2, "Other peer"}}));
  auto health = db::make_track_health_repository(db_.pool());
  auto degraded = health->find_copy_of(kPeer, h1);
  ASSERT_TRUE(degraded);
  EXPECT_EQ(degraded->state.health, model::CopyHealth::degraded);
  EXPECT_EQ(degraded->state.failed_attempts, 2);
  // And copies are written as usual afterwards.
  repo_->upsert_remote_tracks({copy(kPeer, h2, "Offered again"), copy(kOther, h1, "New")});
  EXPECT_EQ(copies_held().size(), 5u);
  EXPECT_EQ(health->find_copy_of(kPeer, h2)->title, "Offered again");
}

INSTANTIATE_TEST_SUITE_P(Engines, P2pRepo, test::kEngines);

}  // namespace
