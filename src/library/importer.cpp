#include "library/importer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "audio/format_sniffer.hpp"
#include "audio/tag_reader.hpp"
#include "crypto/blake3.hpp"
#include "library/known_files.hpp"
#include "library/metadata.hpp"
#include "library/tree_walk.hpp"
#include "model/errors.hpp"
#include "util/durable_file.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::library {

namespace fs = std::filesystem;

std::string outboard_path(const std::string& dir, const std::string& hash) {
  return (fs::path(dir) / hash.substr(0, 2) / (hash + ".obao")).string();
}

namespace {

struct FileHash {
  std::string hex;
  std::vector<std::uint8_t> outboard;
};

std::optional<FileHash> hash_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  crypto::Blake3 h;
  // One read buffer per importing thread: a fresh zero-filled MiB per file cost more than hashing the
  // file (most audio files are a few MiB or less; a tree of short files spent 14% of its import in memset).
  thread_local std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return std::nullopt;
  auto r = h.finish();
  return FileHash{crypto::to_hex(r.root), std::move(r.outboard)};
}

// Files that are certainly not audio, skipped without opening them.
bool obviously_not_audio(const fs::path& p) {
  auto name = p.filename().string();
  if (name.empty() || name[0] == '.') return true;
  auto ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const char* skip[] = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".txt", ".nfo", ".log", ".cue",
                               ".lrc", ".m3u", ".m3u8", ".pls", ".pdf", ".db", ".ini", ".json", ".xml", ".sfv",
                               ".md5", ".accurip", ".url", ".obao", ".tmp"};
  return std::any_of(std::begin(skip), std::end(skip), [&](const char* s) { return ext == s; });
}

}  // namespace

struct ImportCache {
  std::mutex mu;
  std::map<std::string, model::Artist> artists;
  std::map<std::string, model::Album> albums;
  std::set<std::string> covered;  // album ids whose cover question is settled
};

struct Importer::Prepared {
  model::Track track;
  bool is_update = false;
};

Importer::~Importer() = default;

namespace {

// The cached value for key, or upsert() stored in the cache (without holding the lock during the query).
template <typename T, typename Upsert>
T settle(ImportCache* cache, std::map<std::string, T> ImportCache::*table, const std::string& key, Upsert&& upsert) {
  if (cache) {
    std::lock_guard l(cache->mu);
    if (auto it = (cache->*table).find(key); it != (cache->*table).end()) return it->second;
  }
  T value = upsert();
  if (cache) {
    std::lock_guard l(cache->mu);
    (cache->*table).emplace(key, value);
  }
  return value;
}

}  // namespace

model::Artist Importer::artist_for(const std::string& key, const model::Artist& proposal, ImportCache* cache) {
  return settle(cache, &ImportCache::artists, key, [&] { return catalog_.upsert_artist(key, proposal); });
}

model::Album Importer::album_for(const std::string& key, const model::Album& proposal, ImportCache* cache) {
  return settle(cache, &ImportCache::albums, key, [&] { return catalog_.upsert_album(key, proposal); });
}

ImportOutcome Importer::import_file(const std::string& path, const ImportOptions& options) {
  Prepared p;
  auto out = prepare(path, options, catalog_.find_by_path(path), nullptr, p);
  if (out.status != ImportStatus::added && out.status != ImportStatus::updated) return out;
  try {
    if (p.is_update) catalog_.update_track_file(p.track);
    else catalog_.insert_track(p.track);
  } catch (const model::UniqueViolation&) {
    // Another import took the same path at the same moment: it is in the catalogue.
    out.status = ImportStatus::unchanged;
  }
  return out;
}

