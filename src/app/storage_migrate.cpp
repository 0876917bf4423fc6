#include "app/storage_migrate.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include "app/progress_bar.hpp"
#include "app/s3_object_store.hpp"
#include "app/services.hpp"
#include "audio/format_sniffer.hpp"
#include "library/cover_store.hpp"
#include "library/object_file.hpp"
#include "library/object_store.hpp"

namespace st::app {

namespace {

namespace fs = std::filesystem;

std::uint64_t file_size_or_zero(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
}

// An object copied to dest: written beside it, synced, checked whole, then renamed into place.
void fetch_whole(library::ObjectStore& store, const std::string& key, std::uint64_t size, const fs::path& dest) {
  fs::create_directories(dest.parent_path());
  library::save_object(library::whole_reads(store), key, dest.string(),
                       {.part = dest.string() + ".migrating", .durable = true, .expect = size});
}

// Album covers (named by their content: an object and a file of one name hold the same bytes) moved to
// the store or back to <data>/media. Returns how many could not be moved.
std::uint64_t move_covers(library::ObjectStore& store, const fs::path& media_root, bool up) {
  std::vector<std::pair<std::string, std::uint64_t>> todo;  // keys (= paths under media_root), sizes
  if (up) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(media_root / "covers", ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      auto rel = it->path().lexically_relative(media_root).generic_string();
      if (it->is_regular_file(ec) && library::CoverStore::is_cover_path(rel)) todo.emplace_back(rel, it->file_size(ec));
    }
  } else {
    store.list(std::string(library::kCoverKeys), [&](const std::string& key, const library::ObjectMeta& meta) {
      if (library::CoverStore::is_cover_path(key)) todo.emplace_back(key, meta.size);
    });
  }
  std::cout << fmt::format("{} covers to move\n", todo.size());
  ProgressBar bar(up ? "to s3" : "to local", "covers");
  std::uint64_t done = 0, failed = 0;
  for (const auto& [key, size] : todo) {
    fs::path local = media_root / key;
    try {
      if (up) {
        auto meta = store.head(key);
        if (!meta || meta->size != size) store.put_file(key, local.string(), library::image_mime(local.extension().string().substr(1)));
        meta = store.head(key);
        if (!meta || meta->size != size) throw std::runtime_error("the store does not hold the whole cover after storing it");
        fs::remove(local);
      } else {
        if (file_size_or_zero(local.string()) != size) fetch_whole(store, key, size, local);
        store.remove(key);
      }
    } catch (const std::exception& e) {
      ++failed;
      std::cerr << fmt::format("\n  {}: {}\n", key, e.what());
    }
    bar.update(++done, todo.size());
  }
  bar.finish();
  return failed;
}

class Migration {
 public:
  Migration(Services& s, library::ObjectStore& store, fs::path root) : s_(s), store_(store), root_(std::move(root)) {}

  // The key of a local upload (its path under the upload storage), or nothing for any other file.
  std::optional<std::string> key_of(const std::string& path) const {
    std::error_code ec;
    auto rel = fs::weakly_canonical(path, ec).lexically_relative(root_).generic_string();
    if (ec || rel.empty() || rel.starts_with("..")) return std::nullopt;
    return rel;
  }

  // One upload to the store. Already there (a run stopped between the copy and the row): not copied again.
  void to_s3(model::Track t, const std::string& key) {
    auto size = file_size_or_zero(t.file_path);
    if (size == 0) throw std::runtime_error("its file is missing or empty: " + t.file_path);
    auto meta = store_.head(key);
    if (!meta || meta->size != size) {
      store_.put_file(key, t.file_path, std::string(audio::mime_for_format_name(t.format)));
      meta = store_.head(key);
      if (!meta || meta->size != size) throw std::runtime_error("the store does not hold the whole file after storing it");
    }
    std::string local = t.file_path;
    t.file_path = std::string(library::kObjectScheme) + key;
    s_.catalog->update_track_file(t);
    std::error_code ec;
    fs::remove(local, ec);  // the row names the object now
  }

