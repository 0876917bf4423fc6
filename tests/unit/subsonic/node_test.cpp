// The response tree written as XML and as JSON: the same data, escaped for each.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "subsonic/node.hpp"
#include "subsonic/render_cache.hpp"

using namespace st::subsonic;

TEST(SubsonicNode, XmlUsesAttributesForScalarsAndElementsForLists) {
  Node body;
  auto& album = body.object("album");
  album.set("id", "a1").set("name", "Tom & \"Jerry\" <3").set("songCount", 2).set("isCompilation", false);
  album.set("duration", 1.5);
  auto& songs = album.list("song");
  songs.push_back(Node().set("id", "s1"));
  songs.push_back(Node().set("id", "s2"));
  album.scalars("moods").push_back(std::string("calm"));
  Envelope e{true, "9.9"};
  EXPECT_EQ(to_xml(e, body),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<subsonic-response xmlns=\"http://subsonic.org/restapi\" "
            "status=\"ok\" version=\"1.16.1\" type=\"soundtime\" serverVersion=\"9.9\" openSubsonic=\"true\">"
            "<album id=\"a1\" name=\"Tom &amp; &quot;Jerry&quot; &lt;3\" songCount=\"2\" isCompilation=\"false\" "
            "duration=\"1.5\"><song id=\"s1\"/><song id=\"s2\"/><moods>calm</moods></album></subsonic-response>");
}

TEST(SubsonicNode, JsonUsesFieldsArraysAndValueForText) {
  Node body;
  auto& g = body.object("genres").list("genre");
  Node rock;
  rock.set("songCount", 3);
  rock.text = "Rock \"n\" Roll\n";
  g.push_back(rock);
  body.object("empty").list("song");
  Envelope e{false, "1"};
  EXPECT_EQ(to_json(e, body),
            "{\"subsonic-response\":{\"status\":\"failed\",\"version\":\"1.16.1\",\"type\":\"soundtime\","
            "\"serverVersion\":\"1\",\"openSubsonic\":true,\"genres\":{\"genre\":[{\"songCount\":3,"
            "\"value\":\"Rock \\\"n\\\" Roll\\n\"}]},\"empty\":{\"song\":[]}}}");
}

TEST(SubsonicNode, XmlReplacesCharactersXmlCannotCarry) {
  const std::string r = "\xEF\xBF\xBD";  // U+FFFD
  EXPECT_EQ(xml_escape(std::string("a\x01\x1f" "b\tc", 6)), "a" + r + r + "b&#9;c");
  EXPECT_EQ(xml_escape("é'"), "é&apos;");
  EXPECT_EQ(xml_escape("a\xEF\xBF\xBE" "b\xEF\xBF\xBF"), "a" + r + "b" + r);  // U+FFFE, U+FFFF
  EXPECT_EQ(xml_escape("\xEF\xBF\xBD\xEE\x80\x80\xF0\x9F\x8E\xB5\xF4\x8F\xBF\xBF"),
            "\xEF\xBF\xBD\xEE\x80\x80\xF0\x9F\x8E\xB5\xF4\x8F\xBF\xBF");  // U+FFFD, U+E000, U+1F3B5, U+10FFFF
  EXPECT_EQ(xml_escape("x\xFFy\xC3"), "x" + r + "y" + r);  // a stray byte, a truncated sequence
  EXPECT_EQ(xml_escape("\xC0\xAF"), r + r);                 // overlong '/'
  EXPECT_EQ(xml_escape("\xED\xA0\x80"), r + r + r);         // a UTF-16 surrogate
  EXPECT_EQ(xml_escape("\xF4\x90\x80\x80"), r + r + r + r);  // past U+10FFFF
}

TEST(SubsonicNode, OptionalsAreOmittedWhenEmpty) {
  Node n;
  n.set("year", std::optional<int>{}).set("genre", std::optional<std::string>("Jazz"));
  EXPECT_EQ(to_json({true, "1"}, n).find("year"), std::string::npos);
  EXPECT_NE(to_json({true, "1"}, n).find("\"genre\":\"Jazz\""), std::string::npos);
}

namespace {

// A body with one object "artists" made by `make` (as getArtists makes it).
Node artists_body(const std::function<Node()>& make, bool prerendered) {
  Node body;
  body.set("top", 1);
  auto& artists = body.object("artists");
  if (prerendered) artists.prerendered = std::make_shared<const Prerendered>(make);
  else artists = make();
  body.object("after").set("x", "y");
  return body;
}

}  // namespace

