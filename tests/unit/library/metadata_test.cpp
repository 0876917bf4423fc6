#include <gtest/gtest.h>

#include "library/cover_store.hpp"
#include "library/metadata.hpp"

using namespace st::library;

TEST(Genre, NormalisedAsTheOriginal) {
  EXPECT_EQ(normalize_genre("rock/pop"), "Rock");
  EXPECT_EQ(normalize_genre("  hip hop ; rap"), "Hip Hop");
  EXPECT_EQ(normalize_genre("ELECTRONIC"), "Electronic");
  EXPECT_EQ(normalize_genre("drum-n-bass"), "Drum-N-Bass");
  EXPECT_EQ(normalize_genre("jazz|blues"), "Jazz");
  EXPECT_FALSE(normalize_genre(" / rock"));
  EXPECT_FALSE(normalize_genre(""));
}

TEST(Names, FallbacksAsTheOriginal) {
  st::audio::AudioTags t;
  auto n = resolve_names(t, "/music/Some Folder/My Song.flac");
  EXPECT_EQ(n.title, "My Song");
  EXPECT_EQ(n.artist, "Unknown Artist");
  EXPECT_EQ(n.album_artist, "Unknown Artist");
  EXPECT_EQ(n.album, "Singles");
  t.artists = {"  Daft   Punk ", "Pharrell"};
  t.compilation = true;
  t.title = "  ";
  n = resolve_names(t, "/x/track.mp3");
  EXPECT_EQ(n.artist, "Daft Punk");
  EXPECT_EQ(n.album_artist, "Various Artists");
  EXPECT_EQ(n.title, "track");
}

TEST(Keys, MusicBrainzFirstThenFoldedNames) {
  EXPECT_EQ(artist_key("The Band", std::nullopt), "name:the band");
  EXPECT_EQ(artist_key("The  BAND ", std::nullopt), "name:the band");
  EXPECT_EQ(artist_key("The Band", std::string("ABC-123")), "mb:abc-123");
  EXPECT_EQ(album_key("artist-1", "Album", std::nullopt), album_key("artist-1", " ALBUM", std::nullopt));
  EXPECT_NE(album_key("artist-1", "Album", std::nullopt), album_key("artist-2", "Album", std::nullopt));
  EXPECT_EQ(album_key("artist-1", "Album", std::string("rel")), album_key("artist-2", "Other", std::string("rel")));
}

TEST(Covers, ImageTypesByContentAndSafeResolution) {
  EXPECT_EQ(image_extension(std::string("\xFF\xD8\xFF\xE0", 4)), "jpg");
  EXPECT_EQ(image_extension(std::string("\x89PNG\r\n\x1a\n....", 12)), "png");
  EXPECT_EQ(image_extension("RIFF1234WEBPVP8 "), "webp");
  EXPECT_EQ(image_extension("<svg>"), "");
  std::string h(64, 'a');
  EXPECT_TRUE(CoverStore::is_cover_path("covers/aa/" + h + ".jpg"));
  EXPECT_FALSE(CoverStore::is_cover_path("covers/ab/" + h + ".jpg"));
  EXPECT_FALSE(CoverStore::is_cover_path("covers/aa/" + h + ".svg"));
  EXPECT_FALSE(CoverStore::is_cover_path("covers/aa/../../../etc/passwd"));
  EXPECT_FALSE(CoverStore::is_cover_path("outboards/aa/" + h + ".obao"));
  EXPECT_FALSE(CoverStore("/nonexistent").file("covers/aa/" + h + ".jpg"));  // a name, but nothing stored
}
