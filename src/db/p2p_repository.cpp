// Peers, the change log peers pull from, replicated tracks and blocked peers, for both engines.
#include <fmt/format.h>
#include <map>
#include <set>

#include "db/hash_lookup.hpp"
#include "db/multi_row_insert.hpp"
#include "db/repositories.hpp"
#include "db/track_columns.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::db {

namespace {

constexpr const char* kPeerColumns =
    "node_id, name, version, track_count, is_online, last_seen_at, created_at, address, sync_cursor, failures, strikes";

model::PeerRecord read_peer(const Row& r) {
  model::PeerRecord p;
  p.node_id = r.text(0);
  p.name = r.opt_text(1);
  p.version = r.opt_text(2);
  p.track_count = r.integer(3);
  p.is_online = r.boolean(4);
  p.last_seen_at = r.integer(5);
  p.created_at = r.integer(6);
  p.address = r.opt_text(7);
  p.sync_cursor = r.integer(8);
  p.failures = static_cast<int>(r.integer(9));
  p.strikes = static_cast<int>(r.integer(10));
  return p;
}

constexpr const char* kLocal = "t.content_hash IS NOT NULL AND t.file_path NOT LIKE 'p2p://%'";

class SqlP2pRepository final : public model::P2pRepository {
 public:
  explicit SqlP2pRepository(Pool& pool) : pool_(pool) {}

  std::vector<model::PeerRecord> list_peers() override {
    auto c = pool_.acquire();
    std::vector<model::PeerRecord> out;
    for (const auto& r : c->query(fmt::format("SELECT {} FROM p2p_peers ORDER BY created_at, node_id", kPeerColumns)).rows)
      out.push_back(read_peer(r));
    return out;
  }

  std::optional<model::PeerRecord> find_peer(std::string_view node) override {
    auto c = pool_.acquire();
    auto rows = c->query(fmt::format("SELECT {} FROM p2p_peers WHERE node_id = ?", kPeerColumns), {std::string(node)});
    if (rows.empty()) return std::nullopt;
    return read_peer(rows.rows.front());
  }

  void peer_seen(std::string_view node, std::optional<std::string> version, std::int64_t track_count,
                 std::optional<std::string> address) override {
    auto now = util::now_micros();
    auto c = pool_.acquire();
    c->query(
        "INSERT INTO p2p_peers (node_id, version, track_count, is_online, last_seen_at, created_at, address) "
        "VALUES (?, ?, ?, TRUE, ?, ?, ?) ON CONFLICT (node_id) DO UPDATE SET "
        "version = COALESCE(excluded.version, p2p_peers.version), "
        "track_count = CASE WHEN ? THEN excluded.track_count ELSE p2p_peers.track_count END, "
        "is_online = TRUE, last_seen_at = excluded.last_seen_at, failures = 0, "
        "address = COALESCE(excluded.address, p2p_peers.address)",
        {std::string(node), opt(version), std::max<std::int64_t>(track_count, 0), now, now, opt(address),
         track_count >= 0});
  }

  void add_peer(std::string_view node, std::string_view address) override {
    auto now = util::now_micros();
    auto c = pool_.acquire();
    c->query(
        "INSERT INTO p2p_peers (node_id, track_count, is_online, last_seen_at, created_at, address) "
        "VALUES (?, 0, FALSE, ?, ?, NULLIF(?, '')) ON CONFLICT (node_id) DO UPDATE SET "
        "address = COALESCE(excluded.address, p2p_peers.address)",
        {std::string(node), now, now, std::string(address)});
  }

  void peer_failed(std::string_view node) override {
    auto c = pool_.acquire();
    c->query("UPDATE p2p_peers SET is_online = FALSE, failures = failures + 1 WHERE node_id = ?", {std::string(node)});
  }

  bool remove_peer(std::string_view node) override {
    auto c = pool_.acquire();
    return c->query("DELETE FROM p2p_peers WHERE node_id = ?", {std::string(node)}).affected > 0;
  }

