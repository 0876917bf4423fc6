// Health of replicated copies (remote_tracks rows) and the copies of a song, for both engines.
#include <fmt/format.h>

#include "db/hash_lookup.hpp"
#include "db/repositories.hpp"
#include "util/time.hpp"

namespace st::db {

namespace {

constexpr const char* kCopyColumns =
    "r.id, r.local_track_id, r.title, r.artist_name, r.album_title, r.instance_domain, r.content_hash, r.bitrate, "
    "r.sample_rate, r.format, r.health_state, r.failed_attempts, r.admin_dereferenced, r.is_available, "
    "r.last_checked_at, r.last_failure_at, r.created_at";

std::string node_of(const std::string& domain) { return domain.rfind("p2p://", 0) == 0 ? domain.substr(6) : domain; }

model::RemoteCopy read_copy(const Row& r) {
  model::RemoteCopy c;
  c.id = r.text(0);
  c.local_track_id = r.opt_text(1);
  c.title = r.text(2);
  c.artist_name = r.text(3);
  c.album_title = r.opt_text(4);
  c.origin_node = node_of(r.text(5));
  c.hash = r.text(6);
  c.bitrate = r.opt_int(7);
  c.sample_rate = r.opt_int(8);
  c.format = r.opt_text(9);
  c.state.health = model::parse_copy_health(r.text(10)).value_or(model::CopyHealth::healthy);
  c.state.failed_attempts = static_cast<int>(r.integer(11));
  c.state.admin_dereferenced = r.boolean(12);
  c.state.is_available = r.boolean(13);
  c.last_checked_at = r.opt_integer(14);
  c.last_failure_at = r.opt_integer(15);
  c.created_at = r.integer(16);
  return c;
}

class SqlTrackHealthRepository final : public model::TrackHealthRepository {
 public:
  explicit SqlTrackHealthRepository(Pool& pool) : pool_(pool) {}

  std::vector<model::RemoteCopy> list_copies(std::int64_t limit) override {
    return select("ORDER BY r.created_at DESC, r.id LIMIT ?", {limit});
  }