  // One object back to the upload storage, written beside its place and renamed into it once whole.
  void to_local(model::Track t, const std::string& key) {
    auto meta = store_.head(key);
    fs::path dest = root_ / fs::path(key);
    std::string local = dest.string();
    if (!meta) {
      // The object is removed only after the row names the file, so it was lost from the store: nothing
      // to copy from (a file left here whole by an earlier run is kept).
      if (file_size_or_zero(local) == 0) throw std::runtime_error("its object is missing from the store: " + key);
    } else if (file_size_or_zero(local) != meta->size) {
      fetch_whole(store_, key, meta->size, dest);
    }
    t.file_path = local;
    s_.catalog->update_track_file(t);
    if (meta) store_.remove(key);  // the row names the file now
  }

 private:
  Services& s_;
  library::ObjectStore& store_;
  fs::path root_;
};

}  // namespace

int storage_migrate(const Config& c, const std::string& to) {
  if (to != "s3" && to != "local") {
    std::cerr << "error: --to must be s3 or local\n";
    return 2;
  }
  if (c.s3_bucket.empty() || c.s3_access_key.empty() || c.s3_secret_key.empty()) {
    std::cerr << "error: S3_BUCKET, S3_ACCESS_KEY and S3_SECRET_KEY (and S3_ENDPOINT, S3_PREFIX) name the store to "
                 "migrate to or from\n";
    return 2;
  }
  Services s = open_services(c);
  S3ObjectStore store(lib::s3::Config{c.s3_endpoint, c.s3_bucket, c.s3_region, c.s3_access_key, c.s3_secret_key,
                                      c.s3_prefix, c.s3_path_style});
  store.check(c.s3_create_bucket);
  std::error_code ec;
  fs::path root = fs::weakly_canonical(c.audio_storage_path, ec);
  Migration m(s, store, root);
  bool up = to == "s3";

  // What is to move: uploads on the other side. Counted first, for the progress bar.
  auto wanted = [&](const model::TrackFile& f) -> std::optional<std::string> {
    if (library::is_object_path(f.path)) return up ? std::nullopt : std::optional(library::object_key(f.path));
    return up ? m.key_of(f.path) : std::nullopt;
  };
  std::uint64_t total = 0;
  for (std::string after;;) {
    auto batch = s.catalog->track_files(after, 1000);
    if (batch.empty()) break;
    for (const auto& f : batch)
      if (wanted(f)) ++total;
    after = batch.back().id;
  }
  std::cout << fmt::format("{} tracks to move to {}\n", total, up ? store.describe() : root.string());
  ProgressBar bar(up ? "to s3" : "to local", "tracks");
  std::uint64_t done = 0, failed = 0;
  bar.update(0, total);
  for (std::string after;;) {
    auto batch = s.catalog->track_files(after, 200);
    if (batch.empty()) break;
    for (const auto& f : batch) {
      auto key = wanted(f);
      if (!key) continue;
      try {
        auto t = s.catalog->find_track(f.id);
        if (!t) continue;  // deleted meanwhile
        if (up) m.to_s3(*t, *key);
        else m.to_local(*t, *key);
      } catch (const std::exception& e) {
        ++failed;
        std::cerr << fmt::format("\n  {} ({}): {}\n", f.title, f.id, e.what());
      }
      bar.update(++done, total);
    }
    after = batch.back().id;
  }
  bar.finish();
  auto covers_failed = move_covers(store, fs::path(c.data_dir) / "media", up);
  std::cout << fmt::format("{} tracks moved, {} failed; covers: {} failed{}\n", done - failed, failed, covers_failed,
                           failed || covers_failed ? " (run it again to retry them)" : "");
  failed += covers_failed;
  if (!failed)
    std::cout << fmt::format("now start the server with STORAGE_BACKEND={}\n", up ? "s3" : "local");
  return failed ? 1 : 0;
}

}  // namespace st::app