  void set_sync_cursor(std::string_view node, std::int64_t cursor) override {
    auto c = pool_.acquire();
    c->query("UPDATE p2p_peers SET sync_cursor = ? WHERE node_id = ?", {cursor, std::string(node)});
  }

  int strike_peer(std::string_view node) override {
    auto c = pool_.acquire();
    c->query("UPDATE p2p_peers SET strikes = strikes + 1 WHERE node_id = ?", {std::string(node)});
    auto rows = c->query("SELECT strikes FROM p2p_peers WHERE node_id = ?", {std::string(node)});
    return rows.empty() ? 0 : static_cast<int>(rows.rows.front().integer(0));
  }

  void mark_all_offline() override {
    auto c = pool_.acquire();
    c->query("UPDATE p2p_peers SET is_online = FALSE");
  }

  bool is_blocked(std::string_view node) override {
    auto c = pool_.acquire();
    return !c->query("SELECT 1 FROM blocked_domains WHERE domain = ?", {std::string(node)}).empty();
  }

  void block(std::string_view node, std::string_view reason) override {
    auto c = pool_.acquire();
    c->query("INSERT INTO blocked_domains (id, domain, reason, created_at) VALUES (?, ?, ?, ?) "
             "ON CONFLICT (domain) DO NOTHING",
             {util::new_uuid(), std::string(node), std::string(reason), util::now_micros()});
    c->query("UPDATE p2p_peers SET is_online = FALSE WHERE node_id = ?", {std::string(node)});
  }

  model::CatalogChangePage changes_since(std::int64_t cursor, std::int64_t limit) override {
    model::CatalogChangePage page;
    auto c = pool_.acquire();
    // One query per page: each log entry with the track it names, when that track still has the logged
    // bytes and is local (else the entry is a removal).
    auto log = c->query(std::string("SELECT l.seq, l.track_id, l.content_hash, aa.name, ") + kTrackColumns +
                            " FROM p2p_catalog_log l LEFT JOIN tracks t ON t.id = l.track_id AND "
                            "t.content_hash = l.content_hash AND t.file_path NOT LIKE 'p2p://%' "
                            "LEFT JOIN artists ar ON ar.id = t.artist_id LEFT JOIN albums al ON al.id = t.album_id "
                            "LEFT JOIN artists aa ON aa.id = al.artist_id WHERE l.seq > ? ORDER BY l.seq LIMIT ?",
                        {cursor, limit + 1});
    page.has_more = static_cast<std::int64_t>(log.rows.size()) > limit;
    if (page.has_more) log.rows.pop_back();
    page.next_cursor = log.rows.empty() ? cursor : log.rows.back().integer(0);
    // The latest entry of each (track, hash) in this page decides; an earlier one is superseded.
    std::map<std::string, std::size_t> last_of_track;
    for (std::size_t i = 0; i < log.rows.size(); ++i) last_of_track[log.rows[i].text(1) + "|" + log.rows[i].text(2)] = i;
    std::set<std::string> offered;
    for (std::size_t i = 0; i < log.rows.size(); ++i) {
      const auto& r = log.rows[i];
      auto track_id = r.text(1), hash = r.text(2);
      if (last_of_track[track_id + "|" + hash] != i) continue;
      model::CatalogChange ch;
      ch.seq = r.integer(0);
      if (!r.is_null(4)) {
        if (!offered.insert(hash).second) continue;
        ch.track = read_track(r, 4);
        ch.album_artist_name = r.opt_text(3);
      } else {
        // Gone or changed, unless another local file still has the same bytes.
        auto still = c->query("SELECT 1 FROM tracks t WHERE " + hash_is("t.content_hash") + " AND " + kLocal, {hash, hash});
        if (!still.empty()) continue;
        ch.removed_hash = hash;
      }
      page.changes.push_back(std::move(ch));
    }
    return page;
  }

