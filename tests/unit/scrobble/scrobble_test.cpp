// Scrobbling: the Last.fm signature, the scrobble rule, the retry schedule, how answers are taken, and
// the delivery pass over the queue (retry with backoff, disconnect on an invalid session, drop when full).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "lib/sodium/sodium.hpp"
#include "scrobble/lastfm_signature.hpp"
#include "scrobble/listenbrainz_client.hpp"
#include "scrobble/rules.hpp"
#include "scrobble/scrobbler.hpp"

namespace st::scrobble {
namespace {

TEST(LastfmSignature, IsMd5OfSortedPairsAndSecret) {
  // Expected values computed independently (Python hashlib).
  EXPECT_EQ(lastfm_signature({{"token", "TOK"}, {"method", "auth.getSession"}, {"api_key", "KEY"}}, "secret"),
            "77d61cbdb9bf03f975d2d3a6ef001d4c");
  Params p{{"method", "track.scrobble"}, {"api_key", "KEY"}, {"sk", "SK"}, {"artist", "A & B\xc3\xa9"},
           {"track", "T=1"}, {"timestamp", "1700000000"}, {"format", "json"}};
  EXPECT_EQ(lastfm_signature(p, "secret"), "e3fdc92aea831e3bf5d16b9bcb86b841");  // format is left out
}

TEST(LastfmSignature, FormEncodingEscapesReservedCharacters) {
  EXPECT_EQ(form_encode({{"b", "x y&z=1"}, {"a", "\xc3\xa9"}}), "a=%C3%A9&b=x%20y%26z%3D1");
}

TEST(ScrobbleRule, LongerThan30sAndHalfOr4Minutes) {
  EXPECT_FALSE(counts_as_listen(30, 30));     // not longer than 30 s
  EXPECT_TRUE(counts_as_listen(31, 15.5));    // half
  EXPECT_FALSE(counts_as_listen(31, 15.4));
  EXPECT_TRUE(counts_as_listen(600, 240));    // 4 minutes of a 10-minute track
  EXPECT_FALSE(counts_as_listen(600, 239));
  EXPECT_TRUE(counts_as_listen(200, 100));
  EXPECT_FALSE(counts_as_listen(200, 99.9));
  EXPECT_FALSE(counts_as_listen(0, 100));     // unknown length
  EXPECT_FALSE(counts_as_listen(200, -1));
}

TEST(RetryDelay, DoublesUpToTheCap) {
  using std::chrono::seconds;
  EXPECT_EQ(retry_delay(1, seconds(30), seconds(3600)), seconds(30));
  EXPECT_EQ(retry_delay(2, seconds(30), seconds(3600)), seconds(60));
  EXPECT_EQ(retry_delay(3, seconds(30), seconds(3600)), seconds(120));
  EXPECT_EQ(retry_delay(10, seconds(30), seconds(3600)), seconds(3600));
  EXPECT_EQ(retry_delay(1000000, seconds(30), seconds(3600)), seconds(3600));
}

TEST(LastfmAnswers, AreClassified) {
  EXPECT_EQ(classify_lastfm_answer(200, R"({"scrobbles":{}})").outcome, Outcome::delivered);
  EXPECT_EQ(classify_lastfm_answer(503, "<html>down</html>").outcome, Outcome::retry);
  EXPECT_EQ(classify_lastfm_answer(200, R"({"error":16,"message":"try later"})").outcome, Outcome::retry);
  EXPECT_EQ(classify_lastfm_answer(200, R"({"error":11,"message":"offline"})").outcome, Outcome::retry);
  EXPECT_EQ(classify_lastfm_answer(429, "").outcome, Outcome::retry);
  EXPECT_EQ(classify_lastfm_answer(403, R"({"error":9,"message":"Invalid session key"})").outcome,
            Outcome::invalid_credentials);
  EXPECT_EQ(classify_lastfm_answer(200, R"({"error":9})").outcome, Outcome::invalid_credentials);
  EXPECT_EQ(classify_lastfm_answer(400, R"({"error":6,"message":"Invalid parameters"})").outcome, Outcome::rejected);
  EXPECT_EQ(classify_lastfm_answer(200, R"({"error":"x"})").outcome, Outcome::rejected);  // odd error field
  EXPECT_EQ(classify_lastfm_answer(200, std::string(100, '[')).outcome, Outcome::delivered);  // not JSON
}

TEST(ListenBrainzPayload, SingleAndPlayingNow) {
  model::ScrobbleItem i;
  i.kind = "listen";
  i.artist = "A";
  i.track = "T";
  i.album = "R";
  i.duration_secs = 61.5;
  i.listened_at = 1'700'000'000'123'456;
  auto single = listenbrainz_payload(i);
  EXPECT_NE(single.find(R"("listen_type":"single")"), std::string::npos) << single;
  EXPECT_NE(single.find(R"("listened_at":1700000000)"), std::string::npos) << single;
  EXPECT_NE(single.find(R"("duration_ms":61500)"), std::string::npos) << single;
  EXPECT_NE(single.find(R"("release_name":"R")"), std::string::npos) << single;
  i.kind = "now_playing";
  auto now = listenbrainz_payload(i);
  EXPECT_NE(now.find(R"("listen_type":"playing_now")"), std::string::npos) << now;
  EXPECT_EQ(now.find("listened_at"), std::string::npos) << now;
}

// In-memory repositories.
struct FakeSettings : model::UserSettingsRepository {
  std::map<std::pair<std::string, std::string>, std::string> values;
  std::optional<std::string> get(std::string_view u, std::string_view k) override {
    auto it = values.find({std::string(u), std::string(k)});
    return it == values.end() ? std::nullopt : std::optional(it->second);
  }
  void put(std::string_view u, std::string_view k, std::string_view v) override {
    values[{std::string(u), std::string(k)}] = v;
  }
  void erase_prefix(std::string_view u, std::string_view p) override {
    std::erase_if(values, [&](const auto& kv) { return kv.first.first == u && kv.first.second.starts_with(p); });
  }
};

struct FakeQueue : model::ScrobbleQueueRepository {
  std::vector<model::ScrobbleItem> items;
  std::size_t push(const model::ScrobbleItem& i, std::size_t cap) override {
    if (i.kind == "now_playing")
      std::erase_if(items, [&](const auto& x) { return x.user_id == i.user_id && x.service == i.service && x.kind == i.kind; });
    items.push_back(i);
    std::size_t dropped = 0;
    while (pending(i.user_id, i.service) > cap) {
      items.erase(std::find_if(items.begin(), items.end(),
                               [&](const auto& x) { return x.user_id == i.user_id && x.service == i.service; }));
      ++dropped;
    }
    return dropped;
  }
  std::vector<model::ScrobbleItem> due(util::Micros now, std::size_t limit) override {
    std::vector<model::ScrobbleItem> out;
    for (const auto& i : items)
      if (i.next_attempt_at <= now && out.size() < limit) out.push_back(i);
    return out;
  }
  std::optional<util::Micros> next_due() override {
    if (items.empty()) return std::nullopt;
    return std::min_element(items.begin(), items.end(), [](auto& a, auto& b) { return a.next_attempt_at < b.next_attempt_at; })
        ->next_attempt_at;
  }
  void remove(std::string_view id) override { std::erase_if(items, [&](const auto& x) { return x.id == id; }); }
  void reschedule(std::string_view id, int attempts, util::Micros next) override {
    for (auto& i : items)
      if (i.id == id) i.attempts = attempts, i.next_attempt_at = next;
  }
  std::size_t drop(std::string_view u, std::string_view s) override {
    return std::erase_if(items, [&](const auto& x) { return x.user_id == u && x.service == s; });
  }
  std::size_t pending(std::string_view u, std::string_view s) override {
    return std::count_if(items.begin(), items.end(), [&](const auto& x) { return x.user_id == u && x.service == s; });
  }
};

class Delivery : public ::testing::Test {
 protected:
  Delivery() {
    lib::sodium::init();
    ScrobblerOptions o;
    o.lastfm = {"KEY", "SECRET", "http://lastfm.test/2.0/", "http://lastfm.test/auth/"};
    o.listenbrainz_url = "http://lb.test";
    o.sealing_key = std::string(32, 'k');
    o.queue_cap = 3;
    o.retry_base = std::chrono::seconds(10);
    scrobbler = std::make_unique<Scrobbler>(o, [this](const HttpCall& c) { return answer(c); }, settings, queue);
    track.title = "T";
    track.artist_name = "A";
    track.duration_secs = 200;
  }

