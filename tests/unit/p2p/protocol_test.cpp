// Frames and messages: round trips, the original's JSON shapes, and refusal of bad input.
#include <gtest/gtest.h>

#include "p2p/protocol/frame.hpp"
#include "p2p/protocol/messages.hpp"

using namespace st::p2p;

namespace {

TrackAnnouncement sample() {
  TrackAnnouncement t;
  t.hash = std::string(64, 'a');
  t.title = "Title \"quoted\" é";
  t.artist_name = "Artist";
  t.album_title = "Album";
  t.duration_secs = 123.5;
  t.format = "flac";
  t.file_size = 1 << 20;
  t.year = 1999;
  t.bitrate = 900;
  t.origin_node = std::string(64, 'b');
  return t;
}

TEST(Frame, EncodesHeaderAndSplitsAStream) {
  auto f1 = encode_frame(FrameKind::request, 1, "hello");
  auto f2 = encode_frame(FrameKind::binary, 7, std::string(70000, 'x'));
  ASSERT_EQ(f1.size(), kFrameHeaderLen + 5);
  EXPECT_EQ(f1.substr(0, 9), std::string("\0\0\0\x05\0\0\0\x01\x01", 9));
  FrameReader r(1 << 20);
  std::string all = f1 + f2;
  for (std::size_t i = 0; i < all.size(); i += 1000) r.feed(all.data() + i, std::min<std::size_t>(1000, all.size() - i));
  auto a = r.next();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->header.stream, 1u);
  EXPECT_EQ(a->payload, "hello");
  auto b = r.next();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->header.kind, FrameKind::binary);
  EXPECT_EQ(b->payload.size(), 70000u);
  EXPECT_FALSE(r.next());
  EXPECT_EQ(r.error(), FrameError::none);
}

TEST(Frame, RefusesOversizedUnknownKindAndStreamZero) {
  FrameHeader h;
  std::uint8_t big[9] = {0x04, 0, 0, 1, 0, 0, 0, 1, 1};
  EXPECT_EQ(parse_frame_header(big, 4u << 20, h), FrameError::too_large);
  std::uint8_t kind[9] = {0, 0, 0, 0, 0, 0, 0, 1, 9};
  EXPECT_EQ(parse_frame_header(kind, 1024, h), FrameError::unknown_kind);
  std::uint8_t zero[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(parse_frame_header(zero, 1024, h), FrameError::zero_stream);
  FrameReader r(16);
  auto f = encode_frame(FrameKind::request, 1, std::string(17, 'x'));
  r.feed(f.data(), f.size());
  EXPECT_FALSE(r.next());
  EXPECT_EQ(r.error(), FrameError::too_large);
}

TEST(Codec, TheOriginalsShapesDecode) {
  EXPECT_TRUE(std::holds_alternative<Ping>(*decode_message("\"Ping\"").message));
  auto rc = decode_message("\"RequestCatalog\"");
  ASSERT_TRUE(rc.message);
  EXPECT_EQ(std::get<RequestCatalog>(*rc.message).since_cursor, 0u);
  auto pong = decode_message(R"({"Pong":{"node_id":"n","track_count":5}})");
  ASSERT_TRUE(pong.message) << pong.error;
  EXPECT_EQ(std::get<Pong>(*pong.message).track_count, 5u);
  EXPECT_FALSE(std::get<Pong>(*pong.message).version);
  std::string sync = R"({"CatalogSync":[{"hash":")" + std::string(64, 'A') +
                     R"(","title":"t","artist_name":"a","album_artist_name":null,"album_title":null,)"
                     R"("duration_secs":1.5,"format":"mp3","file_size":10,"genre":null,"year":2001,"track_number":1,)"
                     R"("disc_number":1,"bitrate":320,"sample_rate":44100,"origin_node":"o","cover_hash":null}]})";
  auto d = decode_message(sync);
  ASSERT_TRUE(d.message) << d.error;
  auto& tracks = std::get<CatalogSync>(*d.message).tracks;
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_EQ(tracks[0].hash, std::string(64, 'a')) << "hashes are normalised to lowercase";
  EXPECT_EQ(tracks[0].year, 2001);
}

