#include <gtest/gtest.h>

#include <chrono>

#include "library/metadata_enricher.hpp"
#include "library/musicbrainz.hpp"

using namespace st::library;

namespace {

const char* kSearch = R"J({"recordings":[
  {"id":"low","score":60,"title":"Song","length":200000,"artist-credit":[{"artist":{"id":"a0","name":"X"}}]},
  {"id":"far","score":95,"title":"Song","length":400000,"first-release-date":"2001-02-03",
   "artist-credit":[{"name":"Band","artist":{"id":"a1","name":"Band"}}],
   "releases":[{"id":"r-single","title":"Song (single)","status":"Official","release-group":{"primary-type":"Single"}},
               {"id":"r-album","title":"The Album","status":"Official","release-group":{"primary-type":"Album"}}],
   "tags":[{"count":2,"name":"rock"},{"count":7,"name":"indie rock"}]},
  {"id":"near","score":"90","title":"Song","length":181000,"artist-credit":[{"artist":{"id":"a2","name":"Band"}}],
   "releases":[{"id":"r-bootleg","title":"Live","status":"Bootleg"}]}
]})J";

}  // namespace

TEST(MusicBrainz, BestRecordingHasAScoreOf80AndTheRightLength) {
  auto near = parse_recording_search(kSearch, 180.0);
  ASSERT_TRUE(near);
  EXPECT_EQ(near->id, "near");  // within 10 s of the file's length
  EXPECT_EQ(near->score, 90);   // scores given as strings are read too
  EXPECT_EQ(near->release_id, "r-bootleg");  // the only release
  auto first = parse_recording_search(kSearch, 0);  // length unknown: the first good score
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, "far");
  EXPECT_EQ(first->artist_id, "a1");
  EXPECT_EQ(first->artist_name, "Band");
  EXPECT_EQ(first->year, 2001);
  EXPECT_EQ(first->genre, "indie rock");      // the most voted tag
  EXPECT_EQ(first->release_id, "r-album");    // an official album before a single
  EXPECT_EQ(first->release_title, "The Album");
  auto none = parse_recording_search(R"J({"recordings":[{"id":"x","score":79}]})J", 0);
  EXPECT_FALSE(none);
  EXPECT_FALSE(parse_recording_search(R"J({"recordings":[]})J", 0));
  EXPECT_THROW(parse_recording_search("<html>busy</html>", 0), LookupError);
  EXPECT_THROW(parse_recording_search(R"J({"error":"rate limited"})J", 0), LookupError);
}

TEST(MusicBrainz, QueryEscapesQuotes) {
  EXPECT_EQ(recording_query("Say \"Hi\"", "A\\B"), R"J(recording:"Say \"Hi\"" AND artist:"A\\B")J");
  EXPECT_EQ(recording_query("Song", ""), R"J(recording:"Song" AND artist:"")J");
}

TEST(MusicBrainz, ArtistLinksWikidataAndSummaries) {
  auto links = parse_artist_links(R"J({"relations":[
    {"type":"image","url":{"resource":"https://commons.wikimedia.org/wiki/File:Band.jpg"}},
    {"type":"wikidata","url":{"resource":"https://www.wikidata.org/wiki/Q42"}},
    {"type":"wikipedia","url":{"resource":"https://de.wikipedia.org/wiki/Band_(Musik)"}},
    {"type":"official homepage","url":{"resource":"https://band.example"}}]})J");
  EXPECT_EQ(links.wikidata_id, "Q42");
  EXPECT_EQ(links.wikipedia_url, "https://de.wikipedia.org/wiki/Band_(Musik)");
  EXPECT_EQ(links.image_url, "https://commons.wikimedia.org/wiki/File:Band.jpg");
  EXPECT_FALSE(parse_artist_links(R"J({"id":"x"})J").wikidata_id);

  auto site = parse_wikidata_sitelink(
      R"J({"entities":{"Q42":{"sitelinks":{"commonswiki":{"title":"C"},"dewiki":{"title":"Band DE"},"frwiki":{"title":"Band FR"}}}}})J",
      "Q42");
  ASSERT_TRUE(site);
  EXPECT_EQ(site->first, "fr");  // English, then French, then any language
  EXPECT_EQ(site->second, "Band FR");
  auto any = parse_wikidata_sitelink(
      R"J({"entities":{"Q1":{"sitelinks":{"commonswiki":{"title":"C"},"enwikiquote":{"title":"Q"},"dewiki":{"title":"D"}}}}})J", "Q1");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->first, "de");
  EXPECT_FALSE(parse_wikidata_sitelink(R"J({"entities":{}})J", "Q1"));

  auto s = parse_wiki_summary(R"J({"extract":"A band.","thumbnail":{"source":"https://img/t.jpg"},"originalimage":{"source":"https://img/o.jpg"}})J");
  EXPECT_EQ(s.extract, "A band.");
  EXPECT_EQ(s.image_url, "https://img/t.jpg");
}

