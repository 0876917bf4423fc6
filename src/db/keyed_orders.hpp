#pragma once
// The orderings of the unfiltered catalogue lists, each answered exactly by an index (migrations 0001, 0017),
// with the catalog_totals versions their sampled page keys depend on (page_keys.hpp).
#include "db/page_keys.hpp"

namespace st::db {

inline const KeyedOrder kTracksNewest{"tracks:newest", "tracks t", {"t.created_at", "t.id"}, {true, false}, true, {"tracks"}};
inline const KeyedOrder kTracksPopular{"tracks:popular", "tracks t", {"t.play_count", "t.created_at", "t.id"},
                                       {true, true, false}, true, {"track_plays", "tracks"}};
inline const KeyedOrder kTracksAdded{"tracks:added", "tracks t", {"t.created_at", "t.id"}, {true, false}, false, {"tracks"}};
inline const KeyedOrder kTracksByTitle{"tracks:title", "tracks t", {"t.title", "t.id"}, {false, false}, false, {"tracks"}};
inline const KeyedOrder kAlbumsNewest{"albums:newest", "albums al", {"al.created_at", "al.id"}, {true, false}, true,
                                      {"albums"}, false, {}, {}, 100};
inline const KeyedOrder kAlbumsByTitle{"albums:title", "albums al", {"al.title", "al.id"}, {false, false}, false,
                                       {"albums"}, false, {}, {}, 100};
inline const KeyedOrder kArtistsByName{"artists:name", "artists ar", {"ar.name", "ar.id"}, {false, false}, false,
                                       {"artists"}, false, {}, {}, 100};

}  // namespace st::db
