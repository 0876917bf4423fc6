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
