#include <gtest/gtest.h>

#include "db/repositories.hpp"
#include "support/test_database.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

using namespace st;

namespace {

class ScrobbleQueue : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ST_OPEN_TEST_DATABASE(db_);
    auto users = db::make_user_repository(db_.pool());
    model::User u;
    u.id = util::new_uuid();
    u.username = "listener";
    u.email = "listener@example.org";
    u.password_hash = "$argon2id$fake";
    u.created_at = u.updated_at = util::now_micros();
    ASSERT_TRUE(users->create(u, model::CreatePolicy::any));
    user_ = u.id;
    queue_ = db::make_scrobble_queue_repository(db_.pool());
  }

  model::ScrobbleItem item(std::string service, std::string track, util::Micros created, util::Micros next) {
    model::ScrobbleItem i;
    i.id = util::new_uuid();
    i.user_id = user_;
    i.service = std::move(service);
    i.kind = "listen";
    i.artist = "Artist";
    i.track = std::move(track);
    i.duration_secs = 200;
    i.listened_at = created;
    i.created_at = created;
    i.next_attempt_at = next;
    queue_->push(i, 100);
    return i;
  }

  static std::vector<std::string> tracks(const std::vector<model::ScrobbleItem>& items) {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(i.service + ":" + i.track);
    return out;
  }

  test::TestDatabase db_{GetParam()};
  std::string user_;
  std::unique_ptr<model::ScrobbleQueueRepository> queue_;
};

TEST_P(ScrobbleQueue, AServiceDeliversInQueueOrderAfterAnOutage) {
  const util::Micros t = 1'000'000'000;
  // The first listen failed and waits out its back-off (due at t + 50); the next two were queued while
  // the service was down and got shorter schedules of their own.
  auto first = item("lastfm", "first", t, t + 50);
  item("lastfm", "second", t + 10, t + 20);
  item("lastfm", "third", t + 11, t + 30);
  // Another service is not held back by this one.
  item("listenbrainz", "other", t + 12, t + 12);

  EXPECT_EQ(tracks(queue_->due(t + 40, 10)), (std::vector<std::string>{"listenbrainz:other"}))
      << "newer items wait behind the service's oldest one";
  EXPECT_EQ(tracks(queue_->due(t + 50, 10)),
            (std::vector<std::string>{"lastfm:first", "lastfm:second", "lastfm:third", "listenbrainz:other"}));
  EXPECT_EQ(tracks(queue_->due(t + 50, 2)), (std::vector<std::string>{"lastfm:first", "lastfm:second"}));
  // Once the first is delivered, the rest no longer wait for it.
  queue_->remove(first.id);
  EXPECT_EQ(tracks(queue_->due(t + 25, 10)), (std::vector<std::string>{"lastfm:second", "listenbrainz:other"}))
      << "the third is not due yet and holds nothing back behind it";
  EXPECT_EQ(queue_->next_due(), std::optional<util::Micros>(t + 12));
}

INSTANTIATE_TEST_SUITE_P(Engines, ScrobbleQueue, test::kEngines, [](const auto& info) { return info.param; });

}  // namespace
