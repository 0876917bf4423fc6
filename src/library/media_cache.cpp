#include "library/media_cache.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>

#include "crypto/blake3.hpp"
#include "library/object_file.hpp"

namespace st::library {

namespace fs = std::filesystem;

MediaCache::MediaCache(ObjectStore& store, std::string dir, std::uint64_t max_bytes)
    : MediaCache(whole_reads(store), std::move(dir), max_bytes) {}

MediaCache::MediaCache(ObjectReader source, std::string dir, std::uint64_t max_bytes)
    : source_(std::move(source)), dir_(std::move(dir)), max_bytes_(max_bytes) {
  fs::create_directories(dir_);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (!e.is_regular_file(ec)) continue;
    std::string name = e.path().filename().string();
    if (name.ends_with(".part")) {
      fs::remove(e.path(), ec);
      continue;
    }
    add_locked(name, e.file_size(ec));
  }
  std::lock_guard lock(mu_);
  evict_locked("");
}

std::string MediaCache::copy_path(const std::string& key) const {
  // The key's hash names the copy (keys hold slashes and any character); the extension stays, for the
  // readers that look at it (tag reading).
  std::string ext = fs::path(key).extension().string();
  if (ext.size() > 8) ext.clear();
  return (fs::path(dir_) / (crypto::to_hex(crypto::blake3(key)).substr(0, 40) + ext)).string();
}

void MediaCache::add_locked(const std::string& name, std::uint64_t size) {
  auto [it, added] = entries_.try_emplace(name);
  if (!added) bytes_ -= it->second.size;
  it->second.size = size;
  it->second.used = ++tick_;
  bytes_ += size;
}

void MediaCache::evict_locked(const std::string& keep) {
  while (bytes_ > max_bytes_ && entries_.size() > (keep.empty() ? 0u : 1u)) {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
      if (it->first != keep && !fetching_.count(it->first) && (oldest == entries_.end() || it->second.used < oldest->second.used))
        oldest = it;
    if (oldest == entries_.end()) return;
    std::error_code ec;
    fs::remove(fs::path(dir_) / oldest->first, ec);  // a reader that opened it keeps reading
    bytes_ -= oldest->second.size;
    entries_.erase(oldest);
  }
}

std::optional<std::string> MediaCache::cached(const std::string& key) {
  std::string path = copy_path(key);
  std::string name = fs::path(path).filename().string();
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end() || fetching_.count(name) || !present_locked(it)) return std::nullopt;
  it->second.used = ++tick_;
  return path;
}

// Whether the entry's file is still there (an operator may empty the folder); a vanished one is dropped.
bool MediaCache::present_locked(std::map<std::string, Entry>::iterator it) {
  std::error_code ec;
  if (fs::is_regular_file(fs::path(dir_) / it->first, ec)) return true;
  bytes_ -= it->second.size;
  entries_.erase(it);
  return false;
}

std::string MediaCache::local_path(const std::string& file_path) {
  return is_object_path(file_path) ? fetch(object_key(file_path)) : file_path;
}

std::string MediaCache::fetch(const std::string& key) {
  std::string path = copy_path(key);
  std::string name = fs::path(path).filename().string();
  {
    std::unique_lock lock(mu_);
    fetched_.wait(lock, [&] { return !fetching_.count(name); });
    if (auto it = entries_.find(name); it != entries_.end() && present_locked(it)) {
      it->second.used = ++tick_;
      return path;
    }
    fetching_.insert(name);
  }
  std::uint64_t size = 0;
  try {
    size = save_object(source_, key, path, {.part = path + ".part"});
  } catch (...) {
    std::lock_guard lock(mu_);
    fetching_.erase(name);
    fetched_.notify_all();
    throw;
  }
  std::lock_guard lock(mu_);
  fetching_.erase(name);
  add_locked(name, size);
  evict_locked(name);
  fetched_.notify_all();
  return path;
}

void MediaCache::adopt(const std::string& key, const std::string& file) {
  std::string path = copy_path(key);
  std::error_code ec;
  fs::rename(file, path, ec);
  if (ec) {  // another filesystem: copy, then drop the original
    fs::copy_file(file, path + ".part", fs::copy_options::overwrite_existing, ec);
    if (!ec) fs::rename(path + ".part", path, ec);
    std::error_code ignored;
    fs::remove(file, ignored);
    if (ec) {
      fs::remove(path + ".part", ignored);
      return;  // the copy is only a cache: the next reader fetches it
    }
  }
  std::uint64_t size = fs::file_size(path, ec);
  std::lock_guard lock(mu_);
  add_locked(fs::path(path).filename().string(), ec ? 0 : size);
  evict_locked(fs::path(path).filename().string());
}

void MediaCache::forget(const std::string& key) {
  std::string path = copy_path(key);
  std::string name = fs::path(path).filename().string();
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(name); it != entries_.end() && !fetching_.count(name)) {
    std::error_code ec;
    fs::remove(path, ec);
    bytes_ -= it->second.size;
    entries_.erase(it);
  }
}

std::uint64_t MediaCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace st::library
