#include <map>
#include <set>

#include "db/hash_lookup.hpp"
#include "db/repositories.hpp"

namespace st::db {

namespace {

const char* const kDeviceSelect =
    "SELECT d.id, d.user_id, d.node_id, d.remote_username, d.name, d.created_at, d.last_synced_at, d.last_error, "
    "u.username FROM devices d JOIN users u ON u.id = d.user_id";

model::Device read_device(const Row& r) {
  model::Device d;
  d.id = r.text(0);
  d.user_id = r.text(1);
  d.node_id = r.text(2);
  d.remote_username = r.text(3);
  d.name = r.opt_text(4);
  d.created_at = r.integer(5);
  d.last_synced_at = r.opt_integer(6);
  d.last_error = r.opt_text(7);
  d.username = r.text(8);
  return d;
}

// The track that stands for a hash here: a local file before a replica, the oldest first.
std::optional<std::string> track_for(Connection& c, const std::string& hash) {
  auto rows = c.query(
      "SELECT id FROM tracks WHERE " + hash_is("content_hash") +
          " ORDER BY CASE WHEN file_path LIKE 'p2p://%' THEN 1 ELSE 0 END, created_at LIMIT 1",
      {hash, hash});
  if (rows.empty()) return std::nullopt;
  return rows.rows.front().text(0);
}

class SqlDeviceRepository final : public model::DeviceRepository {
 public:
  explicit SqlDeviceRepository(Pool& pool) : pool_(pool) {}

  std::vector<model::Device> list(std::string_view user_id) override {
    auto c = pool_.acquire();
    std::vector<model::Device> out;
    for (const auto& r :
         c->query(std::string(kDeviceSelect) + " WHERE d.user_id = ? ORDER BY d.created_at", {std::string(user_id)}).rows)
      out.push_back(read_device(r));
    return out;
  }

  std::vector<model::Device> all() override {
    auto c = pool_.acquire();
    std::vector<model::Device> out;
    for (const auto& r : c->query(std::string(kDeviceSelect) + " ORDER BY d.created_at").rows)
      out.push_back(read_device(r));
    return out;
  }

  bool add(const model::Device& d) override {
    auto c = pool_.acquire();
    return c->query(
                "INSERT INTO devices (id, user_id, node_id, remote_username, name, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (user_id, node_id) DO NOTHING",
                {d.id, d.user_id, d.node_id, d.remote_username, opt(d.name), d.created_at})
               .affected > 0;
  }

  bool remove(std::string_view user_id, std::string_view id) override {
    auto c = pool_.acquire();
    return c->query("DELETE FROM devices WHERE id = ? AND user_id = ?", {std::string(id), std::string(user_id)})
               .affected > 0;
  }

  std::optional<model::Device> find(std::string_view node_id, std::string_view local_username,
                                    std::string_view remote_username) override {
    auto c = pool_.acquire();
    auto rows = c->query(std::string(kDeviceSelect) +
                             " WHERE d.node_id = ? AND lower(u.username) = lower(?) AND d.remote_username = ?",
                         {std::string(node_id), std::string(local_username), std::string(remote_username)});
    if (rows.empty()) return std::nullopt;
    return read_device(rows.rows.front());
  }

  void synced(std::string_view id, util::Micros at, const std::optional<std::string>& error) override {
    auto c = pool_.acquire();
    if (error) c->query("UPDATE devices SET last_error = ? WHERE id = ?", {*error, std::string(id)});
    else c->query("UPDATE devices SET last_synced_at = ?, last_error = NULL WHERE id = ?", {at, std::string(id)});
  }

  model::DeviceState state(std::string_view user_id) override {
    auto c = pool_.acquire();
    std::string u(user_id);
    model::DeviceState s;
    for (const auto& r : c->query("SELECT t.content_hash, f.created_at FROM favorites f JOIN tracks t ON t.id = f.track_id "
                                  "WHERE f.user_id = ? AND t.content_hash IS NOT NULL ORDER BY f.created_at",
                                  {u})
                             .rows)
      s.favorites.push_back({r.text(0), r.integer(1)});
    for (const auto& r : c->query("SELECT content_hash, removed_at FROM favorite_tombstones WHERE user_id = ? "
                                  "ORDER BY removed_at DESC LIMIT 5000",
                                  {u})
                             .rows)
      s.removed_favorites.push_back({r.text(0), r.integer(1)});
    std::map<std::string, std::size_t> index;
    for (const auto& r : c->query("SELECT id, name, description, is_public, updated_at FROM playlists "
                                  "WHERE user_id = ? AND NOT is_editorial ORDER BY created_at, id",
                                  {u})
                             .rows) {
      index[r.text(0)] = s.playlists.size();
      s.playlists.push_back({r.text(0), r.text(1), r.opt_text(2), r.boolean(3), r.integer(4), {}});
    }
    for (const auto& r : c->query("SELECT pt.playlist_id, t.content_hash FROM playlist_tracks pt "
                                  "JOIN playlists p ON p.id = pt.playlist_id JOIN tracks t ON t.id = pt.track_id "
                                  "WHERE p.user_id = ? AND t.content_hash IS NOT NULL ORDER BY pt.playlist_id, pt.position",
                                  {u})
                             .rows) {
      auto it = index.find(r.text(0));
      if (it != index.end()) s.playlists[it->second].hashes.push_back(r.text(1));
    }
    for (const auto& r : c->query("SELECT playlist_id, deleted_at FROM playlist_tombstones WHERE user_id = ? "
                                  "ORDER BY deleted_at DESC LIMIT 5000",
                                  {u})
                             .rows)
      s.deleted_playlists.push_back({r.text(0), r.integer(1)});
    return s;
  }

