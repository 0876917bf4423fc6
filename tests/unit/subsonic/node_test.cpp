// The response tree written as XML and as JSON: the same data, escaped for each.
#include <gtest/gtest.h>

#include "subsonic/node.hpp"

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
