// JSON encoding and bounded decoding of P2P messages. Decoding never trusts sizes: every string, array
// and the nesting depth are limited, and any surprise becomes an error string, never a crash.
#include <boost/json.hpp>

#include <cmath>

#include "p2p/protocol/messages.hpp"

namespace st::p2p {

namespace json = boost::json;

namespace {

struct Bad {
  std::string why;
};

// Peer text as we store and show it: valid UTF-8 (anything else becomes U+FFFD), line breaks and tabs as
// spaces, no other control characters (NUL, ESC...), no noncharacters U+FFFE/U+FFFF.
std::string clean_text(std::string_view in) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      if (c == '\t' || c == '\n' || c == '\r') out += ' ';
      else if (c >= 0x20 && c != 0x7f) out += static_cast<char>(c);
      ++i;
      continue;
    }
    std::size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? (c <= 0xef ? 3 : 0) : c >= 0xc2 ? 2 : 0;
    char32_t cp = len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    bool ok = len > 0 && i + len <= in.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      auto cc = static_cast<unsigned char>(in[i + k]);
      ok = (cc & 0xc0) == 0x80;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // (overlong forms, surrogates and code points past U+10FFFF are invalid too)
    if (ok) ok = !(len == 3 && cp < 0x800) && !(len == 4 && (cp < 0x10000 || cp > 0x10ffff)) &&
                 !(cp >= 0xd800 && cp <= 0xdfff);
    if (!ok) {
      out += kReplacement;
      ++i;  // (resynchronise on the next byte)
      continue;
    }
    if (cp >= 0x80 && cp <= 0x9f) {  // C1 controls: dropped like C0 ones
    } else if (cp == 0xfffe || cp == 0xffff) {
      out += kReplacement;
    } else {
      out.append(in.substr(i, len));
    }
    i += len;
  }
  return out;
}

// Bounds of the numbers a peer may announce; a value outside them is dropped (metadata) or refuses the
// track (its size).
constexpr std::int64_t kMaxFileSize = std::int64_t{1} << 40;  // 1 TiB
constexpr double kMaxDuration = 7 * 24 * 3600.0;               // a week
std::optional<int> within(std::optional<int> v, int lo, int hi) {
  if (v && (*v < lo || *v > hi)) return std::nullopt;
  return v;
}

struct In {
  const json::object& o;
  const DecodeLimits& lim;
  const char* where;

