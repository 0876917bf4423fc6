#include "p2p/device_sync.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "p2p/protocol/messages.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::p2p {

namespace {

namespace json = boost::json;

constexpr std::size_t kMaxItems = 50000;       // favorites, removals, playlists, deletions
constexpr std::size_t kMaxPlaylistTracks = 20000;
constexpr std::size_t kMaxText = 4096;

[[noreturn]] void bad(const std::string& why) { throw std::invalid_argument("DeviceSync: " + why); }

const json::value& at(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (!v) bad(std::string(key) + " is missing");
  return *v;
}

std::string text(const json::object& o, const char* key, bool optional_null = false) {
  const auto& v = at(o, key);
  if (optional_null && v.is_null()) return {};
  if (!v.is_string()) bad(std::string(key) + " is not a string");
  if (v.as_string().size() > kMaxText) bad(std::string(key) + " is too long");
  return std::string(v.as_string());
}

util::Micros micros(const json::object& o, const char* key) {
  const auto& v = at(o, key);
  if (v.is_int64() && v.as_int64() >= 0) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<util::Micros>(v.as_uint64());
  bad(std::string(key) + " is not a time in microseconds");
}

const json::array& list(const json::object& o, const char* key, std::size_t max) {
  const auto& v = at(o, key);
  if (!v.is_array()) bad(std::string(key) + " is not an array");
  if (v.as_array().size() > max) bad(std::string(key) + " has too many items");
  return v.as_array();
}

const json::object& object(const json::value& v, const char* what) {
  if (!v.is_object()) bad(std::string(what) + " is not an object");
  return v.as_object();
}

std::string hash(const json::value& v) {
  if (!v.is_string()) bad("a hash is not a string");
  std::string h(v.as_string());
  if (h.size() != 64) bad("a hash is not 64 hex characters");
  for (char& c : h) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) bad("a hash is not 64 hex characters");
  }
  return h;
}

std::vector<model::SyncFavorite> favorites(const json::object& o, const char* key) {
  std::vector<model::SyncFavorite> out;
  for (const auto& v : list(o, key, kMaxItems)) {
    const auto& f = object(v, key);
    out.push_back({hash(at(f, "hash")), micros(f, "at")});
  }
  return out;
}

std::string playlist_id(const json::object& o) {
  auto id = util::normalize_uuid(text(o, "id"));
  if (!id) bad("a playlist id is not a UUID");
  return *id;
}

json::array write_favorites(const std::vector<model::SyncFavorite>& fs) {
  json::array a;
  for (const auto& f : fs) {
    json::object o;
    o["hash"] = f.hash;
    o["at"] = f.at;
    a.push_back(std::move(o));
  }
  return a;
}

std::string error_message(const Reply& r) {
  auto e = decode_protocol_error(r.payload);
  return e ? e->code + ": " + e->message : std::string("an error");
}

}  // namespace

bool is_device_sync(std::string_view p) {
  std::size_t i = 0;
  auto skip = [&] {
    while (i < p.size() && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) ++i;
  };
  skip();
  if (i >= p.size() || p[i] != '{') return false;
  ++i;
  skip();
  static constexpr std::string_view kKey = "\"DeviceSync\"";
  return p.substr(i, kKey.size()) == kKey;
}

std::string encode_device_sync(const DeviceSyncMessage& m) {
  json::object b;
  b["from_user"] = m.from_user;
  b["to_user"] = m.to_user;
  b["favorites"] = write_favorites(m.state.favorites);
  b["removed_favorites"] = write_favorites(m.state.removed_favorites);
  json::array playlists;
  for (const auto& p : m.state.playlists) {
    json::object o;
    o["id"] = p.id;
    o["name"] = p.name;
    o["description"] = p.description ? json::value(*p.description) : json::value(nullptr);
    o["is_public"] = p.is_public;
    o["updated_at"] = p.updated_at;
    json::array tracks;
    for (const auto& h : p.hashes) tracks.push_back(json::value(h));
    o["tracks"] = std::move(tracks);
    playlists.push_back(std::move(o));
  }
  b["playlists"] = std::move(playlists);
  json::array deleted;
  for (const auto& d : m.state.deleted_playlists) {
    json::object o;
    o["id"] = d.id;
    o["at"] = d.at;
    deleted.push_back(std::move(o));
  }
  b["deleted_playlists"] = std::move(deleted);
  json::object top;
  top["DeviceSync"] = std::move(b);
  return json::serialize(top);
}

