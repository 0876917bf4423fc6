#include <fmt/format.h>

#include "db/catalog_totals.hpp"
#include "db/keyed_orders.hpp"
#include "db/repositories.hpp"

namespace st::db {

namespace {

constexpr const char* kReportSelect =
    "SELECT r.id, r.track_id, t.title, ar.name, r.user_id, u.username, r.reason, r.status, r.admin_note, r.created_at, "
    "r.resolved_at FROM track_reports r JOIN users u ON u.id = r.user_id LEFT JOIN tracks t ON t.id = r.track_id "
    "LEFT JOIN artists ar ON ar.id = t.artist_id";

model::Report read_report(const Row& r) {
  model::Report x;
  x.id = r.text(0);
  x.track_id = r.opt_text(1).value_or("");
  x.track_title = r.opt_text(2);
  x.track_artist = r.opt_text(3);
  x.user_id = r.text(4);
  x.reporter_username = r.text(5);
  x.reason = r.text(6);
  x.status = r.text(7);
  x.admin_note = r.opt_text(8);
  x.created_at = r.integer(9);
  x.resolved_at = r.opt_integer(10);
  return x;
}

class SqlReportRepository final : public model::ReportRepository {
 public:
  explicit SqlReportRepository(Pool& pool) : pool_(pool) {}

  bool create(const model::Report& r) override {
    return transaction(pool_, [&](Connection& c) {
      if (!c.query("SELECT 1 FROM track_reports WHERE track_id = ? AND user_id = ? AND status = 'pending'",
                   {r.track_id, r.user_id})
               .empty())
        return false;
      c.query("INSERT INTO track_reports (id, track_id, user_id, reason, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)",
              {r.id, r.track_id, r.user_id, r.reason, r.created_at});
      return true;
    });
  }

  std::optional<model::Report> find(std::string_view id) override {
    auto c = pool_.acquire();
    auto rows = c->query(std::string(kReportSelect) + " WHERE r.id = ?", {std::string(id)});
    if (rows.empty()) return std::nullopt;
    return read_report(rows.rows.front());
  }

  std::vector<model::Report> list() override {
    auto c = pool_.acquire();
    std::vector<model::Report> out;
    for (const auto& r : c->query(std::string(kReportSelect) +
                                      " ORDER BY CASE r.status WHEN 'pending' THEN 0 ELSE 1 END, r.created_at DESC "
                                      "LIMIT 1000")
                             .rows)
      out.push_back(read_report(r));
    return out;
  }

  model::ReportCounts counts() override {
    auto c = pool_.acquire();
    auto r = c->query("SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0), "
                      "COALESCE(SUM(CASE WHEN status = 'resolved' THEN 1 ELSE 0 END), 0), "
                      "COALESCE(SUM(CASE WHEN status = 'dismissed' THEN 1 ELSE 0 END), 0) FROM track_reports")
                 .rows.at(0);
    return {r.integer(0), r.integer(1), r.integer(2)};
  }

  void resolve(std::string_view id, std::string_view status, const std::optional<std::string>& note,
               std::string_view admin_id, util::Micros now) override {
    auto c = pool_.acquire();
    c->query("UPDATE track_reports SET status = ?, admin_note = ?, resolved_by = ?, resolved_at = ? WHERE id = ?",
             {std::string(status), opt(note), std::string(admin_id), now, std::string(id)});
  }

  void resolve_all_for_track(std::string_view track_id, std::string_view note, std::string_view admin_id,
                             util::Micros now) override {
    auto c = pool_.acquire();
    c->query("UPDATE track_reports SET status = 'resolved', admin_note = ?, resolved_by = ?, resolved_at = ? "
             "WHERE track_id = ? AND status = 'pending'",
             {std::string(note), std::string(admin_id), now, std::string(track_id)});
  }

  model::Paged<model::ModerationRow> browse(const std::optional<std::string>& title_contains,
                                            model::Page page) override {
    auto c = pool_.acquire();
    std::string where = " WHERE 1 = 1";
    std::vector<Value> params;
    bool searching = title_contains && !title_contains->empty();
    if (searching) {
      // A plain substring test (LIKE would treat % and _ in the text as wildcards).
      where += c->dialect() == Dialect::postgres ? " AND strpos(lower(t.title), lower(?)) > 0"
                                                 : " AND instr(lower(t.title), lower(?)) > 0";
      params.push_back(*title_contains);
    }
    model::Paged<model::ModerationRow> out;
    auto offset = page.offset();
    if (!searching) {
      // The whole catalogue: the kept total, and a deep page starts from a sampled key of the newest-first
      // ordering instead of walking every newer track (220 ms for a page near the end of a million).
      out.total = maintained_total(*c, "tracks");
      auto skip = page_keys_.seek(*c, kTracksNewest, offset, where, params);
      if (!skip) return out;
      offset = *skip;
    } else {
      // A substring of the title: every title is read (an administrator's search, not a listener's).
      out.total = c->query("SELECT COUNT(*) FROM tracks t" + where, params).rows.at(0).integer(0);
    }
    params.push_back(page.per_page);
    params.push_back(offset);
    // Deferred join: the skipped rows are index entries, not joined rows with their pending reports counted.
    const auto order = kTracksNewest.order_by();
    auto rows = c->query(
        "SELECT t.id, t.title, ar.name, t.format, t.play_count, (SELECT COUNT(*) FROM track_reports r WHERE "
        "r.track_id = t.id AND r.status = 'pending'), t.created_at FROM tracks t JOIN artists ar ON ar.id = t.artist_id "
        "WHERE t.id IN (SELECT t.id FROM tracks t" + where + order + " LIMIT ? OFFSET ?)" + order,
        params);
    for (const auto& r : rows.rows)
      out.items.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.integer(4), r.integer(5), r.integer(6)});
    return out;
  }

 private:
  Pool& pool_;
  PageKeys page_keys_;
};

}  // namespace

std::unique_ptr<model::ReportRepository> make_report_repository(Pool& pool) {
  return std::make_unique<SqlReportRepository>(pool);
}

}  // namespace st::db