  const json::value* find(const char* k) const {
    auto it = o.find(k);
    return it == o.end() ? nullptr : &it->value();
  }
  [[noreturn]] void bad(const char* k, const char* what) const {
    throw Bad{std::string(where) + "." + k + ": " + what};
  }
  std::string str(const char* k) const {
    auto* v = find(k);
    if (!v || !v->is_string()) bad(k, "missing or not a string");
    if (v->as_string().size() > lim.max_string) bad(k, "too long");
    return std::string(v->as_string());
  }
  std::optional<std::string> opt_str(const char* k) const {
    auto* v = find(k);
    if (!v || v->is_null()) return std::nullopt;
    return str(k);
  }
  // Text shown to users (titles, names): cleaned, see clean_text().
  std::string text(const char* k) const { return clean_text(str(k)); }
  std::optional<std::string> opt_text(const char* k) const {
    auto s = opt_str(k);
    if (s) *s = clean_text(*s);
    return s;
  }
  // A duration: 0 (unknown) when beyond any track's.
  double duration(const char* k) const {
    double d = num(k);
    if (d < 0) bad(k, "negative");
    return d > kMaxDuration ? 0 : d;
  }
  std::int64_t i64(const char* k, std::int64_t lo, std::int64_t hi) const {
    auto* v = find(k);
    if (!v) bad(k, "missing");
    std::int64_t x = 0;
    if (v->is_int64()) x = v->as_int64();
    else if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) x = static_cast<std::int64_t>(v->as_uint64());
    else bad(k, "not an integer");
    if (x < lo || x > hi) bad(k, "out of range");
    return x;
  }
  std::uint64_t u64(const char* k) const {
    auto* v = find(k);
    if (!v) bad(k, "missing");
    if (v->is_uint64()) return v->as_uint64();
    if (v->is_int64() && v->as_int64() >= 0) return static_cast<std::uint64_t>(v->as_int64());
    bad(k, "not a non-negative integer");
  }
  std::optional<std::uint64_t> opt_u64(const char* k) const {
    auto* v = find(k);
    if (!v || v->is_null()) return std::nullopt;
    return u64(k);
  }
  std::optional<int> opt_int(const char* k) const {
    auto* v = find(k);
    if (!v || v->is_null()) return std::nullopt;
    return static_cast<int>(i64(k, INT32_MIN, INT32_MAX));
  }
  double num(const char* k) const {
    auto* v = find(k);
    if (!v) bad(k, "missing");
    double d = 0;
    if (v->is_double()) d = v->as_double();
    else if (v->is_int64()) d = static_cast<double>(v->as_int64());
    else if (v->is_uint64()) d = static_cast<double>(v->as_uint64());
    else bad(k, "not a number");
    if (!std::isfinite(d)) bad(k, "not finite");
    return d;
  }
  bool boolean(const char* k, bool dflt) const {
    auto* v = find(k);
    if (!v || v->is_null()) return dflt;
    if (!v->is_bool()) bad(k, "not a boolean");
    return v->as_bool();
  }
  const json::array& arr(const char* k, std::size_t max) const {
    auto* v = find(k);
    if (!v || !v->is_array()) bad(k, "missing or not an array");
    if (v->as_array().size() > max) bad(k, "too many items");
    return v->as_array();
  }
};

const json::object& as_object(const json::value& v, const char* where) {
  if (!v.is_object()) throw Bad{std::string(where) + ": not an object"};
  return v.as_object();
}

