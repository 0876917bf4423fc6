// Repository behaviour, run on SQLite and on PostgreSQL.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "db/repositories.hpp"
#include "model/errors.hpp"
#include "support/test_database.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

using namespace st;

namespace {

model::User make_user(std::string name, model::Role role = model::Role::user) {
  model::User u;
  u.id = util::new_uuid();
  u.username = name;
  u.email = name + "@example.org";
  u.password_hash = "$argon2id$fake";
  u.role = role;
  u.created_at = u.updated_at = util::now_micros();
  return u;
}

class Repositories : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ST_OPEN_TEST_DATABASE(db_);
    users_ = db::make_user_repository(db_.pool());
    sessions_ = db::make_session_repository(db_.pool());
    settings_ = db::make_settings_repository(db_.pool());
    stats_ = db::make_stats_repository(db_.pool());
    catalog_ = db::make_catalog_repository(db_.pool());
  }

  model::Track track_for(const model::Artist& ar, const model::Album& al, std::string title, std::string path) {
    model::Track t;
    t.id = util::new_uuid();
    t.title = std::move(title);
    t.artist_id = ar.id;
    t.album_id = al.id;
    t.duration_secs = 123.5;
    t.file_path = std::move(path);
    t.file_size = 1000;
    t.file_mtime = 42;
    t.format = "flac";
    t.genre = "Rock";
    t.replaygain_track_gain = -6.5;
    t.created_at = util::now_micros();
    return t;
  }
  // An artist and an album of theirs, in the catalogue.
  std::pair<model::Artist, model::Album> artist_with_album(const std::string& name) {
    auto now = util::now_micros();
    auto ar = catalog_->upsert_artist("name:" + name, {util::new_uuid(), name, {}, {}, {}, now});
    model::Album al;
    al.id = util::new_uuid();
    al.title = "Album";
    al.artist_id = ar.id;
    al.created_at = now;
    return {ar, catalog_->upsert_album(ar.id + "|album", al)};
  }

  test::TestDatabase db_{GetParam()};
  std::unique_ptr<model::UserRepository> users_;
  std::unique_ptr<model::SessionRepository> sessions_;
  std::unique_ptr<model::SettingsRepository> settings_;
  std::unique_ptr<model::StatsRepository> stats_;
  std::unique_ptr<model::CatalogRepository> catalog_;
};

}  // namespace

TEST_P(Repositories, MigrationsAreIdempotent) {
  EXPECT_TRUE(db::migrate(db_.pool()).empty());
}

TEST_P(Repositories, UserRoundTripAndCaseInsensitiveLookup) {
  auto u = make_user("Alice");
  u.display_name = "Alice A.";
  ASSERT_TRUE(users_->create(u, model::CreatePolicy::any));
  auto found = users_->find_by_username("alice");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, u.id);
  EXPECT_EQ(found->username, "Alice");
  EXPECT_EQ(found->display_name, "Alice A.");
  EXPECT_EQ(found->role, model::Role::user);
  EXPECT_FALSE(found->is_banned);
  EXPECT_EQ(found->created_at, u.created_at);
  EXPECT_TRUE(users_->find_by_email("ALICE@example.org"));
  EXPECT_FALSE(users_->find_by_id(util::new_uuid()));
}

