#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "db/repositories.hpp"
#include "db/track_columns.hpp"

namespace st::db {

namespace {

constexpr const char* kPlaylistSelect =
    "SELECT p.id, p.name, p.description, p.user_id, p.is_public, p.is_editorial, p.cover_url, p.created_at, "
    "p.updated_at, (SELECT COUNT(*) FROM playlist_tracks pt WHERE pt.playlist_id = p.id) FROM playlists p";

model::Playlist read_playlist(const Row& r) {
  model::Playlist p;
  p.id = r.text(0);
  p.name = r.text(1);
  p.description = r.opt_text(2);
  p.user_id = r.text(3);
  p.is_public = r.boolean(4);
  p.is_editorial = r.boolean(5);
  p.cover_url = r.opt_text(6);
  p.created_at = r.integer(7);
  p.updated_at = r.integer(8);
  p.track_count = r.integer(9);
  return p;
}

class SqlPlaylistRepository final : public model::PlaylistRepository {
 public:
  explicit SqlPlaylistRepository(Pool& pool) : pool_(pool) {}

  void create(const model::Playlist& p) override {
    auto c = pool_.acquire();
    c->query(
        "INSERT INTO playlists (id, name, description, user_id, is_public, is_editorial, cover_url, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {p.id, p.name, opt(p.description), p.user_id, p.is_public, p.is_editorial, opt(p.cover_url), p.created_at,
         p.updated_at});
  }

  std::optional<model::Playlist> find(std::string_view id) override {
    auto c = pool_.acquire();
    auto rows = c->query(std::string(kPlaylistSelect) + " WHERE p.id = ?", {std::string(id)});
    if (rows.empty()) return std::nullopt;
    return read_playlist(rows.rows.front());
  }

  void update(std::string_view id, const model::PlaylistChanges& ch, util::Micros now) override {
    auto c = pool_.acquire();
    c->query(
        "UPDATE playlists SET name = COALESCE(?, name), description = CASE WHEN ? THEN ? ELSE description END, "
        "is_public = COALESCE(?, is_public), cover_url = CASE WHEN ? THEN ? ELSE cover_url END, updated_at = ? "
        "WHERE id = ?",
        {opt(ch.name), ch.description.has_value(), opt(ch.description),
         ch.is_public ? Value(*ch.is_public) : Value(nullptr), ch.cover_url.has_value(), opt(ch.cover_url), now,
         std::string(id)});
  }

  void remove(std::string_view id) override {
    auto c = pool_.acquire();
    c->query("DELETE FROM playlists WHERE id = ?", {std::string(id)});
  }

  model::Paged<model::Playlist> list_public(model::Page page) override {
    return list("p.is_public = TRUE", {}, page);
  }

  model::Paged<model::Playlist> list_by_user(std::string_view user_id, bool public_only, model::Page page) override {
    return list(public_only ? "p.user_id = ? AND p.is_public = TRUE" : "p.user_id = ?", {std::string(user_id)}, page);
  }

  std::vector<model::Track> tracks(std::string_view playlist_id) override {
    auto c = pool_.acquire();
    std::vector<model::Track> out;
    auto rows = c->query(fmt::format("SELECT {} FROM playlist_tracks pt JOIN tracks t ON t.id = pt.track_id {} "
                                     "WHERE pt.playlist_id = ? ORDER BY pt.position, t.title",
                                     kTrackColumns, kTrackJoins),
                         {std::string(playlist_id)});
    for (const auto& r : rows.rows) out.push_back(read_track(r));
    return out;
  }

  bool add_track(std::string_view playlist_id, std::string_view track_id, std::optional<int> position,
                 util::Micros now) override {
    return transaction(pool_, [&](Connection& c) {
      lock_playlist(c, playlist_id);
      if (!c.query("SELECT 1 FROM playlist_tracks WHERE playlist_id = ? AND track_id = ?",
                   {std::string(playlist_id), std::string(track_id)})
               .empty())
        return false;
      std::int64_t count =
          c.query("SELECT COUNT(*) FROM playlist_tracks WHERE playlist_id = ?", {std::string(playlist_id)})
              .rows.at(0)
              .integer(0);
      std::int64_t pos = position ? std::clamp<std::int64_t>(*position, 0, count) : count;
      // Positions are kept dense (0..n-1): make room, then insert.
      c.query("UPDATE playlist_tracks SET position = position + 1 WHERE playlist_id = ? AND position >= ?",
              {std::string(playlist_id), pos});
      c.query("INSERT INTO playlist_tracks (playlist_id, track_id, position) VALUES (?, ?, ?)",
              {std::string(playlist_id), std::string(track_id), pos});
      c.query("UPDATE playlists SET updated_at = ? WHERE id = ?", {now, std::string(playlist_id)});
      return true;
    });
  }

