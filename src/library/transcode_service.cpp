#include "library/transcode_service.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "library/object_file.hpp"
#include "model/errors.hpp"
#include "util/random.hpp"

namespace st::library {

namespace fs = std::filesystem;

namespace {

// Releases its concurrency slot when destroyed.
struct Slot {
  std::atomic<unsigned>& active;
  ~Slot() { --active; }
};

}  // namespace

class CachingStream final : public TranscodeStream {
 public:
  CachingStream(TranscodeService& svc, const TranscodeRequest& r, std::unique_ptr<audio::Transcoder> t)
      : svc_(svc), slot_{svc.active_}, transcoder_(std::move(t)) {
    // Only a complete transcode from the start can be reused; a seek yields a partial one.
    if (r.spec.offset_secs <= 0 && !r.content_hash.empty()) {
      final_ = svc.path_for(r);
      part_ = final_ + ".part-" + util::random_hex(6);
      std::error_code ec;
      fs::create_directories(fs::path(final_).parent_path(), ec);
      file_ = std::fopen(part_.c_str(), "wb");
    }
  }

  ~CachingStream() override {
    if (file_) {
      std::fclose(file_);
      std::remove(part_.c_str());  // abandoned before the end: not a usable cache entry
    }
  }

  std::size_t read(char* buf, std::size_t n) override {
    std::size_t got = transcoder_->read(buf, n);
    if (!file_) return got;
    if (got > 0) {
      if (std::fwrite(buf, 1, got, file_) != got) {  // disk full: stream on, cache nothing
        std::fclose(file_);
        file_ = nullptr;
        std::remove(part_.c_str());
      }
      return got;
    }
    bool ok = std::fclose(file_) == 0;
    file_ = nullptr;
    std::error_code ec;
    if (ok) fs::rename(part_, final_, ec);
    if (!ok || ec) std::remove(part_.c_str());
    else svc_.completed(final_);
    return 0;
  }

 private:
  TranscodeService& svc_;
  Slot slot_;
  std::unique_ptr<audio::Transcoder> transcoder_;
  std::string final_, part_;
  std::FILE* file_ = nullptr;
};

TranscodeService::TranscodeService(std::string cache_dir, std::uint64_t quota_bytes, unsigned max_concurrent)
    : dir_(std::move(cache_dir)), quota_(quota_bytes), max_(std::max(1u, max_concurrent)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  // Partial files of a previous run are garbage.
  for (auto it = fs::directory_iterator(dir_, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    if (it->path().string().find(".part-") != std::string::npos) fs::remove(it->path(), ec);
}

std::string TranscodeService::shared_key(const std::string& path) {
  return std::string(kTranscodeKeys) + fs::path(path).filename().string();
}

std::string TranscodeService::path_for(const TranscodeRequest& r) const {
  return fmt::format("{}/{}-{}-{}.{}", dir_, r.content_hash, audio::codec_extension(r.spec.codec), r.spec.bitrate_kbps,
                     audio::codec_extension(r.spec.codec));
}

TranscodeService::~TranscodeService() {
  {
    std::lock_guard l(jobs_mu_);
    stopping_ = true;
  }
  jobs_cv_.notify_all();
  if (sharer_.joinable()) sharer_.join();
}

void TranscodeService::share_through(ObjectStore& store) {
  store_ = &store;
  sharer_ = std::thread([this] { share_loop(); });
}

std::optional<std::string> TranscodeService::cached(const TranscodeRequest& r) {
  if (r.content_hash.empty() || r.spec.offset_secs > 0) return std::nullopt;
  auto p = path_for(r);
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return store_ ? fetch_shared(p) : std::nullopt;
  fs::last_write_time(p, fs::file_time_type::clock::now(), ec);  // recently used
  return p;
}

// Another node's result, copied here whole (under a temporary name first); nothing when there is none or
// the store cannot be read (the caller then transcodes).
std::optional<std::string> TranscodeService::fetch_shared(const std::string& path) {
  std::string key = shared_key(path);
  try {
    save_object(whole_reads(*store_), key, path, {.part = path + ".part-" + util::random_hex(6)});
  } catch (const StorageError& e) {
    if (e.kind != StorageError::Kind::not_found)
      spdlog::warn("transcodes: cannot fetch {} from object storage: {}", key, e.what());
    return std::nullopt;
  }
  evict();
  return path;
}

void TranscodeService::completed(const std::string& path) {
  if (store_) enqueue({true, shared_key(path), path});
  evict();
}

void TranscodeService::enqueue(ObjectJob job) {
  {
    std::lock_guard l(jobs_mu_);
    if (jobs_.size() >= kMaxPendingJobs) return;
    jobs_.push_back(std::move(job));
  }
  jobs_cv_.notify_all();
}

void TranscodeService::share_loop() {
  std::unique_lock l(jobs_mu_);
  for (;;) {
    jobs_cv_.wait(l, [&] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;  // what is left is only not shared
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    l.unlock();
    bool ok = true;
    try {
      if (!job.put) store_->remove(job.key);
      else if (std::error_code ec; fs::is_regular_file(job.path, ec))  // not evicted meanwhile
        store_->put_file(job.key, job.path, "application/octet-stream");  // read back only by nodes
    } catch (const std::exception& e) {
      ok = false;
      spdlog::warn("transcodes: cannot {} {} in object storage: {}", job.put ? "store" : "remove", job.key, e.what());
    }
    l.lock();
    busy_ = false;
    failed_ = failed_ || !ok;
    jobs_cv_.notify_all();
  }
}

bool TranscodeService::settle() {
  std::unique_lock l(jobs_mu_);
  jobs_cv_.wait(l, [&] { return stopping_ || (jobs_.empty() && !busy_); });
  return !std::exchange(failed_, false);
}

std::unique_ptr<TranscodeStream> TranscodeService::start(const TranscodeRequest& r) {
  if (++active_ > max_) {
    --active_;
    throw model::DomainError(model::ErrorKind::unavailable,
                             "Too many transcodes in progress; try again, or play the original", 2);
  }
  std::unique_ptr<audio::Transcoder> t;
  try {
    t = std::make_unique<audio::Transcoder>(r.source_path, r.spec);
  } catch (...) {
    --active_;
    throw;
  }
  // The slot now belongs to the stream (released when it is destroyed).
  return std::make_unique<CachingStream>(*this, r, std::move(t));
}

void TranscodeService::evict() {
  std::lock_guard lock(evict_mu_);
  struct Entry {
    fs::path path;
    std::uint64_t size;
    fs::file_time_type used;
  };
  std::vector<Entry> entries;
  std::uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir_, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->path().string().find(".part-") != std::string::npos) continue;
    Entry e{it->path(), it->file_size(ec), it->last_write_time(ec)};
    total += e.size;
    entries.push_back(std::move(e));
  }
  if (total <= quota_) return;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
  for (const auto& e : entries) {
    if (total <= quota_) break;
    if (!fs::remove(e.path, ec)) continue;
    total -= e.size;
    if (store_) enqueue({false, shared_key(e.path.string()), {}});
  }
}

}  // namespace st::library
