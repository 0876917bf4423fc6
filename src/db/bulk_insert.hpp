#pragma once
// Inserting many tracks at once on SQLite: the rows go in with the connection's triggers off, then the work of
// tracks' INSERT triggers is done once for the batch (a trigger a row was a program frame and one to three
// statements: about half the time of a replicated track's insert).
#include <array>
#include <cstdint>
#include <string_view>

#include "db/sql.hpp"

namespace st::db {

// Every INSERT trigger of tracks on SQLite, each done by track_insert_triggers_work. A migration that adds
// one must add it there too: a unit test (BulkInsert.EveryInsertTriggerOfTracksIsDoneByTheBatch) compares
// this list with the schema's.
inline constexpr std::array<std::string_view, 8> kTrackInsertTriggers = {
    "genre_track_insert",     "p2p_log_insert",      "totals_duration_insert",   "totals_facts_insert",
    "totals_track_insert",    "tracks_fts_insert",   "tracks_search_log_insert", "tracks_shuffle_insert"};

// A connection's triggers off for a scope, on again when it ends however it ends (a connection that cannot
// turn them on again reports itself unhealthy and the pool drops it).
class TriggersOff {
 public:
  explicit TriggersOff(Connection& c) : c_(c) { c_.enable_triggers(false); }
  // On again now: throws when it cannot (the transaction then rolls back).
  void restore() {
    c_.enable_triggers(true);
    on_ = true;
  }
  ~TriggersOff();
  TriggersOff(const TriggersOff&) = delete;
  TriggersOff& operator=(const TriggersOff&) = delete;

 private:
  Connection& c_;
  bool on_ = false;
};

// What kTrackInsertTriggers do, for the `inserted` rows of tracks past last_rowid (all inserted in this
// transaction with triggers off). New rows take rowids above the largest one: tracks has no AUTOINCREMENT
// and never nears 2^63.
void track_insert_triggers_work(Connection& c, std::int64_t last_rowid, std::int64_t inserted);

}  // namespace st::db
