#include "library/transcode_service.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <vector>

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
    else svc_.evict();
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

std::string TranscodeService::path_for(const TranscodeRequest& r) const {
  return fmt::format("{}/{}-{}-{}.{}", dir_, r.content_hash, audio::codec_extension(r.spec.codec), r.spec.bitrate_kbps,
                     audio::codec_extension(r.spec.codec));
}

std::optional<std::string> TranscodeService::cached(const TranscodeRequest& r) {
  if (r.content_hash.empty() || r.spec.offset_secs > 0) return std::nullopt;
  auto p = path_for(r);
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  fs::last_write_time(p, fs::file_time_type::clock::now(), ec);  // recently used
  return p;
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
    if (fs::remove(e.path, ec)) total -= e.size;
  }
}

}  // namespace st::library
