#pragma once
// What a user says about items: stars (tracks: the favorites the web app shows too; albums, artists)
// and 1-5 ratings; and what the listening history knows per user (plays, last play).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalog.hpp"

namespace st::model {

enum class ItemKind { track, album, artist };
std::string_view to_string(ItemKind k);

struct Annotation {
  std::optional<util::Micros> starred_at;
  int rating = 0;  // 0: not rated
  std::int64_t play_count = 0;
  std::optional<util::Micros> played_at;
};

// Items of one kind whose annotations are asked for along with other lists' (ItemIds of a search's artists,
// albums and songs).
struct ItemIds {
  ItemKind kind;
  std::vector<std::string> ids;
};

class AnnotationRepository {
 public:
  virtual ~AnnotationRepository() = default;
  // Ids that do not exist are ignored by the caller's checks, not here.
  virtual void star(std::string_view user_id, ItemKind kind, std::string_view id, util::Micros now) = 0;
  virtual void unstar(std::string_view user_id, ItemKind kind, std::string_view id) = 0;
  // rating 0 removes the rating.
  virtual void set_rating(std::string_view user_id, ItemKind kind, std::string_view id, int rating,
                          util::Micros now) = 0;
  // The user's annotations of the given items (items without any are absent).
  virtual std::map<std::string, Annotation> annotations(std::string_view user_id, ItemKind kind,
                                                        const std::vector<std::string>& ids) = 0;
  // The same for several lists at once, answers in the lists' order (PostgreSQL: one statement for all).
  virtual std::vector<std::map<std::string, Annotation>> annotations(std::string_view user_id,
                                                                     const std::vector<ItemIds>& lists) = 0;
  // Every star and rating the user gave to items of a kind other than track (a list of every artist asks
  // for these rather than copying the ids of the whole list).
  virtual std::map<std::string, Annotation> all_annotations(std::string_view user_id, ItemKind kind) = 0;
  virtual std::vector<Album> starred_albums(std::string_view user_id) = 0;
  virtual std::vector<Artist> starred_artists(std::string_view user_id) = 0;
  virtual std::vector<Track> starred_tracks(std::string_view user_id) = 0;
};

}  // namespace st::model