  model::DeviceSyncCounts merge(std::string_view user_id, const model::DeviceState& in, util::Micros now) override {
    return transaction(pool_, [&](Connection& c) {
      std::string u(user_id);
      model::DeviceSyncCounts n;
      std::map<std::string, util::Micros> favorites, removed;
      for (const auto& r : c.query("SELECT t.content_hash, f.created_at FROM favorites f JOIN tracks t ON t.id = f.track_id "
                                   "WHERE f.user_id = ? AND t.content_hash IS NOT NULL",
                                   {u})
                               .rows)
        favorites[r.text(0)] = r.integer(1);
      for (const auto& r :
           c.query("SELECT content_hash, removed_at FROM favorite_tombstones WHERE user_id = ?", {u}).rows)
        removed[r.text(0)] = r.integer(1);
      for (const auto& f : in.favorites) {
        if (favorites.count(f.hash)) continue;
        if (auto gone = removed.find(f.hash); gone != removed.end() && gone->second >= f.at) continue;
        auto track = track_for(c, f.hash);
        if (!track) {
          ++n.tracks_missing;
          continue;
        }
        c.query("INSERT INTO favorites (user_id, track_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                {u, *track, f.at});
        favorites[f.hash] = f.at;
        ++n.favorites_added;
      }
      for (const auto& f : in.removed_favorites) {
        auto have = favorites.find(f.hash);
        if (have == favorites.end() || have->second >= f.at) continue;
        c.query("DELETE FROM favorites WHERE user_id = ? AND track_id IN (SELECT id FROM tracks WHERE " +
                    hash_is("content_hash") + ")",
                {u, f.hash, f.hash});
        favorites.erase(have);
        ++n.favorites_removed;
      }

      std::map<std::string, util::Micros> deleted;
      for (const auto& r :
           c.query("SELECT playlist_id, deleted_at FROM playlist_tombstones WHERE user_id = ?", {u}).rows)
        deleted[r.text(0)] = r.integer(1);
      for (const auto& p : in.playlists) {
        if (auto gone = deleted.find(p.id); gone != deleted.end() && gone->second >= p.updated_at) continue;
        auto rows = c.query("SELECT user_id, updated_at FROM playlists WHERE id = ?", {p.id});
        bool exists = !rows.empty();
        if (exists && (rows.rows.front().text(0) != u || rows.rows.front().integer(1) >= p.updated_at)) continue;
        if (exists) {
          c.query("UPDATE playlists SET name = ?, description = ?, is_public = ?, updated_at = ? WHERE id = ?",
                  {p.name, opt(p.description), p.is_public, p.updated_at, p.id});
          c.query("DELETE FROM playlist_tracks WHERE playlist_id = ?", {p.id});
          ++n.playlists_updated;
        } else {
          c.query("INSERT INTO playlists (id, name, description, user_id, is_public, is_editorial, cover_url, "
                  "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)",
                  {p.id, p.name, opt(p.description), u, p.is_public, false, now, p.updated_at});
          ++n.playlists_created;
        }
        std::set<std::string> added;
        std::int64_t position = 0;
        for (const auto& h : p.hashes) {
          auto track = track_for(c, h);
          if (!track) {
            ++n.tracks_missing;
            continue;
          }
          if (!added.insert(*track).second) continue;
          c.query("INSERT INTO playlist_tracks (playlist_id, track_id, position) VALUES (?, ?, ?)",
                  {p.id, *track, position++});
        }
      }
      for (const auto& d : in.deleted_playlists) {
        auto rows = c.query("SELECT user_id, updated_at FROM playlists WHERE id = ?", {d.id});
        if (rows.empty() || rows.rows.front().text(0) != u || rows.rows.front().integer(1) >= d.at) continue;
        c.query("DELETE FROM playlists WHERE id = ?", {d.id});
        ++n.playlists_deleted;
      }
      return n;
    });
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::DeviceRepository> make_device_repository(Pool& pool) {
  return std::make_unique<SqlDeviceRepository>(pool);
}

}  // namespace st::db