  std::map<std::string, model::KnownHash> tracks_with_hashes(const std::vector<std::string>& hashes) override {
    std::map<std::string, model::KnownHash> out;
    auto c = pool_.acquire();
    for_tracks_holding(*c, hashes, [&](const std::string& hash, const std::string& id, const std::string& path) {
      out.emplace(hash, model::KnownHash{id, path.rfind("p2p://", 0) == 0});  // the oldest wins
    });
    return out;
  }

  std::int64_t latest_change() override {
    auto c = pool_.acquire();
    auto rows = c->query("SELECT MAX(seq) FROM p2p_catalog_log");
    return rows.rows.front().opt_integer(0).value_or(0);
  }

  void for_each_offered_name(
      const std::function<void(const std::string&, const std::string&, const std::string&)>& f) override {
    std::optional<std::string> after;
    for (;;) {
      auto c = pool_.acquire();  // (given back between pages)
      auto rows = c->query(std::string("SELECT t.id, t.title, ar.name, al.title FROM tracks t JOIN artists ar ON "
                                       "ar.id = t.artist_id LEFT JOIN albums al ON al.id = t.album_id WHERE ") +
                               kLocal + (after ? " AND t.id > ?" : "") + " ORDER BY t.id LIMIT 5000",
                           after ? std::vector<Value>{*after} : std::vector<Value>{});
      for (const auto& r : rows.rows) f(r.text(1), r.text(2), r.opt_text(3).value_or(""));
      if (rows.rows.size() < 5000) return;
      after = rows.rows.back().text(0);
    }
  }

  std::int64_t local_track_count() override {
    auto c = pool_.acquire();
    return c->query(std::string("SELECT COUNT(*) FROM tracks t WHERE ") + kLocal).rows.front().integer(0);
  }

  std::optional<model::LocalBlob> local_blob(std::string_view hash) override {
    auto c = pool_.acquire();
    auto rows = c->query("SELECT t.file_path, t.file_size FROM tracks t WHERE " + hash_is("t.content_hash") + " AND " +
                             kLocal + " ORDER BY t.created_at LIMIT 1",
                         {std::string(hash), std::string(hash)});
    if (rows.empty()) return std::nullopt;
    return model::LocalBlob{rows.rows.front().text(0), rows.rows.front().integer(1)};
  }

  bool writes_in_parallel() override { return pool_.dialect() == Dialect::postgres; }

  void upsert_remote_track(const model::RemoteTrackRecord& r) override { upsert_remote_tracks({r}); }