TEST(MusicBrainz, FrontCoverPrefers500Pixels) {
  EXPECT_EQ(parse_front_cover(R"J({"images":[{"front":false,"image":"back.jpg"},
      {"front":true,"image":"full.jpg","thumbnails":{"250":"250.jpg","500":"500.jpg","large":"l.jpg"}}]})J"),
            "500.jpg");
  EXPECT_EQ(parse_front_cover(R"J({"images":[{"front":true,"image":"full.jpg"}]})J"), "full.jpg");
  EXPECT_FALSE(parse_front_cover(R"J({"images":[{"front":false,"image":"back.jpg"}]})J"));
}

TEST(MusicBrainz, PublicServicesAreAskedOncePerSecondAtMost) {
  using ms = std::chrono::milliseconds;
  for (const char* url : {"https://musicbrainz.org/ws/2/recording?query=x", "https://beta.musicbrainz.org/ws/2",
                          "https://coverartarchive.org/release/x", "https://ia800.us.archive.org/x.jpg",
                          "https://en.wikipedia.org/api/rest_v1/page/summary/X", "https://www.wikidata.org/wiki/Q1"})
    EXPECT_EQ(polite_interval(url, ms(10)), ms(1000)) << url;
  EXPECT_EQ(polite_interval("https://musicbrainz.org", ms(2000)), ms(2000));
  // A mirror, or a host that only looks like one of them.
  EXPECT_EQ(polite_interval("http://127.0.0.1:5000/ws/2", ms(10)), ms(10));
  EXPECT_EQ(polite_interval("http://mb.local/musicbrainz.org/ws/2", ms(0)), ms(0));
  EXPECT_EQ(polite_interval("https://notmusicbrainz.org/ws/2", ms(0)), ms(0));
}

TEST(MusicBrainz, RequestsCarryTheUserAgentAndAreSpaced) {
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> seen;
  std::string agent;
  MusicBrainzClient client(
      [&](const WebRequest& r) {
        seen.emplace_back(r.url, std::chrono::steady_clock::now());
        agent = r.user_agent;
        if (r.url.find("/artist/") != std::string::npos) return WebReply{404, "", ""};
        if (r.url.find("/release/") != std::string::npos) return WebReply{503, "busy", ""};
        return WebReply{200, R"J({"recordings":[]})J", "application/json"};
      },
      [] {
        MusicBrainzConfig c;
        c.base = "http://mirror.local/ws/2/";
        c.coverart_base = c.wikipedia_base = c.wikidata_base = "http://mirror.local";
        c.user_agent = "SoundTime/1.0 ( https://music.example )";
        c.min_interval = std::chrono::milliseconds(50);
        return c;
      });
  EXPECT_FALSE(client.find_recording("A & B", "C", 0));
  EXPECT_EQ(seen.at(0).first,
            "http://mirror.local/ws/2/recording?query=recording%3A%22A%20%26%20B%22%20AND%20artist%3A%22C%22"
            "&fmt=json&limit=5");
  EXPECT_EQ(agent, "SoundTime/1.0 ( https://music.example )");
  EXPECT_TRUE(client.artist_links("a1").wikipedia_url == std::nullopt);  // 404: nothing known
  EXPECT_THROW(client.front_cover("r1"), LookupError);                   // 503: try later
  ASSERT_EQ(seen.size(), 3u);
  for (std::size_t i = 1; i < seen.size(); ++i)
    EXPECT_GE(seen[i].second - seen[i - 1].second, std::chrono::milliseconds(49));
}

TEST(Enricher, TitlesFromFileNames) {
  EXPECT_TRUE(title_from_file_name("03 - Song.mp3", "/m/x.flac"));
  EXPECT_TRUE(title_from_file_name("My Song", "/music/My Song.flac"));
  EXPECT_FALSE(title_from_file_name("My Song", "/music/01 My Song.flac"));
  EXPECT_FALSE(title_from_file_name("Song", "p2p://abc"));
  EXPECT_EQ(searchable_title("03 - Song.mp3"), "Song");
  EXPECT_EQ(searchable_title("1-03 Song_Name"), "Song Name");
  EXPECT_EQ(searchable_title("07. Intro"), "Intro");
  EXPECT_EQ(searchable_title("05 Track"), "Track");
  EXPECT_EQ(searchable_title("99 Luftballons"), "99 Luftballons");
  EXPECT_EQ(searchable_title("1999"), "1999");
  EXPECT_TRUE(is_placeholder_artist("Unknown Artist"));
  EXPECT_TRUE(is_placeholder_artist("Inconnu"));
  EXPECT_FALSE(is_placeholder_artist("The Unknowns"));
  EXPECT_TRUE(is_placeholder_album(std::nullopt));
  EXPECT_TRUE(is_placeholder_album(std::string("Singles")));
  EXPECT_FALSE(is_placeholder_album(std::string("Greatest Hits")));
}