bool is_hash(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

TrackAnnouncement read_track(const json::value& v, const DecodeLimits& lim) {
  In in{as_object(v, "track"), lim, "track"};
  TrackAnnouncement t;
  t.hash = in.str("hash");
  if (!is_hash(t.hash)) in.bad("hash", "not a BLAKE3 hex hash");
  for (auto& c : t.hash) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Every value is checked and cleaned here, once: what a peer announces is stored and shown as is.
  t.title = in.text("title");
  t.artist_name = in.text("artist_name");
  t.album_artist_name = in.opt_text("album_artist_name");
  t.album_title = in.opt_text("album_title");
  t.duration_secs = in.duration("duration_secs");
  t.format = in.text("format");
  t.file_size = in.i64("file_size", 1, kMaxFileSize);
  t.genre = in.opt_text("genre");
  t.year = within(in.opt_int("year"), 1, 9999);
  t.track_number = within(in.opt_int("track_number"), 0, 99999);
  t.disc_number = within(in.opt_int("disc_number"), 0, 9999);
  t.bitrate = within(in.opt_int("bitrate"), 1, 100000);
  t.sample_rate = within(in.opt_int("sample_rate"), 1, 10000000);
  t.origin_node = in.text("origin_node");
  t.cover_hash = in.opt_str("cover_hash");
  if (t.cover_hash && !is_hash(*t.cover_hash)) t.cover_hash.reset();
  return t;
}

std::vector<TrackAnnouncement> read_tracks(const json::array& a, const DecodeLimits& lim) {
  std::vector<TrackAnnouncement> out;
  out.reserve(a.size());
  for (const auto& v : a) out.push_back(read_track(v, lim));
  return out;
}

std::vector<std::string> read_strings(const json::array& a, const DecodeLimits& lim, const char* where) {
  std::vector<std::string> out;
  for (const auto& v : a) {
    if (!v.is_string() || v.as_string().size() > lim.max_string) throw Bad{std::string(where) + ": bad item"};
    out.emplace_back(v.as_string());
  }
  return out;
}

SearchResultItem read_result(const json::value& v, const DecodeLimits& lim) {
  In in{as_object(v, "result"), lim, "result"};
  SearchResultItem r;
  r.hash = in.str("hash");
  r.title = in.text("title");
  r.artist_name = in.text("artist_name");
  r.album_title = in.opt_text("album_title");
  r.duration_secs = in.duration("duration_secs");
  r.format = in.text("format");
  r.genre = in.opt_text("genre");
  r.year = within(in.opt_int("year"), 1, 9999);
  r.bitrate = within(in.opt_int("bitrate"), 1, 100000);
  r.source_node = in.str("source_node");
  r.musicbrainz_id = in.opt_str("musicbrainz_id");
  r.relevance = in.num("relevance");
  return r;
}

Message read_variant(const std::string& tag, const json::value* body, const DecodeLimits& lim) {
  auto obj = [&](const char* where) -> In {
    if (!body) throw Bad{std::string(where) + ": missing payload"};
    return In{as_object(*body, where), lim, where};
  };
  if (tag == "Ping") {
    Ping p;
    if (body && !body->is_null()) {
      In in = obj("Ping");
      if (auto port = in.opt_int("listen_port")) {
        if (*port < 1 || *port > 65535) in.bad("listen_port", "out of range");
        p.listen_port = static_cast<std::uint16_t>(*port);
      }
    }
    return p;
  }
  if (tag == "Pong") {
    In in = obj("Pong");
    return Pong{in.str("node_id"), in.u64("track_count"), in.opt_str("version"), in.opt_str("observed"),
                in.boolean("rendezvous", false)};
  }
  if (tag == "Signal") {
    In in = obj("Signal");
    Signal s{in.str("to"), in.str("from"), in.str("kind"), in.str("description"), in.str("nonce"),
             in.u64("timestamp"), in.str("signature")};
    if (s.kind != "offer" && s.kind != "answer") in.bad("kind", "neither offer nor answer");
    return s;
  }
  if (tag == "DialBack") {
    In in = obj("DialBack");
    return DialBack{read_strings(in.arr("addresses", 4), lim, "DialBack.addresses")};
  }
  if (tag == "DialBackResult") {
    In in = obj("DialBackResult");
    return DialBackResult{read_strings(in.arr("reached", 4), lim, "DialBackResult.reached")};
  }
  if (tag == "AnnounceTrack") {
    if (!body) throw Bad{"AnnounceTrack: missing payload"};
    return AnnounceTrack{read_track(*body, lim)};
  }
  if (tag == "CatalogSync") {
    if (!body || !body->is_array()) throw Bad{"CatalogSync: not an array"};
    if (body->as_array().size() > lim.max_tracks) throw Bad{"CatalogSync: too many tracks"};
    return CatalogSync{read_tracks(body->as_array(), lim)};
  }
  if (tag == "CatalogDelta") {
    In in = obj("CatalogDelta");
    CatalogDelta d;
    d.since = in.str("since");
    d.tracks = read_tracks(in.arr("tracks", lim.max_tracks), lim);
    if (in.find("removed")) d.removed = read_strings(in.arr("removed", lim.max_tracks), lim, "CatalogDelta.removed");
    for (const auto& h : d.removed)
      if (!is_hash(h)) throw Bad{"CatalogDelta.removed: not a hash"};
    d.cursor = in.opt_u64("cursor").value_or(0);
    d.next_cursor = in.opt_u64("next_cursor").value_or(0);
    d.has_more = in.boolean("has_more", false);
    return d;
  }
  if (tag == "RequestCatalog") {
    RequestCatalog r;
    if (body && !body->is_null()) {
      In in = obj("RequestCatalog");
      r.since_cursor = in.opt_u64("since_cursor").value_or(0);
      auto limit = in.opt_u64("limit").value_or(500);
      if (limit == 0 || limit > lim.max_tracks) in.bad("limit", "out of range");
      r.limit = static_cast<std::uint32_t>(limit);
    }
    return r;
  }
  if (tag == "FetchTrack") {
    In in = obj("FetchTrack");
    FetchTrack f{in.str("hash"), in.opt_u64("offset").value_or(0), in.opt_u64("length")};
    if (!is_hash(f.hash)) in.bad("hash", "not a BLAKE3 hex hash");
    for (auto& c : f.hash) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return f;
  }
  if (tag == "PeerExchange") {
    In in = obj("PeerExchange");
    PeerExchange px{read_strings(in.arr("peers", lim.max_peers), lim, "PeerExchange.peers"), {}};
    if (auto* r = in.find("records"); r && !r->is_null()) {
      for (const auto& v : in.arr("records", lim.max_peers)) {
        In rec{as_object(v, "record"), lim, "record"};
        SignedPeerRecord pr;
        pr.node_id = rec.str("node_id");
        pr.addresses = read_strings(rec.arr("addresses", 8), lim, "record.addresses");
        pr.timestamp = rec.u64("timestamp");
        pr.signature = rec.str("signature");
        px.records.push_back(std::move(pr));
      }
    }
    return px;
  }
  if (tag == "BloomExchange") {
    In in = obj("BloomExchange");
    auto* b = in.find("bloom");
    if (!b) in.bad("bloom", "missing");
    In bl{as_object(*b, "bloom"), lim, "bloom"};
    BloomFilterData d;
    for (const auto& v : bl.arr("bitmap", lim.max_bloom_bytes)) {
      if (!v.is_int64() && !v.is_uint64()) bl.bad("bitmap", "not bytes");
      auto x = v.is_int64() ? v.as_int64() : static_cast<std::int64_t>(std::min<std::uint64_t>(v.as_uint64(), 256));
      if (x < 0 || x > 255) bl.bad("bitmap", "not bytes");
      d.bitmap.push_back(static_cast<std::uint8_t>(x));
    }
    d.num_hashes = static_cast<std::uint32_t>(bl.i64("num_hashes", 1, 64));
    d.bitmap_bits = bl.u64("bitmap_bits");
    if (d.bitmap_bits > d.bitmap.size() * 8) bl.bad("bitmap_bits", "larger than the bitmap");
    for (const auto& k : bl.arr("sip_keys", 2)) {
      if (!k.is_array() || k.as_array().size() != 2) bl.bad("sip_keys", "not a pair");
      auto part = [&](const json::value& x) -> std::uint64_t {
        if (x.is_uint64()) return x.as_uint64();
        if (x.is_int64() && x.as_int64() >= 0) return static_cast<std::uint64_t>(x.as_int64());
        bl.bad("sip_keys", "not an unsigned integer");
      };
      d.sip_keys.emplace_back(part(k.as_array()[0]), part(k.as_array()[1]));
    }
    d.item_count = bl.u64("item_count");
    return BloomExchange{std::move(d)};
  }
  if (tag == "SearchQuery") {
    In in = obj("SearchQuery");
    auto limit = in.i64("limit", 0, 1000);
    return SearchQuery{in.str("request_id"), in.str("query"), static_cast<std::uint32_t>(limit)};
  }
  if (tag == "SearchResults") {
    In in = obj("SearchResults");
    SearchResults r;
    r.request_id = in.str("request_id");
    for (const auto& v : in.arr("results", lim.max_results)) r.results.push_back(read_result(v, lim));
    r.total = in.u64("total");
    return r;
  }
  throw Bad{"unknown message " + tag.substr(0, 64)};
}

json::value opt(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }
json::value opt(const std::optional<int>& s) { return s ? json::value(*s) : json::value(nullptr); }

json::object write_track(const TrackAnnouncement& t) {
  json::object o;
  o["hash"] = t.hash;
  o["title"] = t.title;
  o["artist_name"] = t.artist_name;
  o["album_artist_name"] = opt(t.album_artist_name);
  o["album_title"] = opt(t.album_title);
  o["duration_secs"] = t.duration_secs;
  o["format"] = t.format;
  o["file_size"] = t.file_size;
  o["genre"] = opt(t.genre);
  o["year"] = opt(t.year);
  o["track_number"] = opt(t.track_number);
  o["disc_number"] = opt(t.disc_number);
  o["bitrate"] = opt(t.bitrate);
  o["sample_rate"] = opt(t.sample_rate);
  o["origin_node"] = t.origin_node;
  o["cover_hash"] = opt(t.cover_hash);
  return o;
}

json::array write_tracks(const std::vector<TrackAnnouncement>& ts) {
  json::array a;
  a.reserve(ts.size());
  for (const auto& t : ts) a.push_back(write_track(t));
  return a;
}

json::value tagged(const char* tag, json::value body) {
  json::object o;
  o[tag] = std::move(body);
  return o;
}

struct Writer {
  json::value operator()(const Ping& p) const {
    if (!p.listen_port) return json::value("Ping");
    json::object o;
    o["listen_port"] = *p.listen_port;
    return tagged("Ping", std::move(o));
  }
  json::value operator()(const Pong& p) const {
    json::object o;
    o["node_id"] = p.node_id;
    o["track_count"] = p.track_count;
    o["version"] = opt(p.version);
    if (p.observed) o["observed"] = *p.observed;
    if (p.rendezvous) o["rendezvous"] = true;
    return tagged("Pong", std::move(o));
  }
  json::value operator()(const Signal& s) const {
    json::object o;
    o["to"] = s.to;
    o["from"] = s.from;
    o["kind"] = s.kind;
    o["description"] = s.description;
    o["nonce"] = s.nonce;
    o["timestamp"] = s.timestamp;
    o["signature"] = s.signature;
    return tagged("Signal", std::move(o));
  }
  static json::array strings(const std::vector<std::string>& v) {
    json::array a;
    for (const auto& x : v) a.push_back(json::value(x));
    return a;
  }
  json::value operator()(const DialBack& d) const {
    json::object o;
    o["addresses"] = strings(d.addresses);
    return tagged("DialBack", std::move(o));
  }
  json::value operator()(const DialBackResult& d) const {
    json::object o;
    o["reached"] = strings(d.reached);
    return tagged("DialBackResult", std::move(o));
  }
  json::value operator()(const AnnounceTrack& a) const { return tagged("AnnounceTrack", write_track(a.track)); }
  json::value operator()(const CatalogSync& c) const { return tagged("CatalogSync", write_tracks(c.tracks)); }
  json::value operator()(const CatalogDelta& d) const {
    json::object o;
    o["since"] = d.since;
    o["tracks"] = write_tracks(d.tracks);
    json::array removed;
    for (const auto& h : d.removed) removed.push_back(json::value(h));
    o["removed"] = std::move(removed);
    o["cursor"] = d.cursor;
    o["next_cursor"] = d.next_cursor;
    o["has_more"] = d.has_more;
    return tagged("CatalogDelta", std::move(o));
  }
  json::value operator()(const RequestCatalog& r) const {
    json::object o;
    o["since_cursor"] = r.since_cursor;
    o["limit"] = r.limit;
    return tagged("RequestCatalog", std::move(o));
  }
  json::value operator()(const FetchTrack& f) const {
    json::object o;
    o["hash"] = f.hash;
    o["offset"] = f.offset;
    if (f.length) o["length"] = *f.length;
    return tagged("FetchTrack", std::move(o));
  }
  json::value operator()(const PeerExchange& p) const {
    json::object o;
    json::array a;
    for (const auto& s : p.peers) a.push_back(json::value(s));
    o["peers"] = std::move(a);
    if (!p.records.empty()) {
      json::array recs;
      for (const auto& r : p.records) {
        json::object ro;
        ro["node_id"] = r.node_id;
        json::array addrs;
        for (const auto& x : r.addresses) addrs.push_back(json::value(x));
        ro["addresses"] = std::move(addrs);
        ro["timestamp"] = r.timestamp;
        ro["signature"] = r.signature;
        recs.push_back(std::move(ro));
      }
      o["records"] = std::move(recs);
    }
    return tagged("PeerExchange", std::move(o));
  }
  json::value operator()(const BloomExchange& b) const {
    json::object bl;
    json::array bits;
    bits.reserve(b.bloom.bitmap.size());
    for (auto x : b.bloom.bitmap) bits.push_back(x);
    bl["bitmap"] = std::move(bits);
    bl["num_hashes"] = b.bloom.num_hashes;
    bl["bitmap_bits"] = b.bloom.bitmap_bits;
    json::array keys;
    for (auto [k0, k1] : b.bloom.sip_keys) keys.push_back(json::array{k0, k1});
    bl["sip_keys"] = std::move(keys);
    bl["item_count"] = b.bloom.item_count;
    json::object o;
    o["bloom"] = std::move(bl);
    return tagged("BloomExchange", std::move(o));
  }
  json::value operator()(const SearchQuery& q) const {
    json::object o;
    o["request_id"] = q.request_id;
    o["query"] = q.query;
    o["limit"] = q.limit;
    return tagged("SearchQuery", std::move(o));
  }
  json::value operator()(const SearchResults& r) const {
    json::array a;
    for (const auto& x : r.results) {
      json::object o;
      o["hash"] = x.hash;
      o["title"] = x.title;
      o["artist_name"] = x.artist_name;
      o["album_title"] = opt(x.album_title);
      o["duration_secs"] = x.duration_secs;
      o["format"] = x.format;
      o["genre"] = opt(x.genre);
      o["year"] = opt(x.year);
      o["bitrate"] = opt(x.bitrate);
      o["source_node"] = x.source_node;
      o["musicbrainz_id"] = opt(x.musicbrainz_id);
      o["relevance"] = x.relevance;
      a.push_back(std::move(o));
    }
    json::object o;
    o["request_id"] = r.request_id;
    o["results"] = std::move(a);
    o["total"] = r.total;
    return tagged("SearchResults", std::move(o));
  }
};

}  // namespace