// A Subsonic login's one read: the account (any case) with all its app passwords, or only the one a digest
// names; another account's app passwords never come with it.
TEST_P(Repositories, ALoginReadsTheAccountWithItsAppPasswords) {
  auto apps = db::make_app_password_repository(db_.pool());
  auto alice = make_user("Alice"), bob = make_user("bob");
  ASSERT_TRUE(users_->create(alice, model::CreatePolicy::any));
  ASSERT_TRUE(users_->create(bob, model::CreatePolicy::any));
  auto none = apps->find_login("ALICE", std::nullopt);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->user.id, alice.id);
  EXPECT_EQ(none->user.username, "Alice");
  EXPECT_TRUE(none->app_passwords.empty());
  auto now = util::now_micros();
  model::AppPassword phone{util::new_uuid(), alice.id, "Phone", "box1", "digest-1", now, std::nullopt};
  model::AppPassword car{util::new_uuid(), alice.id, "Car", "box2", "digest-2", now + 1, std::nullopt};
  model::AppPassword bobs{util::new_uuid(), bob.id, "Tablet", "box3", "digest-3", now, std::nullopt};
  for (const auto& p : {phone, car, bobs}) apps->create(p);
  apps->touch(car.id, now + 5);
  auto all = apps->find_login("alice", std::nullopt);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->app_passwords.size(), 2u);
  EXPECT_EQ(all->app_passwords[0].id, phone.id);
  EXPECT_EQ(all->app_passwords[1].name, "Car");
  EXPECT_EQ(all->app_passwords[1].user_id, alice.id);
  EXPECT_EQ(all->app_passwords[1].last_used_at, now + 5);
  auto one = apps->find_login("alice", std::string("digest-2"));
  ASSERT_TRUE(one);
  ASSERT_EQ(one->app_passwords.size(), 1u);
  EXPECT_EQ(one->app_passwords[0].id, car.id);
  auto others = apps->find_login("alice", std::string("digest-3"));  // Bob's
  ASSERT_TRUE(others);
  EXPECT_EQ(others->user.id, alice.id);
  EXPECT_TRUE(others->app_passwords.empty());
  EXPECT_FALSE(apps->find_login("nobody", std::nullopt));
  EXPECT_FALSE(apps->find_login("nobody", std::string("digest-1")));
}

TEST_P(Repositories, UsernamesAndEmailsAreUniqueIgnoringCase) {
  auto a = make_user("bob");
  ASSERT_TRUE(users_->create(a, model::CreatePolicy::any));
  auto b = make_user("BOB");
  b.email = "other@example.org";
  EXPECT_THROW(users_->create(b, model::CreatePolicy::any), model::UniqueViolation);
  auto c = make_user("carol");
  c.email = "Bob@Example.org";
  EXPECT_THROW(users_->create(c, model::CreatePolicy::any), model::UniqueViolation);
  EXPECT_EQ(users_->count(), 1);
}