TEST(SubsonicNode, APrerenderedNodeIsWrittenAsTheNodeItMadeInBothFormats) {
  std::vector<std::function<Node()>> makes = {
      [] {
        Node n;
        n.set("ignoredArticles", "The La");
        auto& index = n.list("index");
        index.push_back(Node().set("name", "A"));
        index.back().list("artist").push_back(Node().set("id", "1").set("name", "Abba & <Co>"));
        n.text = "text";
        n.scalars("roles").push_back(std::string("artist"));
        return n;
      },
      [] { return Node(); },                        // nothing at all: <artists/> and {}
      [] { return Node().set("only", "attrs"); },   // attributes without children
      [] {
        Node n;
        n.list("index");  // an empty list: [] in JSON, no element in XML
        return n;
      },
  };
  Envelope e{true, "1"};
  int builds = 0;
  for (const auto& make : makes) {
    auto counted = [&] {
      ++builds;
      return make();
    };
    auto plain = artists_body(make, false);
    auto pre = artists_body(counted, true);
    EXPECT_EQ(to_json(e, pre), to_json(e, plain));
    EXPECT_EQ(to_xml(e, pre), to_xml(e, plain));
    EXPECT_EQ(to_json(e, pre), to_json(e, plain));  // written again from what was kept
    EXPECT_EQ(to_xml(e, pre), to_xml(e, plain));
  }
  EXPECT_EQ(builds, 2 * static_cast<int>(makes.size()));  // once per format
}

TEST(SubsonicNode, ALargePrerenderedPartIsSharedNotCopied) {
  auto big = [] {
    Node n;
    auto& index = n.list("index");
    for (int i = 0; i < 2000; ++i) index.push_back(Node().set("id", std::to_string(i)).set("name", "Artist \"" + std::to_string(i)));
    return n;
  };
  auto small = [] { return Node().set("name", "A"); };
  Envelope e{true, "1"};
  for (bool json : {true, false}) {
    auto body = artists_body(big, true);
    const auto& pre = *body.objects.front().second.prerendered;
    const auto& held = json ? pre.json_members() : pre.xml_children();
    ASSERT_GE(held.size(), 16u * 1024);
    auto pieces = json ? to_json_pieces(e, body) : to_xml_pieces(e, body);
    int shared = 0;
    std::string whole;
    for (const auto& p : pieces) {
      shared += p->data() == held.data();
      whole += *p;
    }
    EXPECT_EQ(shared, 1) << json;  // the kept text itself, not a copy
    EXPECT_EQ(whole, json ? to_json(e, artists_body(big, false)) : to_xml(e, artists_body(big, false)));
    // The pieces keep the rendering alive after the node is gone.
    body = Node();
    std::string again;
    for (const auto& p : pieces) again += *p;
    EXPECT_EQ(again, whole);
  }
  // A small part is copied into the text around it: one piece.
  EXPECT_EQ(to_json_pieces(e, artists_body(small, true)).size(), 1u);
  EXPECT_EQ(to_xml_pieces(e, artists_body(small, true)).size(), 1u);
}

TEST(SubsonicRenderCache, SharesARenderPerSourceAndKeyAndDropsReplacedSources) {
  RenderCache cache;
  auto v1 = std::make_shared<const int>(1), v2 = std::make_shared<const int>(2);
  auto make = [] { return Node().set("a", 1); };
  auto plain = cache.get(v1, "", make);
  EXPECT_EQ(cache.get(v1, "", make), plain);
  auto starred = cache.get(v1, "id:5:0;", make);
  EXPECT_NE(starred, plain);
  EXPECT_EQ(cache.size(), 2u);
  // A new source (the list changed): the old one's entries go.
  auto fresh = cache.get(v2, "", make);
  EXPECT_NE(fresh, plain);
  EXPECT_EQ(cache.size(), 1u);
  // At most kEntries, the least recently used leaving first.
  for (int i = 0; i < 10; ++i) cache.get(v2, std::to_string(i), make);
  EXPECT_EQ(cache.size(), RenderCache::kEntries);
  EXPECT_EQ(cache.get(v2, "9", make), cache.get(v2, "9", make));
  EXPECT_NE(cache.get(v2, "", make), fresh);  // evicted long ago: made again
  // Cleared (a quiet server): every entry and the sources it held go; the next request renders again.
  auto kept = cache.get(v2, "9", make);
  std::weak_ptr<const int> source = v2;
  v2.reset();
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_TRUE(source.expired());
  auto again = std::make_shared<const int>(3);
  EXPECT_NE(cache.get(again, "9", make), kept);
}

// A render made from several lists (getIndexes: one per music folder) is shared while every one of them is the
// same, and made again once any is replaced.
TEST(SubsonicRenderCache, ARenderOfSeveralSourcesIsFoundByAllOfThem) {
  RenderCache cache;
  auto music = std::make_shared<const int>(1), uploads = std::make_shared<const int>(2);
  auto make = [] { return Node().set("a", 1); };
  auto both = cache.get(RenderCache::Sources{music, uploads}, "0,1,", make);
  EXPECT_EQ(cache.get(RenderCache::Sources{music, uploads}, "0,1,", make), both);
  auto more_uploads = std::make_shared<const int>(3);
  auto after = cache.get(RenderCache::Sources{music, more_uploads}, "0,1,", make);
  EXPECT_NE(after, both);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_NE(cache.get(RenderCache::Sources{uploads, music}, "0,1,", make), after) << "the order is part of it";
}
