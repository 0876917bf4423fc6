#pragma once
// Brings audio files into the catalogue, in place (files are referenced where they are, never copied):
// content sniffing, tags, BLAKE3 content hash and outboard, artist/album grouping, covers.
// Tree imports read tags on every core; memory stays flat (one file per worker at a time).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "library/cover_store.hpp"
#include "model/catalog.hpp"

namespace st::library {

enum class ImportStatus { added, updated, unchanged, duplicate, skipped_not_audio, ignored, failed };

struct ImportOutcome {
  ImportStatus status = ImportStatus::failed;
  std::string track_id;  // for added, updated, unchanged, duplicate
  std::string message;   // why it failed or was skipped
};

struct ImportOptions {
  std::optional<std::string> uploaded_by;
  // Refuse a file whose exact bytes are already in the catalogue (uploads); a scan keeps both.
  bool reject_duplicates = false;
  // Names given by the uploader win over the tags (single uploads).
  std::optional<std::string> title, artist, album;
  // A scan's root (canonical, ending in '/'): a folder cover that is a link leading outside it is not read.
  std::optional<std::string> confine_to;
};

struct ImportProgress {
  // Files found so far: the walk feeds the workers as it goes, so total grows until walking is false.
  std::atomic<std::uint64_t> total{0};
  std::atomic<bool> walking{true};
  std::atomic<std::uint64_t> done{0};
  std::atomic<std::uint64_t> added{0}, updated{0}, unchanged{0}, duplicates{0}, skipped{0}, ignored{0}, failed{0};
};

struct TreeResult {
  std::uint64_t files = 0, added = 0, updated = 0, unchanged = 0, duplicates = 0, skipped = 0, failed = 0,
                removed = 0;
  std::uint64_t ignored = 0;  // removed by an administrator and unchanged since
  std::uint64_t outside_root = 0;  // links whose target is outside the root, not imported
  std::vector<std::string> errors;  // "path: reason", at most 100
};

// Sizes of a tree import's buffers (tests make them small to cross their edges).
struct ImportTuning {
  std::size_t walk_queue = 1024;    // paths found, waiting for a worker
  std::size_t known_page = 10000;   // catalogue rows read per query at the start of a rescan
  // Prepared tracks that wake the writer (it also wakes every ~100 ms and writes all that wait, up to four
  // times this while it was busy, in one transaction). A commit writes every index page it touched: at a
  // million tracks, batches of 512 wrote 34 GB for a 1 GB database and took 237 s; 4,096: 15 GB, 100-122 s.
  std::size_t write_batch = 4096;
};

// Artists, albums and covers already settled during one tree import: each is written once, not once
// per track.
struct ImportCache;

class Importer {
 public:
  Importer(model::CatalogRepository& catalog, CoverStore& covers, std::string outboard_dir)
      : catalog_(catalog), covers_(covers), outboard_dir_(std::move(outboard_dir)) {}

  ImportOutcome import_file(const std::string& path, const ImportOptions& options = {});
  ~Importer();
  void set_tuning(const ImportTuning& t) { tuning_ = t; }

  // Imports every file under root (recursively, following no symlinked directories, and no symlinked
  // file or cover whose target is outside root) on `threads` workers. With remove_missing, tracks under root whose files are gone are removed (a rescan).
  // The walk feeds the workers through a bounded queue; workers read tags and hash; one writer thread
  // puts their tracks in the catalogue in batches, one transaction each (a killed import leaves whole
  // batches only). on_progress is called from worker threads, often: keep it cheap.
  TreeResult import_tree(const std::string& root, unsigned threads, bool remove_missing,
                         const std::function<void(const ImportProgress&)>& on_progress = {});

 private:
  struct Prepared;
  // Everything but writing the track row: checks, tags, hash, outboard, artist, album, cover.
  ImportOutcome prepare(const std::string& path, const ImportOptions& options,
                        const std::optional<model::KnownFile>& known, ImportCache* cache, Prepared& out);
  model::Artist artist_for(const std::string& key, const model::Artist& proposal, ImportCache* cache);
  model::Album album_for(const std::string& key, const model::Album& proposal, ImportCache* cache);

  model::CatalogRepository& catalog_;
  CoverStore& covers_;
  std::string outboard_dir_;
  ImportTuning tuning_;
};

// Where a blob's BLAKE3 outboard is kept: <dir>/<hash[0:2]>/<hash>.obao
std::string outboard_path(const std::string& dir, const std::string& hash_hex);

}  // namespace st::library
