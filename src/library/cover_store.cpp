#include "library/cover_store.hpp"

#include "audio/image_header.hpp"
#include "audio/image_scaler.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <cctype>
#include <fstream>

#include "crypto/blake3.hpp"
#include "util/durable_file.hpp"
#include "util/random.hpp"

namespace st::library {

namespace fs = std::filesystem;

std::string image_extension(std::string_view b) {
  if (b.size() >= 3 && static_cast<unsigned char>(b[0]) == 0xFF && static_cast<unsigned char>(b[1]) == 0xD8 &&
      static_cast<unsigned char>(b[2]) == 0xFF)
    return "jpg";
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "png";
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "webp";
  if (b.size() >= 6 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a")) return "gif";
  return "";
}

std::string image_mime(std::string_view ext) {
  return ext == "jpg" ? "image/jpeg" : "image/" + std::string(ext);
}

std::string CoverStore::refusal(std::string_view bytes) {
  if (image_extension(bytes).empty()) return "not a JPEG, PNG, WebP or GIF image";
  if (bytes.size() > kMaxCoverBytes) return "the image is larger than 20 MB";
  return audio::image_refusal(bytes);
}

std::optional<std::string> CoverStore::store(std::string_view bytes) {
  if (!refusal(bytes).empty()) return std::nullopt;
  std::string ext = image_extension(bytes);
  std::string hash = crypto::to_hex(crypto::blake3(bytes));
  std::string rel = "covers/" + hash.substr(0, 2) + "/" + hash + "." + ext;
  std::string url = "/api/media/" + rel;
  fs::path full = fs::path(root_) / rel;
  std::error_code ec;
  if (fs::exists(full, ec)) return url;
  if (objects_) {
    if (cache_->cached(rel) || objects_->head(rel)) return url;  // the same bytes, stored before
    // Written whole to a local file first: the store takes files, and the copy then serves this node.
    fs::create_directories(root_, ec);
    std::string tmp = (fs::path(root_) / (".cover-" + util::random_hex(8) + ".part")).string();
    if (!util::write_durably(tmp, bytes)) throw StorageError(StorageError::Kind::unavailable, "cannot write " + tmp);
    try {
      objects_->put_file(rel, tmp, image_mime(ext));
    } catch (...) {
      fs::remove(tmp, ec);
      throw;
    }
    cache_->adopt(rel, tmp);
    return url;
  }
  fs::create_directories(full.parent_path(), ec);
  // Written beside, flushed, then renamed: readers and later runs never see a half-written cover.
  if (!util::write_durably(full.string(), bytes)) return std::nullopt;
  return url;
}

bool resolves_within(const std::string& path, const std::string& folder) {
  std::error_code ec;
  auto real = fs::canonical(path, ec);
  return !ec && real.string().rfind(folder, 0) == 0;
}

namespace {

std::optional<std::string> cover_in(const fs::path& dir, const std::optional<std::string>& confine_to) {
  std::error_code ec;
  auto usable = [&](const fs::path& p) {
    if (!fs::is_regular_file(p, ec)) return false;
    return !confine_to || resolves_within(p.string(), *confine_to);
  };
  for (auto stem : {"cover", "folder", "front", "album"}) {
    for (auto ext : {".jpg", ".jpeg", ".png", ".webp", ".JPG", ".JPEG", ".PNG", ".WEBP"}) {
      fs::path p = dir / (std::string(stem) + ext);
      if (usable(p)) return p.string();
    }
  }
  // Capitalised variants (Cover.jpg, Folder.jpg) as file managers and rippers write them.
  for (auto stem : {"Cover", "Folder", "Front"}) {
    for (auto ext : {".jpg", ".jpeg", ".png", ".webp"}) {
      fs::path p = dir / (std::string(stem) + ext);
      if (usable(p)) return p.string();
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> CoverStore::find_folder_cover(const std::string& audio_path,
                                                         const std::optional<std::string>& confine_to) const {
  fs::path dir = fs::path(audio_path).parent_path();
  if (auto c = cover_in(dir, confine_to)) return c;
  // Disc sub-folders (CD1, Disc 2, ...) usually share the album folder's cover.
  std::string name = dir.filename().string();
  std::string lower;
  for (char ch : name) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  if (lower.rfind("cd", 0) == 0 || lower.rfind("disc", 0) == 0 || lower.rfind("disk", 0) == 0)
    return cover_in(dir.parent_path(), confine_to);
  return std::nullopt;
}

void CoverStore::keep_in(ObjectStore& store, MediaCache& cache) {
  objects_ = &store;
  cache_ = &cache;
  std::error_code ec;  // what a store() that was killed left
  for (auto it = fs::directory_iterator(root_, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name.starts_with(".cover-") && name.ends_with(".part")) fs::remove(it->path(), ec);
  }
}

bool CoverStore::is_cover_path(std::string_view media_path) {
  // Exactly covers/<2 hex>/<64 hex>.<ext>: nothing else is served, so no traversal is possible.
  if (media_path.size() < 7 + 3 + 65 + 3 || media_path.substr(0, 7) != "covers/") return false;
  std::string_view rest = media_path.substr(7);
  if (rest.size() < 3 || rest[2] != '/') return false;
  std::string_view file = rest.substr(3);
  auto dot = file.find('.');
  if (dot != 64) return false;
  for (std::size_t i = 0; i < 64; ++i) {
    char c = file[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  if (rest.substr(0, 2) != file.substr(0, 2)) return false;
  std::string_view ext = file.substr(65);
  return ext == "jpg" || ext == "png" || ext == "webp" || ext == "gif";
}

std::optional<std::string> CoverStore::file(std::string_view media_path, bool only_local) const {
  if (!is_cover_path(media_path)) return std::nullopt;
  std::string here = (fs::path(root_) / media_path).string();
  std::error_code ec;
  if (fs::is_regular_file(here, ec)) return here;  // stored on this disk (also before object storage)
  if (!objects_) return std::nullopt;
  std::string key(media_path);
  if (auto copy = cache_->cached(key)) return copy;
  if (only_local) return std::nullopt;
  try {
    return cache_->fetch(key);
  } catch (const StorageError& e) {
    if (e.kind == StorageError::Kind::not_found) return std::nullopt;
    throw;
  }
}

std::optional<std::string> CoverStore::scaled(const std::string& cover_file, int size) const {
  static constexpr int kSteps[] = {64, 128, 256, 512, 1024};
  int step = 0;
  for (int s : kSteps)
    if (size <= s) {
      step = s;
      break;
    }
  if (step == 0) return cover_file;  // bigger than any step: the original
  fs::path src(cover_file);
  std::string name = "covers/scaled/" + std::to_string(step) + "/" + src.stem().string() + ".jpg";
  // With object storage the scaled copy is the media cache's (made again by any node that lacks it).
  std::string out = cache_ ? cache_->copy_path(name) : (fs::path(root_) / name).string();
  auto made_before = [&]() -> std::optional<std::string> {
    std::error_code ec;
    if (cache_) return cache_->cached(name);
    if (fs::exists(out, ec)) return out;
    return std::nullopt;
  };
  if (auto done = made_before()) return done;
  std::unique_lock lock(jobs_mu_);
  jobs_cv_.wait(lock, [&] { return !jobs_.count(out) && jobs_.size() < kMaxScaleJobs; });
  if (auto done = made_before()) return done;  // made while we waited
  jobs_.insert(out);
  lock.unlock();
  struct Done {  // however the job ends, the next asker may go
    const CoverStore& self;
    const std::string& out;
    ~Done() {
      std::lock_guard l(self.jobs_mu_);
      self.jobs_.erase(out);
      self.jobs_cv_.notify_all();
    }
  } done{*this, out};
  auto made = scale_now(cover_file, out, step);
  if (!made || !cache_) return made;
  cache_->adopt(name, *made);
  return cache_->cached(name);
}

std::optional<std::string> CoverStore::scale_now(const std::string& cover_file, const std::string& out_file,
                                                 int step) const {
  fs::path out(out_file);
  std::error_code ec;
  fs::create_directories(out.parent_path(), ec);
  fs::path tmp = out.string() + "." + util::random_hex(6) + ".part";  // the media cache sweeps *.part
  try {
    audio::scale_image(cover_file, tmp.string(), step);
    if (!util::sync_file(tmp.string())) throw std::runtime_error("cannot flush " + tmp.string());
  } catch (const std::exception&) {
    fs::remove(tmp, ec);
    return std::nullopt;
  }
  fs::rename(tmp, out, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return std::nullopt;
  }
  return out.string();
}

}  // namespace st::library
