#include <fmt/format.h>

#include "db/orphans.hpp"
#include "db/repositories.hpp"
#include "util/fold.hpp"

namespace st::db {

namespace {

// Tracks still without a recording id that were not asked about since a given time.
const char* const kPendingWhere =
    "t.musicbrainz_id IS NULL AND NOT EXISTS (SELECT 1 FROM metadata_lookups m WHERE m.track_id = t.id "
    "AND m.looked_up_at >= ?)";

class SqlMetadataRepository final : public model::MetadataRepository {
 public:
  explicit SqlMetadataRepository(Pool& pool) : pool_(pool) {}

  std::optional<model::EnrichCandidate> candidate(std::string_view track_id) override {
    auto c = pool_.acquire();
    auto rows = c->query(
        "SELECT t.id, t.title, t.file_path, t.duration_secs, t.musicbrainz_id, t.genre, t.year, "
        "ar.id, ar.name, ar.musicbrainz_id, ar.bio, ar.image_url, "
        "al.id, al.title, al.musicbrainz_id, al.genre, al.cover_url, al.year, al.artist_id "
        "FROM tracks t JOIN artists ar ON ar.id = t.artist_id LEFT JOIN albums al ON al.id = t.album_id "
        "WHERE t.id = ?",
        {std::string(track_id)});
    if (rows.empty()) return std::nullopt;
    const auto& r = rows.rows.front();
    model::EnrichCandidate e;
    e.track_id = r.text(0);
    e.title = r.text(1);
    e.file_path = r.text(2);
    e.duration_secs = r.real(3);
    e.musicbrainz_id = r.opt_text(4);
    e.genre = r.opt_text(5);
    e.year = r.opt_int(6);
    e.artist_id = r.text(7);
    e.artist_name = r.text(8);
    e.artist_mbid = r.opt_text(9);
    e.artist_bio = r.opt_text(10);
    e.artist_image = r.opt_text(11);
    e.album_id = r.opt_text(12);
    e.album_title = r.opt_text(13);
    e.album_mbid = r.opt_text(14);
    e.album_genre = r.opt_text(15);
    e.album_cover = r.opt_text(16);
    e.album_year = r.opt_int(17);
    e.album_artist_id = r.opt_text(18);
    return e;
  }

  std::vector<std::string> pending(std::string_view after_id, util::Micros before, std::int64_t limit) override {
    auto c = pool_.acquire();
    auto rows = after_id.empty()
                    ? c->query(fmt::format("SELECT t.id FROM tracks t WHERE {} ORDER BY t.id LIMIT ?", kPendingWhere),
                               {before, limit})
                    : c->query(fmt::format("SELECT t.id FROM tracks t WHERE {} AND t.id > ? ORDER BY t.id LIMIT ?",
                                           kPendingWhere),
                               {before, std::string(after_id), limit});
    std::vector<std::string> out;
    for (const auto& r : rows.rows) out.push_back(r.text(0));
    return out;
  }

  std::int64_t count_pending(util::Micros before) override {
    auto c = pool_.acquire();
    return c->query(fmt::format("SELECT COUNT(*) FROM tracks t WHERE {}", kPendingWhere), {before})
        .rows.at(0)
        .integer(0);
  }

  void record_lookup(std::string_view track_id, std::string_view status, util::Micros at) override {
    auto c = pool_.acquire();
    c->query(
        "INSERT INTO metadata_lookups (track_id, status, looked_up_at) VALUES (?, ?, ?) "
        "ON CONFLICT (track_id) DO UPDATE SET status = excluded.status, looked_up_at = excluded.looked_up_at",
        {std::string(track_id), std::string(status), at});
  }

  void apply_track(std::string_view id, const model::TrackEnrichment& e) override {
    transaction(pool_, [&](Connection& c) {
      c.query(
          "UPDATE tracks SET musicbrainz_id = COALESCE(?, musicbrainz_id), title = COALESCE(?, title), "
          "genre = COALESCE(genre, ?), year = COALESCE(year, ?) WHERE id = ?",
          {opt(e.musicbrainz_id), opt(e.title), opt(e.genre), opt(e.year), std::string(id)});
      if (e.title) refresh_track_words(c, id);
    });
  }

  void apply_artist(std::string_view id, const model::ArtistEnrichment& e) override {
    auto c = pool_.acquire();
    c->query(
        "UPDATE artists SET musicbrainz_id = COALESCE(musicbrainz_id, ?), bio = COALESCE(bio, ?), "
        "image_url = COALESCE(image_url, ?) WHERE id = ?",
        {opt(e.musicbrainz_id), opt(e.bio), opt(e.image_url), std::string(id)});
  }

  void apply_album(std::string_view id, const model::AlbumEnrichment& e) override {
    auto c = pool_.acquire();
    c->query(
        "UPDATE albums SET musicbrainz_id = COALESCE(musicbrainz_id, ?), genre = COALESCE(genre, ?), "
        "year = COALESCE(year, ?) WHERE id = ?",
        {opt(e.musicbrainz_id), opt(e.genre), opt(e.year), std::string(id)});
  }

  void move_track(std::string_view id, const std::optional<std::string>& artist_id,
                  const std::optional<std::string>& album_id) override {
    transaction(pool_, [&](Connection& c) {
      std::string track(id);
      auto left = holders_of(c, track);
      c.query("UPDATE tracks SET artist_id = COALESCE(?, artist_id), album_id = COALESCE(?, album_id) WHERE id = ?",
              {opt(artist_id), opt(album_id), track});
      refresh_track_words(c, id);
      prune_emptied(c, left);  // the artist or album the track left may now be empty
    });
  }

  model::RemoteTrackCounts remote_track_counts() override {
    auto c = pool_.acquire();
    auto r = c->query(
                  "SELECT COUNT(*), COALESCE(SUM(CASE WHEN is_available THEN 1 ELSE 0 END), 0) FROM remote_tracks")
                 .rows.at(0);
    return {r.integer(0), r.integer(1)};
  }

  model::WaveformCounts waveform_counts() override {
    auto c = pool_.acquire();
    auto r = c->query(
                  "SELECT COUNT(*), COALESCE(SUM(CASE WHEN waveform_data IS NOT NULL THEN 1 ELSE 0 END), 0) FROM tracks "
                  "WHERE file_path NOT LIKE 'p2p://%'")
                 .rows.at(0);
    return {r.integer(0), r.integer(1)};
  }

 private:
  // search_text holds the folded title, artist and album title (as the catalogue writes it).
  static void refresh_track_words(Connection& c, std::string_view id) {
    auto rows = c.query(
        "SELECT t.title, ar.name, al.title FROM tracks t JOIN artists ar ON ar.id = t.artist_id "
        "LEFT JOIN albums al ON al.id = t.album_id WHERE t.id = ?",
        {std::string(id)});
    if (rows.empty()) return;
    const auto& r = rows.rows.front();
    c.query("UPDATE tracks SET search_text = ? WHERE id = ?",
            {util::fold_for_search(r.text(0) + " " + r.text(1) + " " + r.opt_text(2).value_or("")), std::string(id)});
  }

  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::MetadataRepository> make_metadata_repository(Pool& pool) {
  return std::make_unique<SqlMetadataRepository>(pool);
}

}  // namespace st::db
