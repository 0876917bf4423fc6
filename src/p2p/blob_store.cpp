#include "p2p/blob_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "crypto/blake3.hpp"
#include "library/importer.hpp"
#include "util/durable_file.hpp"

namespace st::p2p {

namespace fs = std::filesystem;

bool is_hash_hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

namespace {

std::optional<crypto::Blake3::Result> hash_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  crypto::Blake3 h;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return std::nullopt;
  return h.finish();
}

std::optional<std::vector<std::uint8_t>> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return std::nullopt;
  auto size = static_cast<std::streamsize>(in.tellg());
  if (size < 0) return std::nullopt;
  std::vector<std::uint8_t> out(static_cast<std::size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(out.data()), size)) return std::nullopt;
  return out;
}

bool write_file(const std::string& path, const std::vector<std::uint8_t>& data) {
  return util::write_durably(path, std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
}

}  // namespace

BlobStore::BlobStore(std::string dir, std::uint64_t max_bytes, std::string library_outboard_dir)
    : dir_(std::move(dir)), max_(max_bytes), library_outboards_(std::move(library_outboard_dir)) {
  fs::create_directories(dir_);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec))
    if (e.path().extension() == ".part" || e.path().extension() == ".tmp" ||
        e.path().filename().string().find(".tmp-") != std::string::npos)
      fs::remove(e.path(), ec);  // a crash's leftovers
}

std::string BlobStore::blob_path(const std::string& hash) const { return (fs::path(dir_) / (hash + ".blob")).string(); }
std::string BlobStore::obao_path(const std::string& hash) const { return (fs::path(dir_) / (hash + ".obao")).string(); }
std::string BlobStore::part_path(const std::string& hash) const { return (fs::path(dir_) / (hash + ".part")).string(); }

std::optional<std::string> BlobStore::cached(const std::string& hash) {
  if (!is_hash_hex(hash)) return std::nullopt;
  auto p = blob_path(hash);
  std::error_code ec;
  if (!fs::exists(p, ec)) return std::nullopt;
  fs::last_write_time(p, fs::file_time_type::clock::now(), ec);  // most recently used
  return p;
}

std::optional<std::string> BlobStore::commit(const std::string& hash, const std::string& part) {
  auto r = hash_file(part);
  std::error_code ec;
  if (!r || crypto::to_hex(r->root) != hash) {
    fs::remove(part, ec);
    return std::nullopt;
  }
  std::lock_guard l(mu_);
  if (!r->outboard.empty() && !write_file(obao_path(hash), r->outboard)) return std::nullopt;
  fs::rename(part, blob_path(hash), ec);
  if (ec) return std::nullopt;
  evict_locked(hash);
  return blob_path(hash);
}

std::optional<std::string> BlobStore::commit_verified(const std::string& hash, const std::string& part) {
  std::lock_guard l(mu_);
  std::error_code ec;
  fs::remove(obao_path(hash), ec);  // a stale one would not match
  fs::rename(part, blob_path(hash), ec);
  if (ec) return std::nullopt;
  evict_locked(hash);
  return blob_path(hash);
}

void BlobStore::remove(const std::string& hash) {
  if (!is_hash_hex(hash)) return;
  std::lock_guard l(mu_);
  std::error_code ec;
  fs::remove(blob_path(hash), ec);
  fs::remove(obao_path(hash), ec);
}

std::uint64_t BlobStore::used_bytes() {
  std::lock_guard l(mu_);
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec))
    if (e.path().extension() == ".blob") total += e.file_size(ec);
  return total;
}

std::uint64_t BlobStore::available_bytes() const {
  std::error_code ec;
  auto sp = fs::space(dir_, ec);
  return ec ? UINT64_MAX : static_cast<std::uint64_t>(sp.available);
}

void BlobStore::evict_locked(const std::string& keep) {
  struct Entry {
    fs::file_time_type t;
    std::uint64_t size;
    std::string hash;
  };
  std::vector<Entry> all;
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (e.path().extension() != ".blob") continue;
    Entry x{e.last_write_time(ec), e.file_size(ec), e.path().stem().string()};
    total += x.size;
    all.push_back(std::move(x));
  }
  if (total <= max_) return;
  std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) { return a.t < b.t; });
  for (const auto& x : all) {
    if (total <= max_) break;
    if (x.hash == keep) continue;
    fs::remove(blob_path(x.hash), ec);
    fs::remove(obao_path(x.hash), ec);
    total -= x.size;
    spdlog::info("p2p: cache evicted {} ({} bytes)", x.hash.substr(0, 12), x.size);
  }
}

std::shared_ptr<const std::vector<std::uint8_t>> BlobStore::outboard(const std::string& hash,
                                                                    const std::string& path) {
  if (!is_hash_hex(hash)) return nullptr;
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return nullptr;
  if (size <= crypto::kBlake3GroupLen) return std::make_shared<const std::vector<std::uint8_t>>();  // one group: no parents
  std::uint64_t groups = (size + crypto::kBlake3GroupLen - 1) / crypto::kBlake3GroupLen;
  auto mtime = fs::last_write_time(path, ec);
  if (ec) return nullptr;
  {
    // Recently served outboards stay in memory: a peer fetching a blob asks for it once per range.
    std::lock_guard l(mu_);
    for (auto it = recent_.begin(); it != recent_.end(); ++it) {
      if (it->hash != hash || it->path != path || it->size != size || it->mtime != mtime) continue;
      recent_.splice(recent_.begin(), recent_, it);
      return recent_.front().outboard;
    }
  }
  auto remember = [&](std::vector<std::uint8_t> o) {
    auto shared = std::make_shared<const std::vector<std::uint8_t>>(std::move(o));
    std::lock_guard l(mu_);
    recent_.push_front(RecentOutboard{hash, path, size, mtime, shared});
    if (recent_.size() > kRecentOutboards) recent_.pop_back();
    return shared;
  };
  for (const auto& candidate : {obao_path(hash), library::outboard_path(library_outboards_, hash)}) {
    if (auto o = read_all(candidate); o && o->size() == (groups - 1) * 64) return remember(std::move(*o));
  }
  // Not kept yet (or from before outboards existed): hash the file once, and only trust it if it matches.
  auto r = hash_file(path);
  if (!r || crypto::to_hex(r->root) != hash) return nullptr;
  {
    std::lock_guard l(mu_);
    write_file(obao_path(hash), r->outboard);
  }
  return remember(std::move(r->outboard));
}

}  // namespace st::p2p