ImportOutcome Importer::prepare(const std::string& path, const ImportOptions& options,
                                const std::optional<model::KnownFile>& known, ImportCache* cache, Prepared& prepared) {
  ImportOutcome out;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    out.message = "not a regular file";
    return out;
  }
  if (known && known->size == st.st_size && known->mtime == st.st_mtim.tv_sec) {
    out.status = ImportStatus::unchanged;
    out.track_id = known->track_id;
    return out;
  }
  // A tree scan knows only sizes and times: the id of a changed file is looked up now.
  std::optional<model::KnownFile> row = known;
  if (row && row->track_id.empty()) row = catalog_.find_by_path(path);
  if (st.st_size == 0) {
    out.status = ImportStatus::skipped_not_audio;
    out.message = "empty file";
    return out;
  }
  auto format = audio::sniff_file(path);
  if (format == audio::AudioFormat::unknown) {
    out.status = ImportStatus::skipped_not_audio;
    out.message = "not a recognised audio format";
    return out;
  }
  audio::AudioTags tags;
  std::optional<audio::Picture> picture;
  if (!audio::read_tags(path, format, tags, &picture)) {
    out.message = "unreadable or damaged audio file";
    return out;
  }
  if (tags.duration_secs <= 0) {
    out.message = "no playable audio (zero duration)";
    return out;
  }
  auto hash = hash_file(path);
  if (!hash) {
    out.message = "cannot read the file";
    return out;
  }
  if (options.reject_duplicates) {
    if (auto dup = catalog_.find_track_by_hash(hash->hex)) {
      out.status = ImportStatus::duplicate;
      out.track_id = dup->id;
      out.message = "identical file already in the library";
      return out;
    }
  }

  if (options.artist && !clean_name(*options.artist).empty()) tags.artists = {*options.artist};
  if (options.title && !clean_name(*options.title).empty()) tags.title = options.title;
  if (options.album && !clean_name(*options.album).empty()) tags.album = options.album;
  auto names = resolve_names(tags, path);
  auto now = util::now_micros();
  model::Artist artist_proposal{util::new_uuid(), names.artist, tags.mb_artist_id, {}, {}, now};
  auto artist = artist_for(artist_key(names.artist, tags.mb_artist_id), artist_proposal, cache);
  model::Artist album_artist = artist;
  if (names.album_artist != names.artist) {
    model::Artist proposal{util::new_uuid(), names.album_artist, tags.mb_album_artist_id, {}, {}, now};
    album_artist = artist_for(artist_key(names.album_artist, tags.mb_album_artist_id), proposal, cache);
  }
  model::Album album_proposal;
  album_proposal.id = util::new_uuid();
  album_proposal.title = names.album;
  album_proposal.artist_name = album_artist.name;
  album_proposal.artist_id = album_artist.id;
  album_proposal.musicbrainz_id = tags.mb_album_id;
  album_proposal.genre = names.genre;
  album_proposal.year = tags.year;
  if (tags.date && tags.date->size() == 10) album_proposal.release_date = tags.date;
  album_proposal.is_compilation = tags.compilation;
  album_proposal.created_at = now;
  auto album = album_for(album_key(album_artist.id, names.album, tags.mb_album_id), album_proposal, cache);
  bool settle_cover = !album.cover_url;
  if (settle_cover && cache) {
    std::lock_guard l(cache->mu);
    settle_cover = cache->covered.insert(album.id).second;
  }
  if (settle_cover) {
    std::optional<std::string> url;
    try {
      if (picture) url = covers_.store(picture->data);
      if (!url) {
        if (auto folder = covers_.find_folder_cover(path, options.confine_to)) {
          std::error_code size_ec;
          auto size = fs::file_size(*folder, size_ec);
          if (!size_ec && size <= CoverStore::kMaxCoverBytes) {  // never read a huge file to refuse it after
            std::ifstream in(*folder, std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            url = covers_.store(bytes);
          }
        }
      }
    } catch (const StorageError& e) {
      // The music is imported all the same; the album's cover is looked for again at the next scan.
      spdlog::warn("import: the cover of {} could not be stored: {}", path, e.what());
      if (cache) {
        std::lock_guard l(cache->mu);
        cache->covered.erase(album.id);
      }
    }
    if (url) catalog_.set_album_cover(album.id, *url, true);
  }

  // The outboard lets peers verify any range of this file later; written before the row refers to it,
  // whole or not at all. One already there is trusted only if it is exactly the one just computed (a
  // run killed before atomic writes, or a damaged disk, may have left another).
  std::string obao = outboard_path(outboard_dir_, hash->hex);
  std::error_code ec;
  if (!hash->outboard.empty()) {
    std::string_view want(reinterpret_cast<const char*>(hash->outboard.data()), hash->outboard.size());
    bool good = false;
    if (fs::file_size(obao, ec) == want.size() && !ec) {
      std::ifstream in(obao, std::ios::binary);
      std::string have((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      good = have == want;
    }
    if (!good) {
      fs::create_directories(fs::path(obao).parent_path(), ec);
      if (!util::write_durably(obao, want)) throw std::runtime_error("cannot write the outboard " + obao);
    }
  }

  model::Track t;
  t.id = row ? row->track_id : util::new_uuid();
  t.title = names.title;
  t.artist_id = artist.id;
  t.album_id = album.id;
  t.track_number = tags.track_number;
  t.track_total = tags.track_total;
  t.disc_number = tags.disc_number.value_or(1);
  t.disc_total = tags.disc_total;
  t.duration_secs = tags.duration_secs;
  t.genre = names.genre;
  t.year = tags.year;
  t.musicbrainz_id = tags.mb_track_id;
  t.file_path = path;
  t.file_size = st.st_size;
  t.file_mtime = st.st_mtim.tv_sec;
  t.format = std::string(audio::format_name(format));
  t.bitrate = tags.bitrate_kbps;
  t.sample_rate = tags.sample_rate;
  t.channels = tags.channels;
  t.bit_depth = tags.bit_depth;
  t.replaygain_track_gain = tags.rg_track_gain;
  t.replaygain_track_peak = tags.rg_track_peak;
  t.replaygain_album_gain = tags.rg_album_gain;
  t.replaygain_album_peak = tags.rg_album_peak;
  t.lyrics = tags.lyrics;
  t.uploaded_by = options.uploaded_by;
  t.content_hash = hash->hex;
  t.artist_name = artist.name;
  t.album_title = album.title;
  t.created_at = now;
  out.status = row ? ImportStatus::updated : ImportStatus::added;
  prepared.is_update = row.has_value();
  out.track_id = t.id;
  prepared.track = std::move(t);
  return out;
}

namespace {

// A file the walk found, with what the catalogue knew of it when the import started.
struct Found {
  std::string path;
  std::optional<model::KnownFile> known;    // size and mtime (the track id is looked up only if changed)
  std::optional<model::KnownFile> ignored;  // size and mtime when an administrator removed it
};

// The walk's hand-over to the workers: bounded, so memory stays flat however big the tree.
class FoundQueue {
 public:
  explicit FoundQueue(std::size_t capacity) : capacity_(std::max<std::size_t>(1, capacity)) {}
  void push(Found f) {
    std::unique_lock l(mu_);
    space_.wait(l, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(f));
    ready_.notify_one();
  }
  void close() {
    std::lock_guard l(mu_);
    closed_ = true;
    ready_.notify_all();
  }
  // False once closed and drained.
  bool pop(Found& out) {
    std::unique_lock l(mu_);
    ready_.wait(l, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return false;
    out = std::move(items_.front());
    items_.pop_front();
    space_.notify_one();
    return true;
  }

 private:
  std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<Found> items_;
  bool closed_ = false;
};

}  // namespace

TreeResult Importer::import_tree(const std::string& root, unsigned threads, bool remove_missing,
                                 const std::function<void(const ImportProgress&)>& on_progress) {
  TreeResult result;
  std::error_code ec;
  std::string canonical_root = fs::weakly_canonical(root, ec).string();
  std::string prefix = canonical_root.empty() || canonical_root.back() == '/' ? canonical_root : canonical_root + "/";
  if (canonical_root.empty() || !fs::is_directory(canonical_root, ec)) {
    result.errors.push_back(fmt::format("{}: {}", root, ec ? ec.message() : "not a directory"));
    result.failed = 1;
    return result;
  }

  // What the catalogue knows under the root, read a page at a time into a compact sorted index.
  KnownFiles known(prefix);
  auto page_size = static_cast<std::int64_t>(std::max<std::size_t>(1, tuning_.known_page));
  for (std::string after;;) {
    auto page = catalog_.known_files_page(prefix, after, page_size);
    for (const auto& f : page) known.add(f.path, f.size, f.mtime);
    if (static_cast<std::int64_t>(page.size()) < page_size) break;
    after = std::move(page.back().path);
  }
  known.sort();
  KnownFiles ignored(prefix);
  for (const auto& [path, k] : catalog_.ignored_under(prefix)) ignored.add(path, k.size, k.mtime);
  ignored.sort();

  ImportOptions scan_options;
  scan_options.confine_to = prefix;
  ImportProgress progress;
  std::mutex errors_mu;
  auto note_error = [&](const std::string& what) {
    std::lock_guard l(errors_mu);
    if (result.errors.size() < 100) result.errors.push_back(what);
  };
  ImportCache cache;

  // The writer: tracks the workers prepared, written in batches of write_batch (or what ~100 ms
  // gathered), one transaction each, so workers never wait for a commit.
  std::mutex write_mu;
  std::condition_variable write_ready, write_space;
  std::vector<model::Track> inserts, updates;
  bool workers_done = false;
  const std::size_t batch_size = std::max<std::size_t>(1, tuning_.write_batch);
  auto write_inserts = [&](const std::vector<model::Track>& tracks) {
    if (tracks.empty()) return;
    try {
      catalog_.insert_tracks(tracks);
      return;
    } catch (const std::exception&) {
      // Retried one by one below, so one bad row does not cost the whole batch.
    }
    for (const auto& t : tracks) {
      try {
        catalog_.insert_track(t);
      } catch (const model::UniqueViolation&) {
        --progress.added;  // another import added this path meanwhile: it is there
        ++progress.unchanged;
      } catch (const std::exception& e) {
        --progress.added;
        ++progress.failed;
        note_error(t.file_path + ": " + e.what());
      }
    }
  };
  auto write_updates = [&](const std::vector<model::Track>& tracks) {
    if (tracks.empty()) return;
    try {
      catalog_.update_track_files(tracks);
      return;
    } catch (const std::exception&) {
    }
    for (const auto& t : tracks) {
      try {
        catalog_.update_track_file(t);
      } catch (const std::exception& e) {
        --progress.updated;
        ++progress.failed;
        note_error(t.file_path + ": " + e.what());
      }
    }
  };
  std::thread writer([&] {
    std::unique_lock l(write_mu);
    for (;;) {
      write_ready.wait_for(l, std::chrono::milliseconds(100),
                           [&] { return workers_done || inserts.size() + updates.size() >= batch_size; });
      if (inserts.empty() && updates.empty()) {
        if (workers_done) return;
        continue;
      }
      std::vector<model::Track> ins, upd;
      ins.swap(inserts);
      upd.swap(updates);
      write_space.notify_all();
      l.unlock();
      write_inserts(ins);
      write_updates(upd);
      l.lock();
    }
  });
  auto hand_to_writer = [&](model::Track t, bool is_update) {
    std::unique_lock l(write_mu);
    // A writer slower than the workers holds them back rather than letting tracks pile up in memory.
    write_space.wait(l, [&] { return inserts.size() + updates.size() < 4 * batch_size; });
    (is_update ? updates : inserts).push_back(std::move(t));
    if (inserts.size() + updates.size() >= batch_size) write_ready.notify_one();
  };

  FoundQueue queue(tuning_.walk_queue);
  auto worker = [&] {
    Found f;
    while (queue.pop(f)) {
      ImportOutcome o;
      try {
        Prepared p;
        if (f.ignored) {
          struct stat st {};
          if (::stat(f.path.c_str(), &st) == 0 && st.st_size == f.ignored->size && st.st_mtim.tv_sec == f.ignored->mtime) {
            o.status = ImportStatus::ignored;
          } else {
            catalog_.unignore_file(f.path);  // replaced since it was removed: welcome back
          }
        }
        if (o.status != ImportStatus::ignored) o = prepare(f.path, scan_options, f.known, &cache, p);
        if (o.status == ImportStatus::added || o.status == ImportStatus::updated)
          hand_to_writer(std::move(p.track), p.is_update);
      } catch (const std::exception& e) {
        o.status = ImportStatus::failed;
        o.message = e.what();
      }
      switch (o.status) {
        case ImportStatus::added: ++progress.added; break;
        case ImportStatus::updated: ++progress.updated; break;
        case ImportStatus::unchanged: ++progress.unchanged; break;
        case ImportStatus::duplicate: ++progress.duplicates; break;
        case ImportStatus::skipped_not_audio: ++progress.skipped; break;
        case ImportStatus::ignored: ++progress.ignored; break;
        case ImportStatus::failed:
          ++progress.failed;
          note_error(f.path + ": " + o.message);
          break;
      }
      ++progress.done;
      if (on_progress) on_progress(progress);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < std::max(1u, threads); ++t) pool.emplace_back(worker);

  // The walk runs here, feeding the workers as it finds files; it alone marks the known files seen.
  auto skip = [](const std::string& path) { return obviously_not_audio(fs::path(path)); };
  WalkResult walk;
  try {
    walk = walk_tree(prefix, skip, [&](const std::string& path, const struct stat* st) {
      Found f;
      f.path = path;
      auto* k = known.find(path);
      if (k) {
        k->seen = true;
        f.known = model::KnownFile{"", k->size, k->mtime};
      }
      if (auto* ig = ignored.find(path)) f.ignored = model::KnownFile{"", ig->size, ig->mtime};
      ++progress.total;
      // A known file of the same size and time is unchanged (what prepare() decides): counted here rather
      // than handed to a worker, which would stat it again by its whole path.
      if (k && !f.ignored && st && k->size == st->st_size && k->mtime == st->st_mtim.tv_sec) {
        ++progress.unchanged;
        ++progress.done;
        if (on_progress) on_progress(progress);
        return true;
      }
      queue.push(std::move(f));
      return true;
    });
  } catch (const std::exception& e) {
    walk.error = e.what();  // the workers still finish what was found, and nothing is removed
  }
  progress.walking = false;
  queue.close();
  for (auto& t : pool) t.join();
  {
    std::lock_guard l(write_mu);
    workers_done = true;
  }
  write_ready.notify_one();
  writer.join();
  if (on_progress) on_progress(progress);
  result.outside_root = walk.outside_root;
  if (!walk.error.empty()) note_error(fmt::format("{}: {}", root, walk.error));

  if (remove_missing && walk.error.empty() && progress.total == 0 && known.size() > 0) {
    // Not one file where the catalogue knows some: an unmounted disk or share looks just like this, and
    // removing the tracks would take their plays, stars and places in playlists with them. Nothing is removed;
    // an administrator who did empty the folder removes its tracks from the console.
    note_error(fmt::format("{}: no file found where {} tracks were; nothing removed (is the folder mounted?)", root,
                           known.size()));
  } else if (remove_missing && walk.error.empty()) {
    // Only the known files the walk did not meet can have gone; one stat each tells (this run's
    // additions were never in the index).
    known.for_each_unseen([&](const std::string& path) {
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0 || (errno != ENOENT && errno != ENOTDIR)) return;
      try {
        if (auto k = catalog_.find_by_path(path)) {
          catalog_.delete_track(k->track_id);
          ++result.removed;
        }
      } catch (const std::exception& e) {
        note_error(path + ": " + e.what());
      }
    });
  }
  // A removed track took its emptied album and artist with it; a changed file may have left one.
  if (progress.updated > 0) catalog_.prune_orphans();

  result.files = progress.total;
  result.added = progress.added;
  result.updated = progress.updated;
  result.unchanged = progress.unchanged;
  result.duplicates = progress.duplicates;
  result.skipped = progress.skipped;
  result.ignored = progress.ignored;
  result.failed = progress.failed + (walk.error.empty() ? 0 : 1);
  return result;
}

}  // namespace st::library
