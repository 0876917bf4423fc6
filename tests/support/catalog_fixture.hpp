#pragma once
// One artist with one album in a fresh catalogue, and tracks of it built on demand: the common start of the
// repository tests that insert tracks in bulk or search them.
#include <cctype>
#include <memory>
#include <string>

#include "db/repositories.hpp"
#include "model/catalog.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::test {

struct OneAlbumCatalog {
  OneAlbumCatalog(db::Pool& pool, const std::string& artist_name, const std::string& album_title)
      : catalog(db::make_catalog_repository(pool)) {
    std::string key = "name:";
    for (unsigned char ch : artist_name) key += static_cast<char>(std::tolower(ch));
    artist = catalog->upsert_artist(key,
                                    {util::new_uuid(), artist_name, {}, {}, {}, util::now_micros()});
    model::Album al;
    al.id = util::new_uuid();
    al.title = album_title;
    al.artist_id = artist.id;
    al.created_at = util::now_micros();
    album = catalog->upsert_album(artist.id + "|" + key.substr(5), al);
  }

  // A 60-second FLAC track of the album at `path` (default: a path made of its id).
  model::Track track(std::string title, std::string path = {}) const {
    model::Track t;
    t.id = util::new_uuid();
    t.title = std::move(title);
    t.artist_id = artist.id;
    t.album_id = album.id;
    t.artist_name = artist.name;
    t.album_title = album.title;
    t.duration_secs = 60;
    t.file_path = path.empty() ? "/m/" + t.id + ".flac" : std::move(path);
    t.file_size = 1000;
    t.format = "flac";
    t.created_at = util::now_micros();
    return t;
  }

  std::unique_ptr<model::CatalogRepository> catalog;
  model::Artist artist;
  model::Album album;
};

}  // namespace st::test
