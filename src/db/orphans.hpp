#pragma once
// Albums left without tracks and artists left without tracks or albums: found among the few a change may have
// emptied (a track deleted or moved), in the change's own transaction, or across the whole catalogue (after a
// scan, at start).
#include <optional>
#include <string>
#include <vector>

#include "db/sql.hpp"

namespace st::db {

// What a track's going may leave empty: its album, its artist and its album's artist.
struct Holders {
  std::vector<std::string> albums, artists;
};
// The track's holders, read before it is deleted or moved; none for an unknown track.
Holders holders_of(Connection& c, const std::string& track_id);
// Deletes those of `h` left empty, albums first (an artist may be held by an album alone). On PostgreSQL a row
// another transaction holds is left alone: one adding a track to it holds it (its foreign key's share lock), so a
// track being added is never cascaded away. Two deletes taking an album's last tracks are one after the other
// there (the catalogue counters' lock, migrations 0017 and 0032), so the second sees the first's; two moves
// racing may leave their old artist to the next full prune.
void prune_emptied(Connection& c, const Holders& h);
// The whole catalogue's empty albums, then its empty artists.
void prune_all_orphans(Connection& c);

}  // namespace st::db
