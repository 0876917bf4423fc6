// Browsing by real folders: getIndexes lists the top-level folders of the music folders (with
// ifModifiedSince), getMusicDirectory a folder's sub-folders and songs. getMusicDirectory also takes an
// artist id (its albums) or an album id (its songs), as returned by getAlbumList.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "subsonic/items.hpp"
#include "subsonic/sections.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"

namespace st::subsonic {

namespace {

// The songs of one folder a listing shows at most, by file name: a folder of a million files (a library
// poured into one directory) would otherwise be one answer of ~500 MB. The rest are reached as albums,
// artists and by search; a warning names the folder.
constexpr std::int64_t kFolderSongs = 10'000;

struct Folder {
  std::size_t root = 0;  // index into music_folders
  std::string rel;       // "" for the music folder itself; no leading or trailing slash
};

std::string folder_id(const Folder& f) { return "dir-" + util::base64url_encode(fmt::format("{}:{}", f.root + 1, f.rel)); }

std::optional<Folder> parse_folder_id(Call& c, std::string_view id) {
  if (id.rfind("dir-", 0) != 0) return std::nullopt;
  auto raw = util::base64url_decode(id.substr(4));
  if (!raw) return std::nullopt;
  auto colon = raw->find(':');
  if (colon == std::string::npos) return std::nullopt;
  auto n = util::parse_int(std::string_view(*raw).substr(0, colon));
  if (!n || *n < 1 || static_cast<std::size_t>(*n) > c.d.music_folders.size()) return std::nullopt;
  Folder f{static_cast<std::size_t>(*n - 1), raw->substr(colon + 1)};
  for (auto part : util::split(f.rel, '/'))
    if (part.empty() || part == "." || part == "..") {
      if (!f.rel.empty()) return std::nullopt;
    }
  return f;
}

std::string absolute(Call& c, const Folder& f) {
  const auto& root = c.d.music_folders[f.root];
  return f.rel.empty() ? root : root + "/" + f.rel;
}

// The songs lying directly in a folder that holds `files` of them (at most kFolderSongs).
std::vector<model::Track> folder_songs(Call& c, const std::string& path, std::int64_t files) {
  if (files <= 0) return {};
  if (files > kFolderSongs)
    spdlog::warn("folder browsing: {} holds {} songs of its own; its listing shows the first {} by file name", path,
                 files, kFolderSongs);
  return c.d.catalog.tracks_in_folder(path, kFolderSongs);
}

std::string base_name(std::string_view p) {
  auto slash = p.find_last_of('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

// The immediate sub-folders of dir that hold music (at any depth), by name, case aside.
std::vector<std::string> sub_folders(const model::FolderEntries& entries) {
  std::vector<std::pair<std::string, const std::string*>> keyed;
  keyed.reserve(entries.folders.size());
  for (const auto& name : entries.folders) keyed.emplace_back(util::to_lower(name), &name);
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> out;
  out.reserve(keyed.size());
  for (const auto& [key, name] : keyed) out.push_back(*name);
  return out;
}

// The index of the top-level folders of the music folders `listed` (one entry per root in `roots`), and the
// songs lying in the roots themselves.
using Listed = std::vector<std::shared_ptr<const model::FolderEntries>>;

Node folder_index(const std::vector<std::size_t>& roots, const Listed& listed, std::int64_t last_modified,
                  std::vector<Node> root_songs) {
  std::map<std::string, std::vector<Node>> groups;
  for (std::size_t i = 0; i < roots.size(); ++i)
    for (const auto& name : sub_folders(*listed[i])) {
      Node n;
      n.set("id", folder_id(Folder{roots[i], name}));
      n.set("name", name);
      groups[index_letter(name, false)].push_back(std::move(n));
    }
  Node idx;
  idx.set("lastModified", last_modified);
  idx.set("ignoredArticles", "");
  auto& list = idx.list("index");
  for (auto& [letter, items] : groups) {
    Node g;
    g.set("name", letter);
    g.list("artist") = std::move(items);
    list.push_back(std::move(g));
  }
  idx.list("child") = std::move(root_songs);
  return idx;
}

Reply indexes(Call& c) {
  std::vector<std::size_t> roots;
  if (auto id = c.opt_int("musicFolderId", 1, static_cast<std::int64_t>(c.d.music_folders.size())))
    roots.push_back(static_cast<std::size_t>(*id - 1));
  else
    for (std::size_t i = 0; i < c.d.music_folders.size(); ++i) roots.push_back(i);
  util::Micros changed = 0;
  std::int64_t root_files = 0;
  Listed listed;
  for (auto r : roots) {
    listed.push_back(c.d.catalog.folder_entries(absolute(c, Folder{r, ""})));
    changed = std::max(changed, listed.back()->changed_at);
    root_files += listed.back()->files;
  }
  // When the catalogue's tracks last changed, in milliseconds: an app that sends it back as ifModifiedSince
  // gets an empty answer until a track is added, removed or moved.
  auto last_modified = changed / 1000;
  Node body;
  auto& idx = body.object("indexes");
  if (auto since = c.opt_int("ifModifiedSince", 0, INT64_MAX); since && *since >= last_modified) {
    idx.set("lastModified", last_modified);
    idx.set("ignoredArticles", "");
    return body;
  }
  if (root_files == 0) {
    // No song in the music folders themselves (the usual library): the same for every user, rendered once per
    // version of the folders and shared (10,000 artist folders: 650 kB of JSON).
    RenderCache::Sources sources(listed.begin(), listed.end());
    std::string key;
    for (auto r : roots) key += std::to_string(r) + ",";
    idx.prerendered = c.d.folder_renders.get(std::move(sources), key, [=] {
      return folder_index(roots, listed, last_modified, {});
    });
    return body;
  }
  std::vector<model::Track> root_tracks;
  for (std::size_t i = 0; i < roots.size(); ++i)
    if (listed[i]->files > 0)
      for (auto& t : folder_songs(c, absolute(c, Folder{roots[i], ""}), listed[i]->files))
        root_tracks.push_back(std::move(t));
  idx = folder_index(roots, listed, last_modified, song_nodes(c, root_tracks));
  return body;
}

Reply directory(Call& c) {
  auto raw = c.str("id");
  Node body;
  auto& dir = body.object("directory");
  if (auto f = parse_folder_id(c, raw)) {
    auto path = absolute(c, *f);
    dir.set("id", raw);
    if (!f->rel.empty()) {
      auto slash = f->rel.find_last_of('/');
      dir.set("parent", folder_id(Folder{f->root, slash == std::string::npos ? "" : f->rel.substr(0, slash)}));
      dir.set("name", base_name(f->rel));
    } else {
      dir.set("name", base_name(path));
    }
    auto& children = dir.list("child");
    auto entries = c.d.catalog.folder_entries(path);
    auto subs = sub_folders(*entries);
    auto tracks = folder_songs(c, path, entries->files);
    if (subs.empty() && tracks.empty() && !f->rel.empty()) not_found("Directory");
    for (const auto& name : subs) {
      Node n;
      n.set("id", folder_id(Folder{f->root, f->rel.empty() ? name : f->rel + "/" + name}));
      n.set("parent", raw);
      n.set("isDir", true);
      n.set("title", name);
      children.push_back(std::move(n));
    }
    for (auto& n : song_nodes(c, tracks)) {
      // In folder browsing, a song's parent is its folder.
      for (auto& [k, v] : n.attrs)
        if (k == "parent") v = raw;
      children.push_back(std::move(n));
    }
    return body;
  }
  auto id = as_id(raw);
  if (!id) not_found("Directory");
  if (auto al = c.d.catalog.find_album(*id)) {
    dir.set("id", al->id);
    dir.set("parent", al->artist_id);
    dir.set("name", al->title);
    auto notes = c.d.annotations.annotations(c.user.id, model::ItemKind::album, {al->id});
    if (auto it = notes.find(al->id); it != notes.end() && it->second.starred_at)
      dir.set("starred", iso_time(*it->second.starred_at));
    dir.list("child") = song_nodes(c, c.d.catalog.album_tracks(al->id));
    return body;
  }
  if (auto ar = c.d.catalog.find_artist(*id)) {
    dir.set("id", ar->id);
    dir.set("name", ar->name);
    dir.list("child") = album_dir_nodes(c, c.d.catalog.artist_albums(ar->id));
    return body;
  }
  not_found("Directory");
}

}  // namespace

void add_folder_methods(MethodTable& t) {
  t.push_back({"getIndexes", {indexes}});
  t.push_back({"getMusicDirectory", {directory}});
}

}  // namespace st::subsonic