TEST_P(Repositories, OnlyTheFirstUserBecomesAdminEvenUnderConcurrency) {
  constexpr int n = 8;
  std::atomic<int> admins{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < n; ++i) {
    ts.emplace_back([&, i] {
      auto u = make_user("racer" + std::to_string(i));
      users_->create(u, model::CreatePolicy::first_is_admin);
      if (u.role == model::Role::admin) ++admins;
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(admins.load(), 1);
  EXPECT_EQ(users_->count_active_admins(), 1);
  EXPECT_EQ(users_->count(), n);
}

TEST_P(Repositories, SetupAdminOnlyWhileEmpty) {
  auto a = make_user("first");
  EXPECT_TRUE(users_->create(a, model::CreatePolicy::only_if_no_users));
  EXPECT_EQ(a.role, model::Role::admin);
  auto b = make_user("second");
  EXPECT_FALSE(users_->create(b, model::CreatePolicy::only_if_no_users));
  EXPECT_EQ(users_->count(), 1);
}

TEST_P(Repositories, TheLastAdminCannotBeDemotedOrDeleted) {
  auto admin = make_user("root", model::Role::admin);
  auto user = make_user("joe");
  users_->create(admin, model::CreatePolicy::any);
  users_->create(user, model::CreatePolicy::any);
  EXPECT_FALSE(users_->update_role_keeping_an_admin(admin.id, model::Role::user, util::now_micros()));
  EXPECT_EQ(users_->find_by_id(admin.id)->role, model::Role::admin);
  EXPECT_FALSE(users_->remove_keeping_an_admin(admin.id));
  EXPECT_TRUE(users_->find_by_id(admin.id));
  EXPECT_TRUE(users_->update_role_keeping_an_admin(user.id, model::Role::admin, util::now_micros()));
  EXPECT_TRUE(users_->update_role_keeping_an_admin(admin.id, model::Role::user, util::now_micros()));
  EXPECT_TRUE(users_->remove_keeping_an_admin(admin.id));
}

TEST_P(Repositories, BanStoresReasonAndTimeAndUnbanClearsThem) {
  auto u = make_user("mallory");
  users_->create(u, model::CreatePolicy::any);
  users_->set_ban(u.id, true, "spam", 123);
  auto b = users_->find_by_id(u.id);
  EXPECT_TRUE(b->is_banned);
  EXPECT_EQ(b->ban_reason, "spam");
  EXPECT_EQ(b->banned_at, 123);
  users_->set_ban(u.id, false, std::nullopt, 456);
  b = users_->find_by_id(u.id);
  EXPECT_FALSE(b->is_banned);
  EXPECT_FALSE(b->ban_reason);
  EXPECT_FALSE(b->banned_at);
}

TEST_P(Repositories, RefreshRotationAndReuseRevokesTheFamily) {
  auto u = make_user("dave");
  users_->create(u, model::CreatePolicy::any);
  auto now = util::now_micros();
  model::Session s{util::new_uuid(), u.id, now, now + 3'600'000'000LL, std::nullopt, "test", "127.0.0.1"};
  sessions_->create(s, "d1", now + 3'600'000'000LL);
  EXPECT_TRUE(sessions_->find_live_user(s.id, u.id, now));

  auto r = sessions_->rotate("d1", "d2", now + 1, now + 7'200'000'000LL);
  EXPECT_EQ(r.status, model::RotateStatus::rotated);
  EXPECT_EQ(r.session_id, s.id);
  EXPECT_EQ(r.user_id, u.id);
  EXPECT_EQ(sessions_->rotate("d2", "d3", now + 2, now + 7'200'000'000LL).status, model::RotateStatus::rotated);

  // d1 was rotated away: presenting it again is theft, and ends the whole session.
  EXPECT_EQ(sessions_->rotate("d1", "dx", now + 3, now + 7'200'000'000LL).status, model::RotateStatus::reused_token);
  EXPECT_FALSE(sessions_->find_live_user(s.id, u.id, now + 4));
  EXPECT_EQ(sessions_->rotate("d3", "d4", now + 5, now + 7'200'000'000LL).status, model::RotateStatus::session_ended);
  EXPECT_EQ(sessions_->rotate("unknown", "d5", now + 6, now + 7'200'000'000LL).status,
            model::RotateStatus::unknown_token);
}

TEST_P(Repositories, ConcurrentRefreshesWithOneTokenYieldOneWinner) {
  auto u = make_user("erin");
  users_->create(u, model::CreatePolicy::any);
  auto now = util::now_micros();
  model::Session s{util::new_uuid(), u.id, now, now + 3'600'000'000LL, std::nullopt, "", ""};
  sessions_->create(s, "t0", now + 3'600'000'000LL);
  std::atomic<int> rotated{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&, i] {
      try {
        if (sessions_->rotate("t0", "t1-" + std::to_string(i), now + 1, now + 3'600'000'000LL).status ==
            model::RotateStatus::rotated)
          ++rotated;
      } catch (const model::StorageError&) {
        // A serialisation failure is an acceptable way to lose the race.
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_LE(rotated.load(), 1);
}

TEST_P(Repositories, SessionsExpireAndAreRevokedPerUser) {
  auto u = make_user("frank");
  users_->create(u, model::CreatePolicy::any);
  auto now = util::now_micros();
  model::Session a{util::new_uuid(), u.id, now, now + 1000, std::nullopt, "", ""};
  model::Session b{util::new_uuid(), u.id, now, now + 3'600'000'000LL, std::nullopt, "", ""};
  model::Session c{util::new_uuid(), u.id, now, now + 3'600'000'000LL, std::nullopt, "", ""};
  sessions_->create(a, "a", now + 1000);
  sessions_->create(b, "b", now + 3'600'000'000LL);
  sessions_->create(c, "c", now + 3'600'000'000LL);
  EXPECT_FALSE(sessions_->find_live_user(a.id, u.id, now + 2000));  // expired
  EXPECT_FALSE(sessions_->find_live_user(b.id, util::new_uuid(), now));  // another user's claim
  sessions_->revoke_all_for_user(u.id, now, std::string_view(c.id));
  EXPECT_FALSE(sessions_->find_live_user(b.id, u.id, now));
  EXPECT_TRUE(sessions_->find_live_user(c.id, u.id, now));
  EXPECT_TRUE(sessions_->revoke_by_token("c", now));
  EXPECT_FALSE(sessions_->find_live_user(c.id, u.id, now));
  EXPECT_FALSE(sessions_->revoke_by_token("nope", now));
  sessions_->purge_expired(now + 3'700'000'000LL + 86'400'000'000LL);
  EXPECT_EQ(stats_->admin_counts(now).active_sessions, 0);
}

TEST_P(Repositories, DeletingAUserDeletesTheirSessions) {
  auto admin = make_user("admin", model::Role::admin);
  auto u = make_user("gina");
  users_->create(admin, model::CreatePolicy::any);
  users_->create(u, model::CreatePolicy::any);
  auto now = util::now_micros();
  model::Session s{util::new_uuid(), u.id, now, now + 3'600'000'000LL, std::nullopt, "", ""};
  sessions_->create(s, "g", now + 3'600'000'000LL);
  EXPECT_TRUE(users_->remove_keeping_an_admin(u.id));
  EXPECT_FALSE(sessions_->find_live_user(s.id, u.id, now));
  EXPECT_EQ(sessions_->rotate("g", "h", now, now + 1).status, model::RotateStatus::unknown_token);
}

TEST_P(Repositories, SettingsUpsertAndErase) {
  EXPECT_FALSE(settings_->get("instance_name"));
  settings_->put("instance_name", "Mine");
  settings_->put("instance_name", "Ours");
  settings_->put("b_key", "x'; DROP TABLE users; --");
  EXPECT_EQ(settings_->get("instance_name"), "Ours");
  EXPECT_EQ(settings_->get("b_key"), "x'; DROP TABLE users; --");
  auto all = settings_->all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].first, "b_key");
  settings_->erase("instance_name");
  EXPECT_FALSE(settings_->get("instance_name"));
  EXPECT_EQ(users_->count(), 0);
}

TEST_P(Repositories, AdminCountsStartAtZero) {
  auto c = stats_->admin_counts(util::now_micros());
  EXPECT_EQ(c.total_users, 0);
  EXPECT_EQ(c.total_tracks, 0);
  EXPECT_EQ(c.total_blocked_domains, 0);
}

TEST_P(Repositories, ConcurrentUpsertsCreateOneArtistAndOneAlbum) {
  std::vector<std::thread> ts;
  std::vector<std::string> artist_ids(8), album_ids(8);
  for (int i = 0; i < 8; ++i)
    ts.emplace_back([&, i] {
      model::Artist a{util::new_uuid(), "Same Artist", std::nullopt, {}, {}, util::now_micros()};
      auto got = catalog_->upsert_artist("name:same artist", a);
      artist_ids[i] = got.id;
      model::Album al;
      al.id = util::new_uuid();
      al.title = "Same Album";
      al.artist_id = got.id;
      al.created_at = util::now_micros();
      album_ids[i] = catalog_->upsert_album(got.id + "|same album", al).id;
    });
  for (auto& t : ts) t.join();
  for (int i = 1; i < 8; ++i) {
    EXPECT_EQ(artist_ids[i], artist_ids[0]);
    EXPECT_EQ(album_ids[i], album_ids[0]);
  }
  EXPECT_EQ(catalog_->counts().artists, 1);
  EXPECT_EQ(catalog_->counts().albums, 1);
}

TEST_P(Repositories, BulkUpsertsAnswerInOrderAndKeepWhatExists) {
  auto now = util::now_micros();
  auto first = catalog_->upsert_artist("name:old", {util::new_uuid(), "Old", std::nullopt, {}, {}, now});
  std::vector<std::pair<std::string, model::Artist>> artists{
      {"name:new", {util::new_uuid(), "New", std::nullopt, {}, {}, now}},
      {"name:old", {util::new_uuid(), "Old again", std::nullopt, {}, {}, now}}};
  auto got = catalog_->upsert_artists(artists);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, artists[0].second.id);
  EXPECT_EQ(got[0].name, "New");
  EXPECT_EQ(got[1].id, first.id);  // the existing row stands
  EXPECT_EQ(got[1].name, "Old");
  model::Album al;
  al.title = "LP";
  al.artist_id = first.id;
  al.created_at = now;
  al.id = util::new_uuid();
  auto existing = catalog_->upsert_album(first.id + "|lp", al);
  std::vector<std::pair<std::string, model::Album>> albums{{first.id + "|ep", al}, {first.id + "|lp", al}};
  albums[0].second.id = util::new_uuid();
  albums[0].second.title = "EP";
  albums[1].second.id = util::new_uuid();
  auto settled = catalog_->upsert_albums(albums);
  ASSERT_EQ(settled.size(), 2u);
  EXPECT_EQ(settled[0].id, albums[0].second.id);
  EXPECT_EQ(settled[0].artist_name, "Old");
  EXPECT_EQ(settled[1].id, existing.id);
  EXPECT_EQ(catalog_->counts().artists, 2);
  EXPECT_EQ(catalog_->counts().albums, 2);
}

// Rows go in 256 a statement (db/multi_row_insert.hpp) and are read back by key: a batch of several
// statements, a key given twice and keys already held all answer in the order asked.
TEST_P(Repositories, BulkUpsertsOfManyNamesAnswerEachInOrder) {
  auto now = util::now_micros();
  auto held = catalog_->upsert_artist("name:artist 300", {util::new_uuid(), "Held", std::nullopt, {}, {}, now});
  std::vector<std::pair<std::string, model::Artist>> artists;
  for (int i = 0; i < 600; ++i)
    artists.push_back({fmt::format("name:artist {}", i), {util::new_uuid(), fmt::format("Artist {}", i), std::nullopt, {}, {}, now}});
  artists.push_back(artists[7]);  // asked twice: one row, answered twice
  auto got = catalog_->upsert_artists(artists);
  ASSERT_EQ(got.size(), artists.size());
  for (int i = 0; i < 600; ++i) {
    if (i == 300) continue;
    EXPECT_EQ(got[i].id, artists[i].second.id) << i;
    EXPECT_EQ(got[i].name, artists[i].second.name) << i;
  }
  EXPECT_EQ(got[300].id, held.id);
  EXPECT_EQ(got[300].name, "Held");
  EXPECT_EQ(got[600].id, got[7].id);
  EXPECT_EQ(catalog_->counts().artists, 600);

  std::vector<std::pair<std::string, model::Album>> albums;
  for (int i = 0; i < 300; ++i) {
    model::Album al;
    al.id = util::new_uuid();
    al.title = fmt::format("Album {}", i);
    al.artist_id = got[i % 10].id;
    al.artist_name = got[i % 10].name;
    al.year = 1990 + i % 20;
    al.created_at = now;
    albums.push_back({fmt::format("{}|album {}", al.artist_id, i), al});
  }
  auto settled = catalog_->upsert_albums(albums);
  ASSERT_EQ(settled.size(), albums.size());
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(settled[i].id, albums[i].second.id) << i;
    EXPECT_EQ(settled[i].artist_name, got[i % 10].name) << i;
    EXPECT_EQ(settled[i].year, 1990 + i % 20) << i;
  }
  EXPECT_EQ(catalog_->counts().albums, 300);
}

TEST_P(Repositories, TracksRoundTripListAndPrune) {
  model::Artist a{util::new_uuid(), "Band", std::nullopt, {}, {}, util::now_micros()};
  auto artist = catalog_->upsert_artist("name:band", a);
  model::Album al;
  al.id = util::new_uuid();
  al.title = "LP";
  al.artist_id = artist.id;
  al.year = 1999;
  al.created_at = util::now_micros();
  auto album = catalog_->upsert_album(artist.id + "|lp", al);
  catalog_->set_album_cover(album.id, "/api/media/covers/x", true);
  catalog_->set_album_cover(album.id, "/api/media/covers/y", true);  // only if missing: keeps x
  auto t1 = track_for(artist, album, "One", "/m/one.flac");
  auto t2 = track_for(artist, album, "Two", "/m/sub/two.flac");
  t2.disc_number = 2;
  catalog_->insert_track(t1);
  catalog_->insert_track(t2);
  EXPECT_THROW(catalog_->insert_track(track_for(artist, album, "Dup", "/m/one.flac")), model::UniqueViolation);

  auto got = catalog_->find_track(t1.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->title, "One");
  EXPECT_EQ(got->artist_name, "Band");
  EXPECT_EQ(got->album_title, "LP");
  EXPECT_EQ(got->cover_url, "/api/media/covers/x");
  EXPECT_DOUBLE_EQ(got->duration_secs, 123.5);
  EXPECT_DOUBLE_EQ(*got->replaygain_track_gain, -6.5);
  EXPECT_EQ(catalog_->find_by_path("/m/one.flac")->mtime, 42);

  auto page = catalog_->list_tracks({}, model::TrackOrder::title, {1, 1});
  EXPECT_EQ(page.total, 2);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].title, "One");
  EXPECT_EQ(page.items[0].artist_name, "Band");
  EXPECT_EQ(page.items[0].album_title, "LP");
  EXPECT_EQ(page.items[0].cover_url, "/api/media/covers/x");
  model::TrackFilter rock;
  rock.genre = "Rock";
  EXPECT_EQ(catalog_->list_tracks(rock, model::TrackOrder::newest, {1, 10}).total, 2);
  EXPECT_EQ(catalog_->album_tracks(album.id).back().title, "Two");
  EXPECT_EQ(catalog_->genres(), std::vector<std::string>{"Rock"});
  EXPECT_EQ(catalog_->known_files_under("/m/sub/").size(), 1u);
  EXPECT_EQ(catalog_->known_files_under("/m/").size(), 2u);

  catalog_->delete_track(t1.id);
  EXPECT_TRUE(catalog_->find_album(album.id)) << "the album keeps its other track";
  catalog_->delete_track(t2.id);  // the last one: the album and its artist go with it
  EXPECT_EQ(catalog_->counts().albums, 0);
  EXPECT_EQ(catalog_->counts().artists, 0);
}

// A track deleted or moved to another artist or album takes with it, in its own transaction, the album and
// artists it leaves empty (its album's artist too), and only those: another empty artist waits for a full prune.
TEST_P(Repositories, ATrackDeletedOrMovedTakesWhatItLeftEmpty) {
  auto [band, lp] = artist_with_album("Band");
  auto [various, comp] = artist_with_album("Various");
  auto [other, ep] = artist_with_album("Other");
  auto now = util::now_micros();
  auto solo = catalog_->upsert_artist("name:solo", {util::new_uuid(), "Solo", {}, {}, {}, now});
  auto ghost = catalog_->upsert_artist("name:ghost", {util::new_uuid(), "Ghost", {}, {}, {}, now});
  auto t1 = track_for(band, lp, "One", "/m/1.flac");
  auto t2 = track_for(band, lp, "Two", "/m/2.flac");
  auto t3 = track_for(solo, comp, "Guest", "/m/3.flac");  // Solo on Various' compilation
  auto t4 = track_for(other, ep, "Four", "/m/4.flac");
  for (const auto* t : {&t1, &t2, &t3, &t4}) catalog_->insert_track(*t);

  auto album_of = [&](const model::Artist& ar, const std::string& title) {
    model::Album al;
    al.id = util::new_uuid();
    al.title = title;
    al.artist_id = ar.id;
    al.created_at = now;
    return catalog_->upsert_album(ar.id + "|" + title, al);
  };
  // Moved within its artist to another album: the emptied album goes, the artist (with other tracks) stays.
  auto single = album_of(band, "Single");
  catalog_->update_track_fields(t1.id, {.album_id = single.id});
  EXPECT_TRUE(catalog_->find_album(lp.id)) << "LP still holds Two";
  catalog_->update_track_fields(t2.id, {.album_id = single.id});
  EXPECT_FALSE(catalog_->find_album(lp.id));
  EXPECT_TRUE(catalog_->find_artist(band.id));
  // A rename regroups Four under another artist and album: Other and its EP go.
  auto renamed = catalog_->upsert_artist("name:renamed", {util::new_uuid(), "Renamed", {}, {}, {}, now});
  auto ep2 = album_of(renamed, "EP");
  catalog_->update_track_fields(t4.id, {.artist_id = renamed.id, .album_id = ep2.id});
  EXPECT_FALSE(catalog_->find_album(ep.id));
  EXPECT_FALSE(catalog_->find_artist(other.id));
  EXPECT_EQ(catalog_->find_track(t4.id)->artist_name, "Renamed");
  // The compilation's only track goes: the compilation, its artist and the track's artist go.
  catalog_->delete_track(t3.id);
  EXPECT_FALSE(catalog_->find_album(comp.id));
  EXPECT_FALSE(catalog_->find_artist(various.id));
  EXPECT_FALSE(catalog_->find_artist(solo.id));
  catalog_->delete_track(t3.id);  // again: nothing
  EXPECT_TRUE(catalog_->find_artist(ghost.id)) << "an artist no change emptied is left to the full prune";
  EXPECT_EQ(catalog_->counts().artists, 3);
  catalog_->prune_orphans();
  EXPECT_FALSE(catalog_->find_artist(ghost.id));
  EXPECT_EQ(catalog_->counts().artists, 2);
  EXPECT_EQ(catalog_->counts().albums, 2);
}

// The enrichment files a track under the artist and release MusicBrainz names: the placeholder album and the
// misspelt artist it leaves empty go in the same transaction, the search words follow.
TEST_P(Repositories, AnEnrichmentMoveTakesWhatItLeftEmpty) {
  auto metadata = db::make_metadata_repository(db_.pool());
  auto [typo, unknown] = artist_with_album("Teh Band");
  auto [band, release] = artist_with_album("The Band");
  auto t = track_for(typo, unknown, "Song", "/m/song.flac");
  catalog_->insert_track(t);
  metadata->move_track(t.id, band.id, release.id);
  EXPECT_FALSE(catalog_->find_album(unknown.id));
  EXPECT_FALSE(catalog_->find_artist(typo.id));
  auto moved = catalog_->find_track(t.id);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->artist_name, "The Band");
  EXPECT_EQ(catalog_->search({"the", "band"}, {1, 10}).total_tracks, 1);
  metadata->move_track(t.id, std::nullopt, std::nullopt);  // nothing to move: the holders stay
  EXPECT_TRUE(catalog_->find_album(release.id));
  EXPECT_EQ(catalog_->counts().artists, 1);
}

// Two transactions taking an album's last two tracks at once: whichever ends second sees the album empty.
TEST_P(Repositories, AnAlbumsLastTracksDeletedAtOnceTakeItWithThem) {
  for (int round = 0; round < 12; ++round) {
    auto [ar, al] = artist_with_album(fmt::format("Band {}", round));
    auto a = track_for(ar, al, "A", fmt::format("/m/{}/a.flac", round));
    auto b = track_for(ar, al, "B", fmt::format("/m/{}/b.flac", round));
    catalog_->insert_track(a);
    catalog_->insert_track(b);
    std::atomic<int> ready{0};
    auto remove = [&](const std::string& id) {
      ready.fetch_add(1);
      while (ready.load() < 2) std::this_thread::yield();
      catalog_->delete_track(id);
    };
    std::thread ta(remove, a.id), tb(remove, b.id);
    ta.join();
    tb.join();
    EXPECT_FALSE(catalog_->find_album(al.id)) << "round " << round;
    EXPECT_FALSE(catalog_->find_artist(ar.id)) << "round " << round;
  }
}

// A page of tracks carries each track's artist name and album title and cover, looked up once per distinct
// artist and album (several tracks share them; one track has no album), in every order and filter; so do songs
// found by search and tracks asked for by id.
TEST_P(Repositories, ListedFoundAndTracksByIdCarryTheirArtistsAndAlbumsNames) {
  std::map<std::string, std::tuple<std::string, std::optional<std::string>, std::optional<std::string>>> want;
  int n = 0;
  for (const std::string name : {"Ant", "Bee", "Cat"}) {
    auto [ar, al] = artist_with_album(name);
    if (name != "Bee") catalog_->set_album_cover(al.id, "/api/media/covers/" + name, true);
    for (int i = 0; i < 4; ++i, ++n) {
      auto t = track_for(ar, al, "Song " + std::to_string(n), "/m/" + std::to_string(n) + ".flac");
      std::optional<std::string> cover;
      if (name != "Bee") cover = "/api/media/covers/" + name;
      want[t.id] = {name, std::string("Album"), cover};
      if (name == "Cat" && i == 3) {
        t.album_id.reset();
        want[t.id] = {name, std::nullopt, std::nullopt};
      }
      catalog_->insert_track(t);
    }
  }
  auto expect_names = [&](const model::Track& t) {
    auto& [artist, album, cover] = want.at(t.id);
    EXPECT_EQ(t.artist_name, artist) << t.title;
    EXPECT_EQ(t.album_title, album) << t.title;
    EXPECT_EQ(t.cover_url, cover) << t.title;
  };
  model::TrackFilter rock;
  rock.genre = "Rock";
  for (auto order : {model::TrackOrder::added, model::TrackOrder::newest, model::TrackOrder::title,
                     model::TrackOrder::most_played, model::TrackOrder::random})
    for (const auto& filter : {model::TrackFilter{}, rock}) {
      auto page = catalog_->list_tracks(filter, order, {1, 50});
      ASSERT_EQ(page.items.size(), 12u);
      for (const auto& t : page.items) expect_names(t);
    }
  // Songs found by search.
  auto found = catalog_->search({"song"}, {1, 50});
  ASSERT_EQ(found.tracks.size(), 12u);
  for (const auto& t : found.tracks) expect_names(t);
  // Tracks by id: in the order asked, an id asked twice given twice, an unknown one left out, with names.
  std::vector<std::string> ids;
  for (const auto& [id, names] : want) ids.insert(ids.begin(), id);
  auto asked = ids;
  asked.insert(asked.begin() + 3, "00000000-0000-4000-8000-000000000000");
  asked.push_back(ids.front());
  auto got = catalog_->tracks_by_ids(asked);
  ASSERT_EQ(got.size(), ids.size() + 1);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].id, i < ids.size() ? ids[i] : ids.front());
    expect_names(got[i]);
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, Repositories, test::kEngines,
                         [](const auto& info) { return info.param; });

namespace {

// Top artists: by their tracks' plays (read through the play-count index), then the unplayed ones by name;
// an artist without tracks is never listed. A random track list draws distinct tracks of its filter.
TEST_P(Repositories, TopArtistsThenUnplayedByNameAndRandomTracksOfAGenre) {
  auto [played, al] = artist_with_album("Zed");
  auto artist = [&](const std::string& name) { return artist_with_album(name).first; };
  auto also = artist("Mid"), b = artist("Bee"), a = artist("Ant"), none = artist("Aaa");
  int n = 0;
  std::map<std::string, std::string> genre_of;
  for (const auto* ar : {&played, &also, &b, &a}) {
    for (int i = 0; i < 3; ++i, ++n) {
      auto t = track_for(*ar, al, "Song " + std::to_string(n), "/m/" + std::to_string(n) + ".flac");
      t.genre = n % 2 ? "Jazz" : "Rock";
      genre_of[t.id] = *t.genre;
      catalog_->insert_track(t);
      auto c = db_.pool().acquire();
      if (ar == &played) c->query("UPDATE tracks SET play_count = 5 WHERE id = ?", {t.id});
      if (ar == &also && i == 0) c->query("UPDATE tracks SET play_count = 1 WHERE id = ?", {t.id});
    }
  }
  auto names = [&](std::int64_t limit) {
    std::vector<std::string> out;
    for (const auto& x : catalog_->top_artists(limit)) out.push_back(x.name);
    return out;
  };
  EXPECT_EQ(names(10), (std::vector<std::string>{"Zed", "Mid", "Ant", "Bee"})) << "no artist without tracks";
  EXPECT_EQ(names(3), (std::vector<std::string>{"Zed", "Mid", "Ant"}));
  EXPECT_EQ(names(1), (std::vector<std::string>{"Zed"}));
  (void)none;

  model::TrackFilter jazz;
  jazz.genre = "Jazz";
  auto page = catalog_->list_tracks(jazz, model::TrackOrder::random, {1, 4});
  EXPECT_EQ(page.total, 6);
  ASSERT_EQ(page.items.size(), 4u);
  std::set<std::string> ids;
  for (const auto& t : page.items) {
    EXPECT_EQ(genre_of[t.id], "Jazz");
    ids.insert(t.id);
  }
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(catalog_->list_tracks({}, model::TrackOrder::random, {1, 50}).items.size(), 12u);
}

// Random tracks of a music folder (getRandomSongs' musicFolderId): drawn through the random key when the folder
// holds many of the tracks, read from the folder's range of paths when it holds few; only its tracks either way,
// a folder's name being no prefix of a sibling's ("/m/a" is not "/m/ab").
TEST_P(Repositories, RandomTracksOfAMusicFolderBroadOrNarrow) {
  auto [ar, al] = artist_with_album("Someone");
  std::map<std::string, std::string> folder_of;
  std::vector<model::Track> batch;
  for (int i = 0; i < 300; ++i) {
    auto folder = i < 290 ? "/m/a/" : i < 297 ? "/m/b/" : "/m/ab/";
    auto t = track_for(ar, al, "Song " + std::to_string(i), folder + std::to_string(i) + ".flac");
    folder_of[t.id] = folder;
    batch.push_back(t);
  }
  catalog_->insert_tracks(batch);
  for (const auto& [folder, want] : {std::pair{"/m/a/", 20u}, std::pair{"/m/b/", 7u}, std::pair{"/m/ab/", 3u}}) {
    model::RandomQuery q;
    q.path_prefix = folder;
    q.limit = 20;
    auto got = catalog_->random_tracks(q);
    EXPECT_EQ(got.size(), want) << folder;
    std::set<std::string> ids;
    for (const auto& t : got) {
      EXPECT_EQ(folder_of[t.id], folder);
      ids.insert(t.id);
    }
    EXPECT_EQ(ids.size(), got.size()) << "distinct";
  }
}

}  // namespace