// Issue 17, item 19: what a peer announces is range-checked and cleaned where it is decoded.
TEST(Codec, PeerTrackValuesAreRangeCheckedAndCleaned) {
  auto decode_one = [](const std::string& fields) {
    std::string text = R"({"AnnounceTrack":{"hash":")" + std::string(64, 'a') + R"(","origin_node":"o",)" + fields + "}}";
    auto d = decode_message(text);
    EXPECT_TRUE(d.message) << d.error << " in " << text;
    return d.message ? std::get<AnnounceTrack>(*d.message).track : TrackAnnouncement{};
  };
  auto t = decode_one(R"("title":"A\u0000B\r\nC\tD\u001b\u0085E\uffffF","artist_name":"Bad \u00e9 ok",)"
                      R"("album_title":"x\u2028y","duration_secs":1e308,"format":"mp3","file_size":1000,)"
                      R"("year":-5,"track_number":-1,"disc_number":-2,"bitrate":-320,"sample_rate":0,)"
                      R"("genre":"g\u0007","cover_hash":"../../etc/passwd")");
  EXPECT_EQ(t.title, "AB  C D" "E\xEF\xBF\xBD" "F");
  EXPECT_EQ(t.artist_name, "Bad \xC3\xA9 ok");
  EXPECT_EQ(t.album_title, "x\xE2\x80\xA8y");
  EXPECT_EQ(t.duration_secs, 0) << "a duration beyond any track's is unknown";
  EXPECT_EQ(t.genre, "g");
  EXPECT_FALSE(t.year);
  EXPECT_FALSE(t.track_number);
  EXPECT_FALSE(t.disc_number);
  EXPECT_FALSE(t.bitrate);
  EXPECT_FALSE(t.sample_rate);
  EXPECT_FALSE(t.cover_hash);
  // Sane values are kept.
  auto ok = decode_one(R"("title":"T","artist_name":"A","duration_secs":240.5,"format":"flac","file_size":30000000,)"
                       R"("year":1977,"track_number":3,"disc_number":1,"bitrate":1000,"sample_rate":96000)");
  EXPECT_EQ(ok.duration_secs, 240.5);
  EXPECT_EQ(ok.year, 1977);
  EXPECT_EQ(ok.track_number, 3);
  EXPECT_EQ(ok.disc_number, 1);
  EXPECT_EQ(ok.bitrate, 1000);
  EXPECT_EQ(ok.sample_rate, 96000);
  EXPECT_EQ(ok.file_size, 30000000);
  // Invalid UTF-8 (boost.json takes raw bytes in strings) becomes U+FFFD.
  auto raw = decode_message(std::string(R"({"AnnounceTrack":{"hash":")") + std::string(64, 'a') +
                            "\",\"origin_node\":\"o\",\"title\":\"a\xff\xc0\x80z\",\"artist_name\":\"A\","
                            "\"duration_secs\":1,\"format\":\"mp3\",\"file_size\":5}}");
  if (raw.message) {
    EXPECT_EQ(std::get<AnnounceTrack>(*raw.message).track.title.find('\xff'), std::string::npos);
  }
  // A size that no file has refuses the track (it would be reserved on disk when fetched).
  for (const char* size : {"0", "-1", "9223372036854775807", "1e19"}) {
    std::string text = R"({"AnnounceTrack":{"hash":")" + std::string(64, 'a') +
                       R"(","origin_node":"o","title":"t","artist_name":"a","duration_secs":1,"format":"mp3","file_size":)" +
                       size + "}}";
    EXPECT_FALSE(decode_message(text).message) << size;
  }
  // Search results are cleaned alike.
  auto r = decode_message(R"({"SearchResults":{"request_id":"r","total":1,"results":[{"hash":"h","title":"a\r\nb",)"
                          R"("artist_name":"x","duration_secs":1e300,"format":"mp3","year":-1,"bitrate":-5,)"
                          R"("source_node":"n","relevance":1}]}})");
  ASSERT_TRUE(r.message) << r.error;
  auto& item = std::get<SearchResults>(*r.message).results.at(0);
  EXPECT_EQ(item.title, "a  b");
  EXPECT_EQ(item.duration_secs, 0);
  EXPECT_FALSE(item.year);
  EXPECT_FALSE(item.bitrate);
}

TEST(Codec, EveryMessageRoundTrips) {
  std::vector<Message> all{Ping{11204},
                           Pong{"node", 3, std::string("0.1.0")},
                           AnnounceTrack{sample()},
                           CatalogSync{{sample(), sample()}},
                           CatalogDelta{"2026-01-01T00:00:00Z", {sample()}, {std::string(64, 'c')}, 5, 9, true},
                           RequestCatalog{42, 100},
                           FetchTrack{std::string(64, 'd'), 16384, 65536},
                           PeerExchange{{"x", "y"}},
                           BloomExchange{BloomFilterData{{1, 2, 255}, 7, 24, {{1, 2}, {3, 4}}, 10}},
                           SearchQuery{"r1", "rock", 20},
                           SearchResults{"r1", {}, 0}};
  for (const auto& m : all) {
    auto text = encode_message(m);
    auto back = decode_message(text);
    ASSERT_TRUE(back.message) << message_name(m) << ": " << back.error << " in " << text;
    EXPECT_EQ(back.message->index(), m.index());
    EXPECT_EQ(encode_message(*back.message), text) << message_name(m);
  }
}

TEST(Codec, BadInputIsRefusedWithAReason) {
  DecodeLimits lim;
  lim.max_tracks = 2;
  std::string three = encode_message(CatalogSync{{sample(), sample(), sample()}});
  for (const char* bad : {"", "{", "[]", "42", "\"Nope\"", R"({"Ping":1,"Pong":2})", R"({"FetchTrack":{"hash":"xyz"}})",
                          R"({"Pong":{"node_id":5,"track_count":1}})", R"({"Pong":{"node_id":"n","track_count":-1}})",
                          R"({"RequestCatalog":{"limit":0}})", R"({"Ping":{"listen_port":70000}})",
                          R"({"AnnounceTrack":{"hash":"00"}})",
                          R"({"BloomExchange":{"bloom":{"bitmap":[256],"num_hashes":1,"bitmap_bits":8,"sip_keys":[],"item_count":0}}})",
                          R"([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]])"}) {
    auto d = decode_message(bad, lim);
    EXPECT_FALSE(d.message) << bad;
    EXPECT_FALSE(d.error.empty()) << bad;
  }
  auto d = decode_message(three, lim);
  EXPECT_FALSE(d.message);
  EXPECT_NE(d.error.find("too many"), std::string::npos) << d.error;
  lim.max_string = 3;
  EXPECT_FALSE(decode_message(encode_message(Pong{"long node id", 1, {}}), lim).message);
}

TEST(Codec, ProtocolErrors) {
  auto e = decode_protocol_error(encode_protocol_error("busy", "too many"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "busy");
  EXPECT_EQ(e->message, "too many");
  EXPECT_FALSE(decode_protocol_error("garbage"));
}

}  // namespace