  HttpAnswer answer(const HttpCall& c) {
    calls.push_back(c);
    if (c.url.find("auth.getSession") != std::string::npos)
      return {200, R"({"session":{"name":"me","key":"SESSION"}})"};
    if (down) throw std::runtime_error("connection refused");
    return {status, body};
  }

  FakeSettings settings;
  FakeQueue queue;
  std::unique_ptr<Scrobbler> scrobbler;
  std::vector<HttpCall> calls;
  bool down = false;
  long status = 200;
  std::string body = "{}";
  model::Track track;
};

TEST_F(Delivery, SessionKeyIsSealedAndListensAreDelivered) {
  scrobbler->lastfm_connect("u1", "TOKEN");
  auto sealed = settings.values[{"u1", "lastfm_session_key"}];
  EXPECT_EQ(sealed.find("SESSION"), std::string::npos);
  scrobbler->listened("u1", track, 1'700'000'000'000'000, 100);
  scrobbler->listened("u1", track, 1'700'000'000'000'000, 99);  // under half: not queued
  ASSERT_EQ(queue.items.size(), 1u);
  calls.clear();
  EXPECT_EQ(scrobbler->deliver_due(util::now_micros()), 1u);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "POST");
  EXPECT_NE(calls[0].body.find("sk=SESSION"), std::string::npos);
  EXPECT_NE(calls[0].body.find("timestamp=1700000000"), std::string::npos);
  EXPECT_TRUE(queue.items.empty());
}

TEST_F(Delivery, OutageBacksOffAndKeepsOrder) {
  scrobbler->lastfm_connect("u1", "TOKEN");
  for (int i = 0; i < 3; ++i) scrobbler->listened("u1", track, 1'000'000 * (i + 1), 150);
  down = true;
  calls.clear();
  auto now = util::now_micros();
  scrobbler->deliver_due(now);
  EXPECT_EQ(calls.size(), 1u);  // one attempt, then the service counts as down for this pass
  ASSERT_EQ(queue.items.size(), 3u);
  for (const auto& i : queue.items) EXPECT_EQ(i.next_attempt_at, now + 10'000'000);
  EXPECT_EQ(queue.items[0].attempts, 1);
  scrobbler->deliver_due(now + 5'000'000);  // not due yet
  EXPECT_EQ(calls.size(), 1u);
  scrobbler->deliver_due(now + 10'000'000);
  EXPECT_EQ(calls.size(), 2u);
  EXPECT_EQ(queue.items[0].attempts, 2);
  EXPECT_EQ(queue.items[0].next_attempt_at, now + 10'000'000 + 20'000'000);  // doubled
  down = false;
  status = 503;  // error answers count as down as well
  body = R"({"error":16})";
  scrobbler->deliver_due(now + 30'000'000);
  EXPECT_EQ(queue.items.size(), 3u);
  status = 200;
  body = "{}";
  calls.clear();
  scrobbler->deliver_due(now + 100'000'000'000);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_NE(calls[0].body.find("timestamp=1&"), std::string::npos) << calls[0].body;  // oldest first
  EXPECT_NE(calls[2].body.find("timestamp=3&"), std::string::npos) << calls[2].body;
  EXPECT_TRUE(queue.items.empty());
}

TEST_F(Delivery, InvalidSessionDisconnects) {
  scrobbler->lastfm_connect("u1", "TOKEN");
  scrobbler->listened("u1", track, 1'000'000, 150);
  scrobbler->listened("u1", track, 2'000'000, 150);
  status = 403;
  body = R"({"error":9,"message":"Invalid session key"})";
  scrobbler->deliver_due(util::now_micros());
  EXPECT_FALSE(scrobbler->lastfm_status("u1").connected);
  EXPECT_TRUE(queue.items.empty());
}

TEST_F(Delivery, QueueIsBoundedAndNowPlayingReplaced) {
  scrobbler->lastfm_connect("u1", "TOKEN");
  scrobbler->now_playing("u1", track);
  scrobbler->now_playing("u1", track);
  EXPECT_EQ(queue.items.size(), 1u);
  for (int i = 0; i < 5; ++i) scrobbler->listened("u1", track, 1'000'000 * (i + 1), 150);
  EXPECT_EQ(queue.items.size(), 3u);
  EXPECT_EQ(queue.items.front().listened_at, 3'000'000);  // the oldest were dropped
}

TEST_F(Delivery, StaleNowPlayingIsDroppedAndDisabledUsersGetNothing) {
  scrobbler->lastfm_connect("u1", "TOKEN");
  scrobbler->now_playing("u1", track);
  calls.clear();
  scrobbler->deliver_due(util::now_micros() + 201'000'000);  // the track is over
  EXPECT_TRUE(calls.empty());
  EXPECT_TRUE(queue.items.empty());
  scrobbler->lastfm_set_enabled("u1", false);
  scrobbler->listened("u1", track, 1'000'000, 150);
  EXPECT_TRUE(queue.items.empty());
}

}  // namespace
}  // namespace st::scrobble
