// Libraries: the folders the catalogue comes from (each MUSIC_FOLDERS entry, and the uploads), in the
// original's LibraryResponse shape. The original has the endpoints but never creates a library, so its
// lists are always empty; ours show where the music is, with stable ids derived from the folder.
#include <filesystem>

#include "api/auth_guard.hpp"
#include "api/catalog_dto.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::api {

namespace {

struct Library {
  std::string id, name, root;
};

std::vector<Library> libraries(LibraryDeps& d) {
  std::vector<Library> out;
  for (std::size_t i = 0; i < d.library_roots.size(); ++i) {
    const auto& root = d.library_roots[i];
    bool uploads = i + 1 == d.library_roots.size();
    auto name = uploads ? std::string("Uploads") : std::filesystem::path(root).filename().string();
    out.push_back({util::name_uuid("library:" + root), name.empty() ? root : name, root});
  }
  return out;
}

// Libraries belong to the instance: shown as the first administrator's.
std::optional<model::User> owner(LibraryDeps& d) {
  std::optional<model::User> first;
  for (auto& u : d.accounts.list_users())
    if (u.role == model::Role::admin && (!first || u.created_at < first->created_at)) first = u;
  return first;
}

json::object library_response(LibraryDeps& d, const Library& l, std::int64_t total, const std::optional<model::User>& by) {
  json::object o;
  o["id"] = l.id;
  o["name"] = l.name;
  o["description"] = nullptr;
  o["user_id"] = by ? json::value(by->id) : json::value(nullptr);
  o["is_public"] = !d.settings.is_private();
  o["total_tracks"] = total;
  o["created_at"] = util::to_rfc3339(by ? by->created_at : util::now_micros());
  return o;
}

model::TrackFilter under(const Library& l) {
  model::TrackFilter f;
  f.path_prefix = l.root + "/";
  return f;
}

}  // namespace

void add_library_routes(http::Router& r, LibraryDeps& d) {
  r.get("/api/libraries", [&d](http::Request& req) {
    gate(d.guard, req);
    auto page = page_param(req);
    auto all = libraries(d);
    auto by = owner(d);
    json::array data;
    for (std::size_t i = static_cast<std::size_t>(page.offset()); i < all.size() && data.size() < static_cast<std::size_t>(page.per_page); ++i)
      data.push_back(library_response(d, all[i], d.catalog->list_tracks(under(all[i]), model::TrackOrder::title, {1, 0}).total, by));
    return json_response(200, paginated(std::move(data), static_cast<std::int64_t>(all.size()), page));
  });
  r.get("/api/libraries/{id}", [&d](http::Request& req) {
    gate(d.guard, req);
    auto id = uuid_param(req, "id", "Library not found");
    for (const auto& l : libraries(d)) {
      if (l.id != id) continue;
      auto page = page_param(req, 50, 100);
      auto tracks = d.catalog->list_tracks(under(l), model::TrackOrder::title, page);
      auto o = library_response(d, l, tracks.total, owner(d));
      o["tracks"] = to_array(tracks.items, [](const auto& t) { return track_response(t); });
      o["page"] = page.page;
      o["per_page"] = page.per_page;
      return json_response(200, o);
    }
    model::throw_not_found("Library not found");
  });
}

}  // namespace st::api