DeviceSyncMessage decode_device_sync(std::string_view payload, std::size_t max_bytes) {
  if (payload.size() > max_bytes) bad("too large");
  json::parse_options opt;
  opt.max_depth = 16;
  boost::system::error_code ec;
  auto v = json::parse(payload, ec, {}, opt);
  if (ec) bad("not JSON: " + ec.message());
  const auto& top = object(v, "message");
  const auto& b = object(at(top, "DeviceSync"), "DeviceSync");
  DeviceSyncMessage m;
  m.from_user = text(b, "from_user");
  m.to_user = text(b, "to_user");
  if (m.from_user.empty() || m.to_user.empty()) bad("a user name is empty");
  m.state.favorites = favorites(b, "favorites");
  m.state.removed_favorites = favorites(b, "removed_favorites");
  for (const auto& pv : list(b, "playlists", kMaxItems)) {
    const auto& o = object(pv, "playlist");
    model::SyncPlaylist p;
    p.id = playlist_id(o);
    p.name = text(o, "name");
    if (p.name.empty()) bad("a playlist has no name");
    auto description = text(o, "description", true);
    if (!description.empty()) p.description = description;
    const auto& pub = at(o, "is_public");
    if (!pub.is_bool()) bad("is_public is not a boolean");
    p.is_public = pub.as_bool();
    p.updated_at = micros(o, "updated_at");
    for (const auto& h : list(o, "tracks", kMaxPlaylistTracks)) p.hashes.push_back(hash(h));
    m.state.playlists.push_back(std::move(p));
  }
  for (const auto& dv : list(b, "deleted_playlists", kMaxItems)) {
    const auto& o = object(dv, "deleted playlist");
    m.state.deleted_playlists.push_back({playlist_id(o), micros(o, "at")});
  }
  return m;
}

std::string DeviceSyncer::answer(const std::string& from_node, std::string_view payload) {
  DeviceSyncMessage in;
  try {
    in = decode_device_sync(payload, max_frame_);
  } catch (const std::invalid_argument& e) {
    throw DeviceSyncRefused("bad_message", e.what());
  }
  auto device = repo_.find(from_node, in.to_user, in.from_user);
  if (!device) throw DeviceSyncRefused("forbidden", "no such device registered here");
  auto now = util::now_micros();
  auto counts = repo_.merge(device->user_id, in.state, now);
  repo_.synced(device->id, now, std::nullopt);
  spdlog::info("p2p: device sync from {} for {}: +{} -{} favorites, {} new, {} updated, {} deleted playlists",
               from_node.substr(0, 8), device->username, counts.favorites_added, counts.favorites_removed,
               counts.playlists_created, counts.playlists_updated, counts.playlists_deleted);
  return encode_device_sync({device->username, device->remote_username, repo_.state(device->user_id)});
}

std::vector<library::DeviceSyncResult> DeviceSyncer::sync(const Call& call, std::string_view user_id) {
  std::vector<library::DeviceSyncResult> out;
  for (const auto& d : repo_.all()) {
    if (!user_id.empty() && d.user_id != user_id) continue;
    library::DeviceSyncResult r;
    r.device_id = d.id;
    r.node_id = d.node_id;
    try {
      auto reply = call(d.node_id, encode_device_sync({d.username, d.remote_username, repo_.state(d.user_id)}));
      if (reply.kind == ReplyKind::error) throw std::runtime_error("the device answered " + error_message(reply));
      if (reply.kind != ReplyKind::json) throw std::runtime_error("the device sent binary data");
      auto back = decode_device_sync(reply.payload, max_frame_);
      if (back.from_user != d.remote_username || back.to_user != d.username)
        throw std::runtime_error("the device answered for another user");
      auto now = util::now_micros();
      r.received = repo_.merge(d.user_id, back.state, now);
      repo_.synced(d.id, now, std::nullopt);
      r.ok = true;
    } catch (const std::exception& e) {
      r.error = e.what();
      try {
        repo_.synced(d.id, util::now_micros(), r.error);
      } catch (const std::exception&) {
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace st::p2p
