#include "subsonic/items.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>

#include "audio/format_sniffer.hpp"
#include "util/strings.hpp"
#include "util/uuid.hpp"

namespace st::subsonic {

namespace {

template <typename T>
std::vector<std::string> ids_of(const std::vector<T>& items) {
  std::vector<std::string> ids;
  ids.reserve(items.size());
  for (const auto& x : items) ids.push_back(x.id);
  return ids;
}

// The user's annotations of a list's items, by id.
using Notes = std::map<std::string, model::Annotation>;

const model::Annotation* find(const Notes& m, const std::string& id) {
  auto it = m.find(id);
  return it == m.end() ? nullptr : &it->second;
}

void annotate(Node& n, const model::Annotation* a) {
  if (!a) return;
  if (a->starred_at) n.set("starred", iso_time(*a->starred_at));
  if (a->rating > 0) n.set("userRating", a->rating);
}

std::string suffix_of(const model::Track& t) {
  auto ext = util::to_lower(std::filesystem::path(t.file_path).extension().string());
  if (ext.size() > 1) return ext.substr(1);
  return t.format;
}

// The path apps show: relative to the music folder it is in, else the file name.
std::string display_path(Call& c, const std::string& path) {
  for (const auto& root : c.d.music_folders) {
    if (path.size() > root.size() + 1 && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/')
      return path.substr(root.size() + 1);
  }
  return std::filesystem::path(path).filename().string();
}

}  // namespace

std::optional<std::string> as_id(std::string_view s) { return util::normalize_uuid(s); }

model::Track require_song(Call& c, std::string_view raw) {
  auto id = as_id(raw);
  auto t = id ? c.d.catalog.find_track(*id) : std::nullopt;
  if (!t) not_found("Song");
  return *t;
}

std::string index_letter(std::string_view name, bool skip_articles) {
  // The ignored articles, folded, each with the space that must follow it.
  static const std::vector<std::string> articles = [] {
    std::vector<std::string> out;
    for (auto article : util::split(kIgnoredArticles, ' ')) out.push_back(util::to_lower(article) + " ");
    return out;
  }();
  if (skip_articles) {
    for (const auto& a : articles) {
      if (name.size() <= a.size()) continue;
      bool same = true;
      for (std::size_t i = 0; i < a.size() && same; ++i)
        same = std::tolower(static_cast<unsigned char>(name[i])) == static_cast<unsigned char>(a[i]);
      if (same) {
        name.remove_prefix(a.size());
        break;
      }
    }
  }
  if (name.empty()) return "#";
  unsigned char ch = static_cast<unsigned char>(name.front());
  if (std::isalpha(ch)) return std::string(1, static_cast<char>(std::toupper(ch)));
  if (ch >= 0x80) {  // the first UTF-8 character, as it is
    std::size_t len = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
    return std::string(name.substr(0, std::min(len, name.size())));
  }
  return "#";
}

std::optional<std::string> music_folder_prefix(Call& c) {
  auto raw = c.opt_str("musicFolderId");
  if (!raw || raw->empty()) return std::nullopt;
  auto n = util::parse_int(*raw);
  if (!n || *n < 1 || static_cast<std::size_t>(*n) > c.d.music_folders.size()) not_found("Music folder " + *raw);
  return c.d.music_folders[static_cast<std::size_t>(*n - 1)] + "/";
}

std::string iso_time(util::Micros t) {
  std::time_t secs = static_cast<std::time_t>(t / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>((t / 1000) % 1000));
}

// Attributes a song's and an album's node carry at most (their lists are reserved to this).
constexpr std::size_t kSongAttrs = 48;
constexpr std::size_t kAlbumAttrs = 24;

Node song_node(Call& c, const model::Track& t, const model::Annotation* a) {
  Node n;
  n.attrs.reserve(kSongAttrs);  // grown one by one, the list would be moved six times per song
  n.set("id", t.id);
  if (t.album_id) n.set("parent", *t.album_id);
  n.set("isDir", false);
  n.set("title", t.title);
  if (t.album_title) n.set("album", *t.album_title);
  n.set("artist", t.artist_name);
  n.set("track", t.track_number);
  n.set("year", t.year);
  n.set("genre", t.genre);
  if (t.album_id && t.cover_url) n.set("coverArt", *t.album_id);
  n.set("size", t.file_size);
  n.set("contentType", std::string(audio::mime_for_format_name(t.format)));
  n.set("suffix", suffix_of(t));
  n.set("duration", static_cast<std::int64_t>(std::llround(t.duration_secs)));
  n.set("bitRate", t.bitrate);
  n.set("bitDepth", t.bit_depth);
  n.set("samplingRate", t.sample_rate);
  n.set("channelCount", t.channels);
  n.set("path", display_path(c, t.file_path));
  n.set("isVideo", false);
  n.set("playCount", a ? a->play_count : std::int64_t{0});
  if (a && a->played_at) n.set("played", iso_time(*a->played_at));
  n.set("discNumber", t.disc_number);
  n.set("created", iso_time(t.created_at));
  annotate(n, a);
  if (t.album_id) n.set("albumId", *t.album_id);
  n.set("artistId", t.artist_id);
  n.set("type", "music");
  n.set("mediaType", "song");
  n.set("bpm", 0);
  n.set("comment", "");
  n.set("sortName", "");
  if (t.musicbrainz_id) n.set("musicBrainzId", *t.musicbrainz_id);
  auto& genres = n.list("genres");
  if (t.genre && !t.genre->empty()) genres.push_back(Node().set("name", *t.genre));
  auto& artists = n.list("artists");
  artists.push_back(Node().set("id", t.artist_id).set("name", t.artist_name));
  n.set("displayArtist", t.artist_name);
  n.list("albumArtists");
  n.set("displayAlbumArtist", "");
  n.list("contributors");
  n.scalars("moods");
  n.scalars("isrc");
  auto& rg = n.object("replayGain");
  rg.set("trackGain", t.replaygain_track_gain);
  rg.set("albumGain", t.replaygain_album_gain);
  rg.set("trackPeak", t.replaygain_track_peak);
  rg.set("albumPeak", t.replaygain_album_peak);
  n.set("explicitStatus", "");
  return n;
}

Node album_node(const model::Album& al, const model::AlbumSummary* s, const model::Annotation* a) {
  Node n;
  n.attrs.reserve(kAlbumAttrs);
  n.set("id", al.id);
  n.set("name", al.title);
  n.set("artist", al.artist_name);
  n.set("artistId", al.artist_id);
  if (al.cover_url) n.set("coverArt", al.id);
  n.set("songCount", s ? s->song_count : std::int64_t{0});
  n.set("duration", s ? static_cast<std::int64_t>(std::llround(s->duration_secs)) : std::int64_t{0});
  n.set("playCount", s ? s->play_count : std::int64_t{0});
  n.set("created", iso_time(al.created_at));
  annotate(n, a);
  n.set("year", al.year);
  n.set("genre", al.genre);
  if (al.musicbrainz_id) n.set("musicBrainzId", *al.musicbrainz_id);
  auto& genres = n.list("genres");
  if (al.genre && !al.genre->empty()) genres.push_back(Node().set("name", *al.genre));
  n.list("artists").push_back(Node().set("id", al.artist_id).set("name", al.artist_name));
  n.set("displayArtist", al.artist_name);
  n.list("recordLabels");
  n.scalars("releaseTypes").push_back(std::string(al.is_compilation ? "Compilation" : "Album"));
  n.scalars("moods");
  n.set("sortName", "");
  n.set("isCompilation", al.is_compilation);
  if (al.year) n.object("releaseDate").set("year", *al.year);
  n.list("discTitles");
  n.set("explicitStatus", "");
  return n;
}

Node artist_node(const model::Artist& ar, std::optional<std::int64_t> album_count, const model::Annotation* a,
                 bool has_cover) {
  Node n;
  n.set("id", ar.id);
  n.set("name", ar.name);
  if (has_cover) n.set("coverArt", ar.id);
  if (ar.image_url) n.set("artistImageUrl", *ar.image_url);
  n.set("albumCount", album_count);
  annotate(n, a);
  if (ar.musicbrainz_id) n.set("musicBrainzId", *ar.musicbrainz_id);
  n.set("sortName", "");
  n.scalars("roles").push_back(std::string("artist"));
  return n;
}

namespace {

// The renderers below, with the user's annotations of the items already read.
std::vector<Node> song_nodes(Call& c, const std::vector<model::Track>& tracks, const Notes& notes) {
  std::vector<Node> out;
  out.reserve(tracks.size());
  for (const auto& t : tracks) out.push_back(song_node(c, t, find(notes, t.id)));
  return out;
}

std::vector<Node> album_nodes(Call& c, const std::vector<model::Album>& albums, const Notes& notes) {
  auto sums = c.d.catalog.album_summaries(ids_of(albums));
  std::vector<Node> out;
  out.reserve(albums.size());
  for (const auto& al : albums) {
    auto s = sums.find(al.id);
    out.push_back(album_node(al, s == sums.end() ? nullptr : &s->second, find(notes, al.id)));
  }
  return out;
}

std::vector<Node> album_dir_nodes(Call& c, const std::vector<model::Album>& albums, const Notes& notes) {
  auto sums = c.d.catalog.album_summaries(ids_of(albums));
  std::vector<Node> out;
  for (const auto& al : albums) {
    Node n;
    n.set("id", al.id);
    n.set("parent", al.artist_id);
    n.set("isDir", true);
    n.set("title", al.title);
    n.set("album", al.title);
    n.set("artist", al.artist_name);
    n.set("year", al.year);
    n.set("genre", al.genre);
    if (al.cover_url) n.set("coverArt", al.id);
    n.set("created", iso_time(al.created_at));
    auto s = sums.find(al.id);
    if (s != sums.end()) {
      n.set("duration", static_cast<std::int64_t>(std::llround(s->second.duration_secs)));
      n.set("playCount", s->second.play_count);
    }
    annotate(n, find(notes, al.id));
    n.set("albumId", al.id);
    n.set("artistId", al.artist_id);
    n.set("mediaType", "album");
    out.push_back(std::move(n));
  }
  return out;
}

std::vector<Node> artist_nodes(Call& c, const std::vector<model::Artist>& artists, const Notes& notes) {
  auto tallies = c.d.catalog.artist_tallies(ids_of(artists));
  std::vector<Node> out;
  for (const auto& ar : artists) {
    auto n = tallies.find(ar.id);
    auto tally = n == tallies.end() ? model::ArtistTally{} : n->second;
    out.push_back(artist_node(ar, tally.albums, find(notes, ar.id), tally.has_cover));
  }
  return out;
}

}  // namespace

std::vector<Node> song_nodes(Call& c, const std::vector<model::Track>& tracks) {
  return song_nodes(c, tracks, c.d.annotations.annotations(c.user.id, model::ItemKind::track, ids_of(tracks)));
}

std::vector<Node> album_nodes(Call& c, const std::vector<model::Album>& albums) {
  return album_nodes(c, albums, c.d.annotations.annotations(c.user.id, model::ItemKind::album, ids_of(albums)));
}

std::vector<Node> album_dir_nodes(Call& c, const std::vector<model::Album>& albums) {
  return album_dir_nodes(c, albums, c.d.annotations.annotations(c.user.id, model::ItemKind::album, ids_of(albums)));
}

std::vector<Node> artist_nodes(Call& c, const std::vector<model::Artist>& artists) {
  return artist_nodes(c, artists, c.d.annotations.annotations(c.user.id, model::ItemKind::artist, ids_of(artists)));
}

void add_item_lists(Call& c, Node& root, const std::vector<model::Artist>& artists,
                    const std::vector<model::Album>& albums, const std::vector<model::Track>& tracks, bool id3) {
  auto notes = c.d.annotations.annotations(c.user.id, {{model::ItemKind::artist, ids_of(artists)},
                                                       {model::ItemKind::album, ids_of(albums)},
                                                       {model::ItemKind::track, ids_of(tracks)}});
  root.list("artist") = artist_nodes(c, artists, notes[0]);
  root.list("album") = id3 ? album_nodes(c, albums, notes[1]) : album_dir_nodes(c, albums, notes[1]);
  root.list("song") = song_nodes(c, tracks, notes[2]);
}

Node playlist_node(Call& c, const model::Playlist& p, double duration_secs) {
  Node n;
  n.set("id", p.id);
  n.set("name", p.name);
  n.set("comment", p.description);
  auto owner = c.d.users.find_by_id(p.user_id);
  n.set("owner", owner ? owner->username : std::string());
  n.set("public", p.is_public);
  n.set("songCount", p.track_count);
  n.set("duration", static_cast<std::int64_t>(std::llround(duration_secs)));
  n.set("created", iso_time(p.created_at));
  n.set("changed", iso_time(p.updated_at));
  // Art when the playlist has its own cover or one of its songs has one (what getCoverArt serves for it).
  bool art = p.cover_url.has_value();
  if (!art && p.track_count > 0)
    for (const auto& t : c.d.playlists.tracks(p.id))
      if (t.cover_url) {
        art = true;
        break;
      }
  if (art) n.set("coverArt", p.id);
  n.set("readonly", owner ? owner->id != c.user.id : true);
  return n;
}

}  // namespace st::subsonic
