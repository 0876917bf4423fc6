#pragma once
// The columns every track query selects (with its artist and album joined), and their reader.
#include <string>

#include "db/sql.hpp"
#include "model/catalog.hpp"

namespace st::db {

// The selected columns (of t, ar, al) and the joins that provide ar and al for tracks t.
extern const char* const kTrackColumns;
extern const char* const kTrackJoins;
// "SELECT <columns> FROM tracks t <joins>"
extern const std::string kTrackSelect;
inline constexpr std::size_t kTrackColumnCount = 32;

// Reads the track columns starting at column `offset`.
model::Track read_track(const Row& r, std::size_t offset = 0);

}  // namespace st::db
