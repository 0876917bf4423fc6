#include <fmt/format.h>

#include <stdexcept>
#include <unordered_set>
#include <string_view>

#include "db/repositories.hpp"
#include "db/track_columns.hpp"

namespace st::db {

namespace {

// Above this many ids of artists or albums, a user's annotations of that kind are read whole.
constexpr std::size_t kWholeListIds = 500;

// The parts' params one after the other (each part of a UNION ALL takes the same ones).
std::vector<Value> repeated(const std::vector<Value>& params, int times) {
  std::vector<Value> out;
  out.reserve(params.size() * static_cast<std::size_t>(times));
  for (int i = 0; i < times; ++i) out.insert(out.end(), params.begin(), params.end());
  return out;
}

// Rows of (what, item, value, value2), what being kStar, kRating or kPlays, into annotations by item; rows of
// several lists tell theirs by kWhats times the list's index added to what.
enum What : std::int64_t { kStar = 0, kRating = 1, kPlays = 2, kWhats = 3 };
void collect(const Rows& rows, std::vector<std::map<std::string, model::Annotation>>& lists) {
  for (const auto& r : rows.rows) {
    auto code = r.integer(0);
    auto& a = lists.at(static_cast<std::size_t>(code / kWhats))[r.text(1)];
    switch (code % kWhats) {
      case kStar: a.starred_at = r.integer(2); break;
      case kRating: a.rating = static_cast<int>(r.integer(2)); break;
      default:
        a.play_count = r.integer(2);
        a.played_at = r.integer(3);
        break;
    }
  }
}

void collect(const Rows& rows, std::map<std::string, model::Annotation>& out) {
  std::vector<std::map<std::string, model::Annotation>> one(1);
  one[0].swap(out);
  collect(rows, one);
  one[0].swap(out);
}

// The ratings of items of one kind ('track', 'album', 'artist': the enum's names, never a caller's text).
std::string ratings_part(std::string_view kind, const std::string& ids_where, std::int64_t base = 0) {
  return fmt::format("SELECT {}, item_id, rating, 0 FROM ratings WHERE user_id = ? AND item_kind = '{}'{}",
                     base + kRating, kind, ids_where);
}

// The statement for the given items' annotations (`in`: what an IN list holds), its rows' whats counted from
// base, and how many times it takes the user and the ids: stars, ratings and, for songs, the user's plays.
std::pair<std::string, int> ids_part(model::ItemKind kind, const std::string& in, std::int64_t base = 0) {
  auto k = model::to_string(kind);
  auto rated = ratings_part(k, " AND item_id IN (" + in + ")", base);
  if (kind == model::ItemKind::track)
    return {fmt::format("SELECT {0}, track_id, created_at, 0 FROM favorites WHERE user_id = ? AND track_id IN ({3}) "
                        "UNION ALL {2} UNION ALL SELECT {1}, track_id, COUNT(*), MAX(listened_at) FROM listen_history "
                        "WHERE user_id = ? AND track_id IN ({3}) GROUP BY track_id",
                        base + kStar, base + kPlays, rated, in),
            3};
  return {fmt::format("SELECT {}, item_id, created_at, 0 FROM stars WHERE user_id = ? AND item_kind = '{}' AND "
                      "item_id IN ({}) UNION ALL {}",
                      base + kStar, k, in, rated),
          2};
}

// Every star and rating a user gave to items of `kind` (albums or artists), by the keys' prefix: one statement.
std::map<std::string, model::Annotation> whole_kind(Connection& c, std::string_view user, model::ItemKind kind) {
  auto k = model::to_string(kind);
  std::map<std::string, model::Annotation> out;
  collect(c.query(fmt::format("SELECT 0, item_id, created_at, 0 FROM stars WHERE user_id = ? AND item_kind = '{}' "
                              "UNION ALL {}",
                              k, ratings_part(k, "")),
                  {std::string(user), std::string(user)}),
          out);
  return out;
}

class SqlAnnotationRepository final : public model::AnnotationRepository {
 public:
  explicit SqlAnnotationRepository(Pool& pool) : pool_(pool) {}

  void star(std::string_view user, model::ItemKind kind, std::string_view id, util::Micros now) override {
    auto c = pool_.acquire();
    if (kind == model::ItemKind::track)
      c->query("INSERT INTO favorites (user_id, track_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
               {std::string(user), std::string(id), now});
    else
      c->query("INSERT INTO stars (user_id, item_kind, item_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
               {std::string(user), std::string(model::to_string(kind)), std::string(id), now});
  }

  void unstar(std::string_view user, model::ItemKind kind, std::string_view id) override {
    auto c = pool_.acquire();
    if (kind == model::ItemKind::track)
      c->query("DELETE FROM favorites WHERE user_id = ? AND track_id = ?", {std::string(user), std::string(id)});
    else
      c->query("DELETE FROM stars WHERE user_id = ? AND item_kind = ? AND item_id = ?",
               {std::string(user), std::string(model::to_string(kind)), std::string(id)});
  }