  std::optional<model::RemoteCopy> find_copy(std::string_view id) override {
    auto v = select("WHERE r.id = ?", {std::string(id)});
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  std::vector<model::OriginCount> copies_by_origin() override {
    auto c = pool_.acquire();
    std::vector<model::OriginCount> out;
    for (const auto& r : c->query("SELECT instance_domain, COUNT(*) FROM remote_tracks GROUP BY instance_domain "
                                  "ORDER BY COUNT(*) DESC, instance_domain", {})
                             .rows)
      out.push_back({r.text(0), r.integer(1)});
    return out;
  }

  std::vector<model::RemoteCopy> least_recently_checked(std::int64_t limit) override {
    // NULL (never checked) first on both engines.
    return select("ORDER BY CASE WHEN r.last_checked_at IS NULL THEN 0 ELSE 1 END, r.last_checked_at, r.id LIMIT ?",
                  {limit});
  }

  std::optional<model::RemoteCopy> find_copy_of(std::string_view origin, std::string_view hash) override {
    auto v = select("WHERE " + hash_is("r.content_hash") + " AND r.instance_domain = ?",
                    {std::string(hash), std::string(hash), "p2p://" + std::string(origin)});
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  std::optional<model::CopyState> update_state(std::string_view id, model::CopyState (*transition)(model::CopyState),
                                               bool checked) override {
    for (int attempt = 0; attempt < 8; ++attempt) {
      auto cur = find_copy(id);
      if (!cur) return std::nullopt;
      auto next = transition(cur->state);
      auto now = util::now_micros();
      bool failed = next.failed_attempts > cur->state.failed_attempts;
      auto c = pool_.acquire();
      // Written only if nobody changed the row since we read it (compare-and-set).
      auto res = c->query(
          "UPDATE remote_tracks SET health_state = ?, failed_attempts = ?, admin_dereferenced = ?, is_available = ?, "
          "last_checked_at = CASE WHEN ? THEN ? ELSE last_checked_at END, "
          "last_failure_at = CASE WHEN ? THEN ? ELSE last_failure_at END "
          "WHERE id = ? AND health_state = ? AND failed_attempts = ? AND admin_dereferenced = ? AND is_available = ?",
          {std::string(model::to_string(next.health)), static_cast<std::int64_t>(next.failed_attempts),
           next.admin_dereferenced, next.is_available, checked, now, failed, now, std::string(id),
           std::string(model::to_string(cur->state.health)), static_cast<std::int64_t>(cur->state.failed_attempts),
           cur->state.admin_dereferenced, cur->state.is_available});
      if (res.affected > 0) return next;
    }
    throw std::runtime_error("the copy's health kept changing while it was updated");
  }

  std::vector<model::SongCopy> song_copies(std::string_view track_id) override {
    auto c = pool_.acquire();
    auto t = c->query(
        "SELECT t.title, ar.name, t.duration_secs, t.content_hash FROM tracks t JOIN artists ar ON ar.id = t.artist_id "
        "WHERE t.id = ?",
        {std::string(track_id)});
    if (t.empty()) return {};
    const auto& tr = t.rows.front();
    auto title = tr.text(0), artist = tr.text(1);
    auto duration = tr.real(2);
    auto hash = tr.opt_text(3).value_or("");
    std::vector<model::SongCopy> out;
    // The catalogue entries of the same song (title and artist alike but for case, durations within 3 s),
    // reached through the artist's folded name (index artists_name_lower) and that artist's tracks: a scan
    // of every track's title took about a second per call at a million tracks (issue 15).
    const std::string same_song =
        "SELECT s.id FROM artists sa JOIN tracks s ON s.artist_id = sa.id WHERE lower(sa.name) = lower(?) AND "
        "lower(s.title) = lower(?) AND abs(s.duration_secs - ?) <= 3";
    // Local files: this track when it is local, other local files of the same bytes and of the same song.
    auto local = c->query(
        "SELECT t.id, COALESCE(t.content_hash, ''), t.format, t.bitrate, t.sample_rate, t.created_at FROM tracks t "
        "WHERE t.file_path NOT LIKE 'p2p://%' AND t.id IN (SELECT id FROM tracks WHERE id = ? UNION "
        "SELECT id FROM tracks WHERE " + hash_is("content_hash") + " UNION " + same_song + ")",
        {std::string(track_id), hash, hash, artist, title, duration});
    for (const auto& r : local.rows) {
      model::SongCopy s;
      s.source = "local";
      s.track_id = r.text(0);
      s.hash = r.text(1);
      s.format = r.text(2);
      s.bitrate = r.opt_int(3);
      s.sample_rate = r.opt_int(4);
      s.created_at = r.integer(5);
      out.push_back(std::move(s));
    }
    // Copies on peers: of the same bytes, and of other files of the same song (the catalogue entry a copy
    // belongs to, its replica or our own file, is of the same song).
    auto remote = c->query(
        "SELECT r.instance_domain, r.local_track_id, r.content_hash, COALESCE(r.format, ''), r.bitrate, "
        "r.sample_rate, COALESCE(p.is_online, FALSE), r.is_available, r.failed_attempts, r.created_at "
        "FROM remote_tracks r LEFT JOIN p2p_peers p ON r.instance_domain = 'p2p://' || p.node_id "
        "WHERE r.id IN (SELECT id FROM remote_tracks WHERE " + hash_is("content_hash") + " UNION "
        "SELECT id FROM remote_tracks WHERE local_track_id IN (" + same_song + "))",
        {hash, hash, artist, title, duration});
    for (const auto& r : remote.rows) {
      model::SongCopy s;
      s.source = r.text(0);
      s.track_id = r.opt_text(1).value_or("");
      s.hash = r.text(2);
      s.format = r.text(3);
      s.bitrate = r.opt_int(4);
      s.sample_rate = r.opt_int(5);
      s.online = r.boolean(6);
      s.available = r.boolean(7);
      s.failed_attempts = static_cast<int>(r.integer(8));
      s.created_at = r.integer(9);
      out.push_back(std::move(s));
    }
    return out;
  }

 private:
  std::vector<model::RemoteCopy> select(const std::string& tail, const std::vector<Value>& params) {
    auto c = pool_.acquire();
    std::vector<model::RemoteCopy> out;
    for (const auto& r : c->query(fmt::format("SELECT {} FROM remote_tracks r {}", kCopyColumns, tail), params).rows)
      out.push_back(read_copy(r));
    return out;
  }

  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::TrackHealthRepository> make_track_health_repository(Pool& pool) {
  return std::make_unique<SqlTrackHealthRepository>(pool);
}

}  // namespace st::db
