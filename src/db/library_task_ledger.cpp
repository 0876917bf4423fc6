// model::LibraryTaskLedger in one row of library_task_status, the state as JSON (both engines).
#include <boost/json.hpp>

#include "db/repositories.hpp"
#include "util/time.hpp"

namespace st::db {

namespace json = boost::json;

namespace {

using model::TaskState;

const char* status_name(TaskState::Status s) {
  switch (s) {
    case TaskState::Status::running: return "running";
    case TaskState::Status::completed: return "completed";
    case TaskState::Status::error: return "error";
    case TaskState::Status::idle: break;
  }
  return "idle";
}

TaskState::Status status_of(std::string_view s) {
  if (s == "running") return TaskState::Status::running;
  if (s == "completed") return TaskState::Status::completed;
  if (s == "error") return TaskState::Status::error;
  return TaskState::Status::idle;
}

std::string encode(const TaskState& t) {
  json::object o;
  o["status"] = status_name(t.status);
  o["kind"] = t.kind;
  o["node"] = t.node;
  o["processed"] = t.processed;
  o["total"] = t.total ? json::value(*t.total) : json::value(nullptr);
  o["total_checked"] = t.total_checked;
  o["healthy"] = t.healthy;
  json::array missing;
  for (const auto& m : t.missing) missing.push_back(json::array{json::string(m.track_id), json::string(m.title), json::string(m.file_path)});
  o["missing"] = std::move(missing);
  json::array orphans;
  for (const auto& k : t.orphans) orphans.push_back(json::string(k));
  o["orphans"] = std::move(orphans);
  o["orphan_count"] = t.orphan_count;
  for (auto [k, v] : {std::pair{"scanned", t.scanned}, {"imported", t.imported}, {"updated", t.updated},
                      {"removed", t.removed}, {"skipped", t.skipped}})
    o[k] = v;
  json::array errors;
  for (const auto& e : t.errors) errors.push_back(json::string(e));
  o["errors"] = std::move(errors);
  o["message"] = t.message;
  return json::serialize(o);
}

// What this program wrote; anything else (a row edited by hand) reads as far as it makes sense.
TaskState decode(std::string_view text) {
  TaskState t;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return t;
  const auto& o = v.get_object();
  auto str = [&o](const char* k) {
    auto* p = o.if_contains(k);
    return p && p->is_string() ? std::string(p->get_string()) : std::string();
  };
  auto num = [&o](const char* k) -> std::uint64_t {
    auto* p = o.if_contains(k);
    if (p && p->is_uint64()) return p->get_uint64();
    if (p && p->is_int64() && p->get_int64() >= 0) return static_cast<std::uint64_t>(p->get_int64());
    return 0;
  };
  t.status = status_of(str("status"));
  t.kind = str("kind");
  t.node = str("node");
  t.processed = num("processed");
  if (auto* p = o.if_contains("total"); p && !p->is_null()) t.total = num("total");
  t.total_checked = num("total_checked");
  t.healthy = num("healthy");
  if (auto* p = o.if_contains("missing"); p && p->is_array()) {
    for (const auto& m : p->get_array()) {
      if (!m.is_array() || m.get_array().size() != 3) continue;
      const auto& a = m.get_array();
      if (!a[0].is_string() || !a[1].is_string() || !a[2].is_string()) continue;
      t.missing.push_back({std::string(a[0].get_string()), std::string(a[1].get_string()), std::string(a[2].get_string())});
    }
  }
  if (auto* p = o.if_contains("orphans"); p && p->is_array())
    for (const auto& k : p->get_array())
      if (k.is_string()) t.orphans.emplace_back(k.get_string());
  t.orphan_count = num("orphan_count");
  t.scanned = num("scanned");
  t.imported = num("imported");
  t.updated = num("updated");
  t.removed = num("removed");
  t.skipped = num("skipped");
  if (auto* p = o.if_contains("errors"); p && p->is_array())
    for (const auto& e : p->get_array())
      if (e.is_string()) t.errors.emplace_back(e.get_string());
  t.message = str("message");
  return t;
}

class SqlLibraryTaskLedger final : public model::LibraryTaskLedger {
 public:
  explicit SqlLibraryTaskLedger(Pool& pool) : pool_(pool) {}

  void save(const TaskState& state) override {
    auto c = pool_.acquire();
    c->query("INSERT INTO library_task_status (id, state, updated_at) VALUES (1, ?, ?) "
             "ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
             {encode(state), util::now_micros()});
  }

  std::optional<TaskState> load() override {
    auto c = pool_.acquire();
    auto rows = c->query("SELECT state FROM library_task_status WHERE id = 1");
    if (rows.empty()) return std::nullopt;
    return decode(rows.rows.front().text(0));
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<model::LibraryTaskLedger> make_library_task_ledger(Pool& pool) {
  return std::make_unique<SqlLibraryTaskLedger>(pool);
}

}  // namespace st::db