  void remove_track(std::string_view playlist_id, std::string_view track_id, util::Micros now) override {
    transaction(pool_, [&](Connection& c) {
      lock_playlist(c, playlist_id);
      auto rows = c.query("SELECT position FROM playlist_tracks WHERE playlist_id = ? AND track_id = ?",
                          {std::string(playlist_id), std::string(track_id)});
      if (rows.empty()) return;
      auto pos = rows.rows.front().integer(0);
      c.query("DELETE FROM playlist_tracks WHERE playlist_id = ? AND track_id = ?",
              {std::string(playlist_id), std::string(track_id)});
      c.query("UPDATE playlist_tracks SET position = position - 1 WHERE playlist_id = ? AND position > ?",
              {std::string(playlist_id), pos});
      c.query("UPDATE playlists SET updated_at = ? WHERE id = ?", {now, std::string(playlist_id)});
    });
  }

  bool reorder(std::string_view playlist_id, const std::vector<std::string>& ids, util::Micros now) override {
    return transaction(pool_, [&](Connection& c) {
      lock_playlist(c, playlist_id);
      std::set<std::string> current;
      for (const auto& r :
           c.query("SELECT track_id FROM playlist_tracks WHERE playlist_id = ?", {std::string(playlist_id)}).rows)
        current.insert(r.text(0));
      std::set<std::string> wanted(ids.begin(), ids.end());
      if (wanted != current || wanted.size() != ids.size()) return false;
      for (std::size_t i = 0; i < ids.size(); ++i)
        c.query("UPDATE playlist_tracks SET position = ? WHERE playlist_id = ? AND track_id = ?",
                {static_cast<std::int64_t>(i), std::string(playlist_id), ids[i]});
      c.query("UPDATE playlists SET updated_at = ? WHERE id = ?", {now, std::string(playlist_id)});
      return true;
    });
  }

  std::vector<model::Playlist> list_editorial() override {
    auto c = pool_.acquire();
    std::vector<model::Playlist> out;
    for (const auto& r :
         c->query(std::string(kPlaylistSelect) + " WHERE p.is_editorial = TRUE ORDER BY p.created_at DESC, p.id", {}).rows)
      out.push_back(read_playlist(r));
    return out;
  }

  void replace_editorial(const std::vector<model::EditorialPlaylist>& lists) override {
    transaction(pool_, [&](Connection& c) {
      c.query("DELETE FROM playlist_tracks WHERE playlist_id IN (SELECT id FROM playlists WHERE is_editorial = TRUE)", {});
      c.query("DELETE FROM playlists WHERE is_editorial = TRUE", {});
      for (const auto& e : lists) {
        const auto& p = e.playlist;
        c.query(
            "INSERT INTO playlists (id, name, description, user_id, is_public, is_editorial, cover_url, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, TRUE, ?, ?, ?)",
            {p.id, p.name, opt(p.description), p.user_id, p.is_public, opt(p.cover_url), p.created_at, p.updated_at});
        std::int64_t pos = 0;
        for (const auto& t : e.track_ids) {
          // A track deleted since it was picked is skipped rather than failing the whole generation.
          auto n = c.query("INSERT INTO playlist_tracks (playlist_id, track_id, position) SELECT ?, id, ? FROM tracks "
                           "WHERE id = ?",
                           {p.id, pos, t});
          pos += n.affected;  // positions stay dense
        }
      }
    });
  }

 private:
  // Edits of one playlist run one after the other: each reads the positions, then shifts them, and two
  // interleaved on PostgreSQL (read committed) left duplicate and missing positions. Updating the playlist's
  // row takes its row lock until commit (SQLite has a single writer anyway); later statements of the
  // transaction then see the previous edit.
  static void lock_playlist(Connection& c, std::string_view playlist_id) {
    c.query("UPDATE playlists SET updated_at = updated_at WHERE id = ?", {std::string(playlist_id)});
  }

  model::Paged<model::Playlist> list(const std::string& where, std::vector<Value> params, model::Page page) {
    auto c = pool_.acquire();
    model::Paged<model::Playlist> out;
    out.total = c->query("SELECT COUNT(*) FROM playlists p WHERE " + where, params).rows.at(0).integer(0);
    params.push_back(page.per_page);
    params.push_back(page.offset());
    for (const auto& r :
         c->query(std::string(kPlaylistSelect) + " WHERE " + where + " ORDER BY p.updated_at DESC, p.id LIMIT ? OFFSET ?",
                  params)
             .rows)
      out.items.push_back(read_playlist(r));
    return out;
  }

  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::PlaylistRepository> make_playlist_repository(Pool& pool) {
  return std::make_unique<SqlPlaylistRepository>(pool);
}

}  // namespace st::db
