#include "db/page_keys.hpp"

#include <fmt/format.h>

namespace st::db {

std::string KeyedOrder::order_by() const {
  std::string out = " ORDER BY ";
  for (std::size_t i = 0; i < columns.size(); ++i) out += (i ? ", " : "") + columns[i] + (descending ? " DESC" : "");
  return out;
}

std::string KeyedOrder::from_key() const {
  std::string cols, marks;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    cols += (i ? ", " : "") + columns[i];
    marks += i ? ", ?" : "?";
  }
  const char* op = descending ? "<=" : ">=";
  auto rows = fmt::format(" AND ({}) {} ({})", cols, op, marks);
  return seek_first_column ? fmt::format(" AND {} {} ?", columns.front(), op) + rows : rows;
}

std::vector<Value> KeyedOrder::key_params(const std::vector<Value>& key) const {
  std::vector<Value> out;
  out.reserve(key.size() + 1);
  if (seek_first_column) out.push_back(key.front());
  out.insert(out.end(), key.begin(), key.end());
  return out;
}

std::optional<PageStart> PageKeys::start(Connection& c, const KeyedOrder& order, std::int64_t offset,
                                         std::int64_t limit) {
  if (offset < order.stride) return std::nullopt;
  std::string names;
  std::vector<Value> params;
  for (const auto& v : order.versions) {
    names += names.empty() ? "?" : ", ?";
    params.push_back(v);
  }
  std::vector<std::int64_t> versions;
  for (const auto& r : c.query("SELECT version FROM catalog_totals WHERE name IN (" + names + ") ORDER BY name", params).rows)
    versions.push_back(r.integer(0));

  std::lock_guard lock(mu_);
  bool filtered = !order.filter.empty();
  if (filtered && !sampled_.count(order.name) && filtered_ >= kFiltered) {
    // Subsets come and go with what users ask for (a genre each): past a few, start again.
    std::erase_if(sampled_, [](const auto& e) { return e.second.filtered; });
    filtered_ = 0;
  }
  auto [it, added] = sampled_.try_emplace(order.name);
  auto& s = it->second;
  if (added && filtered) {
    s.filtered = true;
    ++filtered_;
  }
  if (s.keys.empty() || s.versions != versions) {
    // One pass over the ordering index, numbering the rows and keeping every stride-th key.
    std::string inner, outer;
    for (std::size_t i = 0; i < order.columns.size(); ++i) {
      inner += fmt::format("{}{} AS k{}", i ? ", " : "", order.columns[i], i);
      outer += fmt::format("{}k{}", i ? ", " : "", i);
    }
    auto values = order.filter_params;
    values.emplace_back(order.stride);
    auto rows = c.query(fmt::format("SELECT {0} FROM (SELECT {1}, row_number() OVER ({2}) AS rn FROM {3}{4}) s "
                                    "WHERE (rn - 1) % ? = 0 ORDER BY rn",
                                    outer, inner, order.order_by().substr(1), order.from, order.filter),
                        values);
    s.keys.clear();
    s.keys.reserve(rows.rows.size());
    for (const auto& r : rows.rows) {
      std::vector<Value> key;
      for (std::size_t i = 0; i < order.columns.size(); ++i) {
        if (order.integer[i]) key.emplace_back(r.integer(i));
        else key.emplace_back(r.text(i));
      }
      s.keys.push_back(std::move(key));
    }
    s.versions = std::move(versions);
  }
  auto j = offset / order.stride;
  auto count = static_cast<std::int64_t>(s.keys.size());
  if (j >= count) return PageStart{{}, 0, true};
  PageStart out{s.keys[static_cast<std::size_t>(j)], offset - j * order.stride, false, std::nullopt};
  if (limit > 0 && order.seek_first_column) {
    // The key of the first sampled row after the page's last, then a stride further.
    auto past = j + (out.skip + limit - 1) / order.stride + 2;
    if (past < count) out.end_first = s.keys[static_cast<std::size_t>(past)].front();
  }
  return out;
}

std::optional<std::int64_t> PageKeys::seek(Connection& c, const KeyedOrder& order, std::int64_t offset,
                                           std::string& where, std::vector<Value>& params, std::int64_t limit,
                                           PageEnd* end) {
  auto s = start(c, order, offset, end ? limit : 0);
  if (!s) {
    // A shallow page: a plain OFFSET. An ordering read partly from another table still gets its first
    // column's bound, at the lowest text ('' is below every text; the columns are NOT NULL): unbounded,
    // SQLite sorts the whole join for it (120 ms for the first page of 100,000 albums by artist), bounded it
    // walks the index (12 ms), and without sampling the keys again after every change (an import).
    if (order.seek_first_column && !order.descending && !order.integer.front()) {
      where += fmt::format(" AND {} >= ?", order.columns.front());
      params.emplace_back(std::string());
    }
    return offset;
  }
  if (s->past_end) return std::nullopt;
  where += order.from_key();
  auto key = order.key_params(s->key);
  params.insert(params.end(), key.begin(), key.end());
  if (end && s->end_first) {
    end->where = fmt::format(" AND {} {} ?", order.columns.front(), order.descending ? ">=" : "<=");
    end->params = {*s->end_first};
  }
  return s->skip;
}

}  // namespace st::db