const char* message_name(const Message& m) {
  static const char* names[] = {"Ping",         "Pong",        "AnnounceTrack", "CatalogSync",
                                "CatalogDelta", "RequestCatalog", "FetchTrack", "PeerExchange",
                                "BloomExchange", "SearchQuery", "SearchResults", "Signal",
                                "DialBack", "DialBackResult"};
  return names[m.index()];
}

Decoded decode_message(std::string_view text, const DecodeLimits& lim) {
  Decoded out;
  if (text.size() > lim.max_bytes) {
    out.error = "message too large";
    return out;
  }
  json::parse_options po;
  po.max_depth = 16;
  std::error_code ec;
  json::monotonic_resource mr;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec, &mr, po);
  if (ec) {
    out.error = "malformed JSON: " + ec.message();
    return out;
  }
  try {
    if (v.is_string()) {
      out.message = read_variant(std::string(v.as_string()), nullptr, lim);
    } else if (v.is_object() && v.as_object().size() == 1) {
      const auto& kv = *v.as_object().begin();
      out.message = read_variant(std::string(kv.key()), &kv.value(), lim);
    } else {
      out.error = "a message is a string or an object with one key";
    }
  } catch (const Bad& b) {
    out.error = b.why;
  } catch (const std::exception& e) {  // boost::json accessors, allocation
    out.error = std::string("bad message: ") + e.what();
  }
  return out;
}

std::string encode_message(const Message& m) { return json::serialize(std::visit(Writer{}, m)); }

std::string encode_protocol_error(std::string_view code, std::string_view message) {
  json::object o;
  o["error"] = code;
  o["message"] = message;
  return json::serialize(o);
}

std::optional<ProtocolError> decode_protocol_error(std::string_view text) {
  std::error_code ec;
  auto v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  auto code = o.if_contains("error");
  auto msg = o.if_contains("message");
  if (!code || !code->is_string()) return std::nullopt;
  return ProtocolError{std::string(code->as_string()),
                       msg && msg->is_string() ? std::string(msg->as_string()) : std::string()};
}

}  // namespace st::p2p