  void set_rating(std::string_view user, model::ItemKind kind, std::string_view id, int rating,
                  util::Micros now) override {
    auto c = pool_.acquire();
    std::string k(model::to_string(kind));
    if (rating <= 0)
      c->query("DELETE FROM ratings WHERE user_id = ? AND item_kind = ? AND item_id = ?",
               {std::string(user), k, std::string(id)});
    else
      c->query("INSERT INTO ratings (user_id, item_kind, item_id, rating, updated_at) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (user_id, item_kind, item_id) DO UPDATE SET rating = excluded.rating, "
               "updated_at = excluded.updated_at",
               {std::string(user), k, std::string(id), static_cast<std::int64_t>(rating), now});
  }

  std::map<std::string, model::Annotation> annotations(std::string_view user, model::ItemKind kind,
                                                       const std::vector<std::string>& ids) override {
    std::map<std::string, model::Annotation> out;
    if (ids.empty()) return out;
    auto c = pool_.acquire();
    if (kind != model::ItemKind::track && ids.size() > kWholeListIds) {
      // A long list of albums or artists: the user's stars and ratings of that kind are fewer than the ids,
      // read whole (by their primary keys' prefix) and kept for the ids asked.
      auto all = whole_kind(*c, user, kind);
      if (all.empty()) return out;  // most users: no set of the ids to build
      std::unordered_set<std::string_view> wanted(ids.begin(), ids.end());
      for (auto& [id, a] : all)
        if (wanted.count(id)) out.emplace(id, a);
      return out;
    }
    // One statement a slice (PostgreSQL: one in all).
    for_each_id_set(c->dialect(), ids, [&](const std::string& in, const std::vector<Value>& params) {
      auto [sql, parts] = ids_part(kind, in);
      collect(c->query(sql, repeated(params, parts)), out);
    }, {std::string(user)});
    return out;
  }

  std::vector<std::map<std::string, model::Annotation>> annotations(std::string_view user,
                                                                    const std::vector<model::ItemIds>& lists) override {
    std::vector<std::map<std::string, model::Annotation>> out(lists.size());
    // On PostgreSQL the lists' parts in one UNION ALL, each list's ids as one array; on SQLite (no round trips
    // to save), or when any album or artist list is long enough to be read whole, every list on its own.
    bool together = pool_.dialect() == Dialect::postgres;
    for (const auto& l : lists)
      if (l.kind != model::ItemKind::track && l.ids.size() > kWholeListIds) together = false;
    if (!together) {
      for (std::size_t i = 0; i < lists.size(); ++i) out[i] = annotations(user, lists[i].kind, lists[i].ids);
      return out;
    }
    std::string sql;
    std::vector<Value> params;
    for (std::size_t i = 0; i < lists.size(); ++i) {
      if (lists[i].ids.empty()) continue;
      auto [part, parts] = ids_part(lists[i].kind, "SELECT unnest(CAST(? AS uuid[]))",
                                    static_cast<std::int64_t>(i) * kWhats);
      sql += (sql.empty() ? "" : " UNION ALL ") + part;
      std::vector<Value> one{std::string(user), pg_array(lists[i].ids)};
      auto all = repeated(one, parts);
      params.insert(params.end(), all.begin(), all.end());
    }
    if (sql.empty()) return out;
    auto c = pool_.acquire();
    collect(c->query(sql, params), out);
    return out;
  }

  std::map<std::string, model::Annotation> all_annotations(std::string_view user, model::ItemKind kind) override {
    if (kind == model::ItemKind::track) throw std::invalid_argument("all_annotations: not for tracks");
    auto c = pool_.acquire();
    return whole_kind(*c, user, kind);
  }

  std::vector<model::Album> starred_albums(std::string_view user) override {
    auto c = pool_.acquire();
    std::vector<model::Album> out;
    for (const auto& r : c->query(fmt::format("SELECT {} FROM stars s JOIN albums al ON al.id = s.item_id {} "
                                              "WHERE s.user_id = ? AND s.item_kind = 'album' ORDER BY s.created_at DESC, al.id",
                                              kAlbumColumns, kAlbumJoins),
                                  {std::string(user)})
                             .rows)
      out.push_back(read_album(r));
    return out;
  }

  std::vector<model::Artist> starred_artists(std::string_view user) override {
    auto c = pool_.acquire();
    std::vector<model::Artist> out;
    for (const auto& r : c->query(std::string("SELECT ") + kArtistColumns + " "
                                  "FROM stars s JOIN artists ar ON ar.id = s.item_id WHERE s.user_id = ? AND "
                                  "s.item_kind = 'artist' ORDER BY s.created_at DESC, ar.id",
                                  {std::string(user)})
                             .rows)
      out.push_back(read_artist(r));
    return out;
  }

  std::vector<model::Track> starred_tracks(std::string_view user) override {
    auto c = pool_.acquire();
    std::vector<model::Track> out;
    for (const auto& r : c->query(fmt::format("SELECT {} FROM favorites f JOIN tracks t ON t.id = f.track_id {} "
                                              "WHERE f.user_id = ? ORDER BY f.created_at DESC, t.id",
                                              kTrackColumns, kTrackJoins),
                                  {std::string(user)})
                             .rows)
      out.push_back(read_track(r));
    return out;
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::AnnotationRepository> make_annotation_repository(Pool& pool) {
  return std::make_unique<SqlAnnotationRepository>(pool);
}

}  // namespace st::db
