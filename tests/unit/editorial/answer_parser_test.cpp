#include "editorial/answer_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "editorial/prompt.hpp"

using namespace st::editorial;

namespace {

const std::set<std::string, std::less<>> kSent{"a1", "a2", "a3", "a4", "a5", "a6"};

ParseResult parse(const std::string& s, const ParseLimits& l = {}) { return parse_playlists(s, kSent, l); }

}  // namespace

TEST(AnswerParser, PlainArray) {
  auto r = parse(R"([{"name":"Calm","description":"Quiet","track_ids":["a1","a2"]}])");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.playlists.size(), 1u);
  EXPECT_EQ(r.playlists[0].name, "Calm");
  EXPECT_EQ(r.playlists[0].description, "Quiet");
  EXPECT_EQ(r.playlists[0].track_ids, (std::vector<std::string>{"a1", "a2"}));
}

TEST(AnswerParser, FencesProseAndAliases) {
  auto r = parse("Here you go:\n```json\n[{\"title\":\"T\",\"tracks\":[\"a1\",\"a2\"]},"
                 "{\"name\":\"S\",\"songs\":[{\"id\":\"a3\"},{\"track_id\":\"a4\"}]}]\n```\nEnjoy!");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.playlists.size(), 2u);
  EXPECT_EQ(r.playlists[0].name, "T");
  EXPECT_EQ(r.playlists[1].track_ids, (std::vector<std::string>{"a3", "a4"}));
  // Prose around a bare array, and an object wrapper.
  EXPECT_TRUE(parse("Sure! [{\"name\":\"x\",\"track_ids\":[\"a1\",\"a2\"]}] Hope it helps").ok());
  EXPECT_TRUE(parse(R"({"playlists":[{"name":"x","track_ids":["a1","a2"]}]})").ok());
}

TEST(AnswerParser, UnknownAndDuplicateIdsAreDropped) {
  auto r = parse(R"([{"name":"x","track_ids":["a1","zz","a1",7,null,{"id":"a9"},"a2",["a3"]]}])");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.playlists[0].track_ids, (std::vector<std::string>{"a1", "a2"}));
  auto none = parse(R"([{"name":"x","track_ids":["zz","yy","../etc/passwd"]}])");
  EXPECT_FALSE(none.ok());
}

TEST(AnswerParser, NonJsonAndWrongShapesAreErrors) {
  for (const char* bad : {"", "Sorry, I can't.", "{", "[1,2,3]", R"({"name":"x"})", R"("just text")",
                          R"([{"name":"x","track_ids":"a1"}])", R"([{"name":42,"track_ids":["a1","a2"]}])",
                          R"([{"track_ids":["a1","a2"]}])", "```\n```", "\xff\xfe[]"}) {
    auto r = parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.playlists.empty()) << bad;
  }
}

TEST(AnswerParser, NestedJunkIsRefused) {
  std::string deep(10000, '[');
  deep += std::string(10000, ']');
  EXPECT_FALSE(parse(deep).ok());
  EXPECT_FALSE(parse(R"([{"name":"x","track_ids":[[[[[[[[[[[[[[[[[[[["a1"]]]]]]]]]]]]]]]]]]]]}])").ok());
  // Depth is bounded at 16 (an answer needs 4): junk nested deeper fails the whole answer, not just its field.
  std::string junk = std::string(20, '[') + std::string(20, ']');
  EXPECT_FALSE(parse(R"([{"name":"x","track_ids":["a1","a2"],"extra":)" + junk + "}]").ok());
  EXPECT_TRUE(parse(R"([{"name":"x","track_ids":["a1","a2"],"extra":[[[[]]]]}])").ok());
}