  // One row per peer and hash, without a unique index (migration 0030): each page's copies are looked up by
  // their hashes inside the write transaction, which no other writer of remote_tracks shares (SQLite has one
  // writer; PostgreSQL locks the table), then updated or inserted (new ones many rows a statement).
  void upsert_remote_tracks(const std::vector<model::RemoteTrackRecord>& records) override {
    if (records.empty()) return;
    transaction(pool_, [&](Connection& c) {
      BulkWrite bulk(c, records.size());
      c.lock_table("remote_tracks");
      auto now = util::now_micros();
      std::vector<std::string> hashes;
      hashes.reserve(records.size());
      for (const auto& r : records) hashes.push_back(r.hash);
      std::map<std::pair<std::string, std::string>, std::string> held;  // (hash, "p2p://<node>") -> id
      for_hash_chunks(c.dialect(), hashes, [&](std::span<const std::string> chunk) {
        std::vector<Value> params;
        auto sql = "SELECT r.content_hash, r.instance_domain, r.id FROM " +
                   rows_holding_hashes(c.dialect(), "remote_tracks", "r", chunk, params);
        for (const auto& r : c.query(sql, params).rows) held.emplace(std::pair{r.text(0), r.text(1)}, r.text(2));
      });
      struct Fresh {
        const model::RemoteTrackRecord* record;
        std::string id;
      };
      std::vector<Fresh> fresh;
      std::map<std::pair<std::string, std::string>, std::size_t> fresh_at;  // the same copy twice: the later wins
      for (const auto& r : records) {
        auto key = std::pair{r.hash, "p2p://" + r.origin_node};
        if (auto it = held.find(key); it != held.end()) {
          c.query(
              "UPDATE remote_tracks SET local_track_id = ?, title = ?, artist_name = ?, album_title = ?, bitrate = ?, "
              "sample_rate = ?, format = ?, last_checked_at = ? WHERE id = ?",
              {opt(r.local_track_id), r.title, r.artist_name, opt(r.album_title), opt(r.bitrate), opt(r.sample_rate),
               opt(r.format), now, it->second});
          continue;
        }
        auto [at, added] = fresh_at.emplace(std::move(key), fresh.size());
        if (added) fresh.push_back({&r, r.id.empty() ? util::new_time_uuid() : r.id});
        else fresh[at->second].record = &r;
      }
      insert_rows(
          c,
          "INSERT INTO remote_tracks (id, local_track_id, title, artist_name, album_title, instance_domain, bitrate, "
          "sample_rate, format, is_available, last_checked_at, created_at, content_hash) VALUES ",
          13, fresh.size(), [&](std::size_t i, std::vector<Value>& v) {
            const auto& r = *fresh[i].record;
            v.insert(v.end(), {fresh[i].id, opt(r.local_track_id), r.title, r.artist_name, opt(r.album_title),
                               "p2p://" + r.origin_node, opt(r.bitrate), opt(r.sample_rate), opt(r.format), true, now,
                               r.created_at ? r.created_at : now, r.hash});
          });
    });
  }

  std::int64_t remove_remote_track(std::string_view origin, std::string_view hash) override {
    auto c = pool_.acquire();
    c->query("DELETE FROM remote_tracks WHERE " + hash_is("content_hash") + " AND instance_domain = ?",
             {std::string(hash), std::string(hash), "p2p://" + std::string(origin)});
    return c->query("SELECT COUNT(*) FROM remote_tracks WHERE " + hash_is("content_hash"), {std::string(hash), std::string(hash)})
        .rows.front()
        .integer(0);
  }

  std::vector<model::RemoteTrackRecord> remote_copies(std::string_view hash) override {
    auto c = pool_.acquire();
    auto rows = c->query(
        "SELECT id, local_track_id, title, artist_name, album_title, instance_domain, bitrate, sample_rate, format, "
        "is_available, created_at FROM remote_tracks WHERE " + hash_is("content_hash") +
            " ORDER BY is_available DESC, created_at",
        {std::string(hash), std::string(hash)});
    std::vector<model::RemoteTrackRecord> out;
    for (const auto& r : rows.rows) {
      model::RemoteTrackRecord x;
      x.id = r.text(0);
      x.local_track_id = r.opt_text(1);
      x.title = r.text(2);
      x.artist_name = r.text(3);
      x.album_title = r.opt_text(4);
      auto domain = r.text(5);
      x.origin_node = domain.rfind("p2p://", 0) == 0 ? domain.substr(6) : domain;
      x.hash = std::string(hash);
      x.bitrate = r.opt_int(6);
      x.sample_rate = r.opt_int(7);
      x.format = r.opt_text(8);
      x.is_available = r.boolean(9);
      x.created_at = r.integer(10);
      out.push_back(std::move(x));
    }
    return out;
  }

  std::int64_t remote_track_count(std::string_view origin) override {
    auto c = pool_.acquire();
    return c->query("SELECT COUNT(*) FROM remote_tracks WHERE instance_domain = ?", {"p2p://" + std::string(origin)})
        .rows.front()
        .integer(0);
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::P2pRepository> make_p2p_repository(Pool& pool) {
  return std::make_unique<SqlP2pRepository>(pool);
}

}  // namespace st::db
