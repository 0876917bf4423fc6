#include "library/radio.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "model/errors.hpp"

namespace st::library {

namespace {

// Collects tracks from several phases, each with a share of the count, without duplicates.
class Mix {
 public:
  Mix(int count, std::vector<std::string> exclude) : count_(count), exclude_(std::move(exclude)) {
    seen_.insert(exclude_.begin(), exclude_.end());
  }
  void add(model::CatalogRepository& c, model::RandomQuery q, double share) {
    auto quota = static_cast<std::size_t>(std::ceil(count_ * share));
    if (tracks_.size() >= static_cast<std::size_t>(count_) || quota == 0) return;
    q.exclude = exclude_;
    q.limit = static_cast<std::int64_t>(quota) * 2;
    std::size_t taken = 0;
    for (auto& t : c.random_tracks(q)) {
      if (taken >= quota) break;
      if (seen_.insert(t.id).second) {
        tracks_.push_back(std::move(t));
        ++taken;
      }
    }
  }
  std::vector<model::Track> done() {
    std::shuffle(tracks_.begin(), tracks_.end(), std::mt19937(std::random_device{}()));
    if (tracks_.size() > static_cast<std::size_t>(count_)) tracks_.resize(static_cast<std::size_t>(count_));
    return std::move(tracks_);
  }

 private:
  int count_;
  std::vector<std::string> exclude_;
  std::set<std::string> seen_;
  std::vector<model::Track> tracks_;
};

}  // namespace

std::vector<model::Track> Radio::pick(const RadioRequest& r, const std::vector<std::string>& exclude) {
  Mix mix(r.count, exclude);
  const auto& type = r.seed_type;
  if (type == "track" || type == "similar") {
    auto seed = catalog_.find_track(*r.seed_id);
    if (!seed) model::throw_not_found("Seed track not found");
    model::RandomQuery same_artist;
    same_artist.artist_id = seed->artist_id;
    mix.add(catalog_, same_artist, 0.5);
    if (seed->genre) {
      model::RandomQuery genre;
      genre.genres = {*seed->genre};
      genre.not_artist_id = seed->artist_id;
      mix.add(catalog_, genre, 0.3);
    }
    if (seed->year) {
      model::RandomQuery era;
      era.year_min = *seed->year - 5;
      era.year_max = *seed->year + 5;
      mix.add(catalog_, era, 1.0);
    }
    mix.add(catalog_, {}, 1.0);  // a small library may need anything to fill the count
  } else if (type == "artist") {
    if (!catalog_.find_artist(*r.seed_id)) model::throw_not_found("Seed artist not found");
    model::RandomQuery own;
    own.artist_id = *r.seed_id;
    mix.add(catalog_, own, 0.6);
    auto genres = catalog_.artist_genres(*r.seed_id);
    if (!genres.empty()) {
      model::RandomQuery alike;
      alike.genres = genres;
      alike.not_artist_id = *r.seed_id;
      mix.add(catalog_, alike, 1.0);
    }
  } else if (type == "genre") {
    model::RandomQuery g;
    g.genres = {*r.genre};
    mix.add(catalog_, g, 1.0);
  } else {  // personal_mix
    auto artists = activity_.top_artists(r.user_id, 10);
    auto genres = activity_.top_genres(r.user_id, 5);
    if (!artists.empty()) {
      model::RandomQuery a;
      a.artist_ids = artists;
      mix.add(catalog_, a, 0.4);
    }
    if (!genres.empty()) {
      model::RandomQuery g;
      g.genres = genres;
      mix.add(catalog_, g, 0.4);
    }
    mix.add(catalog_, {}, 1.0);
  }
  return mix.done();
}

RadioResult Radio::next(const RadioRequest& r) {
  static const std::set<std::string> types{"track", "artist", "genre", "personal_mix", "similar"};
  if (!types.count(r.seed_type))
    model::throw_bad_request("seed_type must be track, artist, genre, personal_mix or similar");
  if ((r.seed_type == "track" || r.seed_type == "artist" || r.seed_type == "similar") && !r.seed_id)
    model::throw_bad_request("seed_id is required for seed_type=" + r.seed_type);
  if (r.seed_type == "genre" && (!r.genre || r.genre->empty()))
    model::throw_bad_request("genre is required for seed_type=genre");
  RadioResult out;
  auto exclude = r.exclude;
  if (exclude.size() > 2000) exclude.resize(2000);
  out.tracks = pick(r, exclude);
  if (out.tracks.empty() && !exclude.empty()) out.tracks = pick(r, {});  // everything played: start over
  out.exhausted = out.tracks.empty();
  return out;
}

}  // namespace st::library
