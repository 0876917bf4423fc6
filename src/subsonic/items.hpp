#pragma once
// The catalogue as Subsonic apps see it: songs (Child), albums (AlbumID3 / directory Child), artists
// (ArtistID3), playlists; with the calling user's stars, ratings and plays, fetched in batches.
#include <map>
#include <string>
#include <vector>

#include "model/annotation.hpp"
#include "model/catalog.hpp"
#include "model/playlist.hpp"
#include "subsonic/call.hpp"

namespace st::subsonic {

// ISO 8601 in UTC with milliseconds ("2024-01-31T12:00:00.000Z").
std::string iso_time(util::Micros t);

Node song_node(Call& c, const model::Track& t, const model::Annotation* a);
// Songs with annotations looked up in one go.
std::vector<Node> song_nodes(Call& c, const std::vector<model::Track>& tracks);

Node album_node(const model::Album& al, const model::AlbumSummary* s, const model::Annotation* a);
std::vector<Node> album_nodes(Call& c, const std::vector<model::Album>& albums);
// getAlbumList (folder style): an album as a directory child.
std::vector<Node> album_dir_nodes(Call& c, const std::vector<model::Album>& albums);

// coverArt only for an artist with an album cover: an app shows a broken image for an id without art.
Node artist_node(const model::Artist& ar, std::optional<std::int64_t> album_count, const model::Annotation* a,
                 bool has_cover);
std::vector<Node> artist_nodes(Call& c, const std::vector<model::Artist>& artists);

// A reply's artists, albums (AlbumID3 with id3, else directory children) and songs as the lists "artist",
// "album" and "song" of `root`, the user's stars, ratings and plays of all three read in one go
// (search2/search3, getStarred/getStarred2).
void add_item_lists(Call& c, Node& root, const std::vector<model::Artist>& artists,
                    const std::vector<model::Album>& albums, const std::vector<model::Track>& tracks, bool id3);

Node playlist_node(Call& c, const model::Playlist& p, double duration_secs);

// The song with this id (error 70 when there is none, or for an id that cannot exist).
model::Track require_song(Call& c, std::string_view raw);

// The articles getArtists skips when indexing ("The Beatles" under B).
inline constexpr const char* kIgnoredArticles = "The El La Los Las Le Les";
// The index a name is listed under: its first letter (after an ignored article when skip_articles),
// the first character of a non-Latin name as it is, "#" for anything else.
std::string index_letter(std::string_view name, bool skip_articles);

// The folder of the musicFolderId parameter ("/music/" with its slash), if one is given; error 70 for an
// unknown folder.
std::optional<std::string> music_folder_prefix(Call& c);

// A canonical lowercase UUID, or nothing (ids that cannot exist are "not found", never a query).
std::optional<std::string> as_id(std::string_view s);

}  // namespace st::subsonic