TEST(AnswerParser, CapsAndLengths) {
  ParseLimits l;
  l.max_playlists = 2;
  l.max_tracks_per_playlist = 3;
  l.max_total_tracks = 5;
  std::string many = "[";
  for (int i = 0; i < 1000; ++i)
    many += std::string(i ? "," : "") + R"({"name":"p","track_ids":["a1","a2","a3","a4","a5","a6"]})";
  many += "]";
  auto r = parse(many, l);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.playlists.size(), 2u);
  EXPECT_EQ(r.playlists[0].track_ids.size(), 3u);
  EXPECT_EQ(r.playlists[1].track_ids.size(), 2u);  // total cap
  ParseLimits small;
  small.max_content_bytes = 100;
  EXPECT_FALSE(parse(many, small).ok());
  auto longtext = parse("[{\"name\":\"" + std::string(5000, 'n') + "\",\"description\":\"" + std::string(5000, 'd') +
                        "\",\"track_ids\":[\"a1\",\"a2\"]}]");
  ASSERT_TRUE(longtext.ok());
  EXPECT_EQ(longtext.playlists[0].name.size(), 100u);
  EXPECT_EQ(longtext.playlists[0].description.size(), 500u);
  // A playlist with fewer than two known tracks is dropped.
  auto one = parse(R"([{"name":"a","track_ids":["a1"]},{"name":"b","track_ids":["a2","a3"]}])");
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one.playlists.size(), 1u);
  EXPECT_EQ(one.playlists[0].name, "b");
}

TEST(AnswerParser, CleanText) {
  EXPECT_EQ(clean_text("  Late\n\tnight\x07  \u202Emix\u2028 ", 100), "Late night mix");
  EXPECT_EQ(clean_text("\xC2\x85x", 10), "x");  // C1 control
  EXPECT_EQ(clean_text("ééééé", 3), "ééé");    // code points, never a cut sequence
  EXPECT_EQ(clean_text("\n\n\n", 10), "");
  auto r = parse(R"([{"name":"\u0000\u001b[31m","track_ids":["a1","a2"]}])");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.playlists[0].name, "[31m");
}

TEST(AnswerParser, ChatCompletionEnvelope) {
  auto ok = parse_chat_answer(
      R"({"choices":[{"message":{"role":"assistant","content":"[{\"name\":\"x\",\"track_ids\":[\"a1\",\"a2\"]}]"}}]})", kSent);
  ASSERT_TRUE(ok.ok()) << ok.error;
  EXPECT_EQ(ok.playlists.size(), 1u);
  for (const char* bad : {"<html>502</html>", R"({"choices":[]})", R"({"choices":[{"message":{"content":null}}]})",
                          R"({"choices":[{"text":"[]"}]})", R"({"error":{"message":"quota"}})", "[]"})
    EXPECT_FALSE(parse_chat_answer(bad, kSent).ok()) << bad;
}

TEST(Prompt, PlanAndTracks) {
  EXPECT_EQ(plan_for(10).playlists, 2);
  EXPECT_EQ(plan_for(10).min_tracks, 5);
  EXPECT_EQ(plan_for(40).playlists, 4);
  EXPECT_EQ(plan_for(40).min_tracks, 10);
  EXPECT_EQ(plan_for(500).playlists, 6);
  EXPECT_EQ(plan_for(500).min_tracks, 25);
  EXPECT_EQ(plan_for(500).max_tracks, 30);
  std::vector<PromptTrack> tracks;
  for (int i = 0; i < 100; ++i) tracks.push_back({"id" + std::to_string(i), "T\"itle", "A", "", i % 2 ? std::optional<int>(1990) : std::nullopt});
  std::size_t sent = 0;
  auto all = tracks_json(tracks, 1'000'000, sent);
  EXPECT_EQ(sent, 100u);
  EXPECT_NE(all.find(R"({"id":"id0","title":"T\"itle","artist":"A","genre":"Unknown","year":null})"), std::string::npos);
  auto cut = tracks_json(tracks, 1000, sent);
  EXPECT_LE(cut.size(), 1000u);
  EXPECT_GT(sent, 0u);
  EXPECT_LT(sent, 100u);
  ChatRequestSpec spec;
  spec.model = "m";
  spec.language = "Français\"}";
  auto body = chat_request_body(spec, cut, plan_for(sent));
  EXPECT_NE(body.find(R"("model":"m")"), std::string::npos);
  EXPECT_NE(body.find("Fran\u00e7ais\\\"}"), std::string::npos);  // quoted as data
  EXPECT_NE(body.find("\"max_tokens\":4000"), std::string::npos);
}
