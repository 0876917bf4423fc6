// Track health of replicated copies (periodic sweep with cheap probes, outcomes of fetches, the best
// copy first) and the covers of replicated albums (fetched once per hash, verified, stored locally).
#include <spdlog/spdlog.h>

#include <filesystem>

#include "crypto/blake3_range.hpp"
#include "library/best_copy.hpp"
#include "p2p/node.hpp"
#include "p2p/range_reply.hpp"

namespace st::p2p {

namespace {

constexpr const char* kCoverExtensions[] = {"jpg", "png", "webp", "gif"};

// What follows /api/media/ for the cover with this hash and extension.
std::string cover_media_path(const std::string& hash, const char* ext) {
  return "covers/" + hash.substr(0, 2) + "/" + hash + "." + ext;
}

model::CopyState unchanged(model::CopyState s) { return s; }

}  // namespace

// --- health ---

void Node::health_loop() {
  auto next_sweep = std::chrono::steady_clock::now() + opts_.health_interval;
  std::unique_lock l(mu_);
  while (!stopping_) {
    cv_.wait_until(l, next_sweep, [this] { return stopping_ || !covers_wanted_.empty(); });
    if (stopping_) break;
    bool covers = !covers_wanted_.empty();
    l.unlock();
    if (covers) fetch_covers();
    if (std::chrono::steady_clock::now() >= next_sweep) {
      try {
        sweep();
      } catch (const std::exception& e) {
        spdlog::warn("p2p: health sweep failed: {}", e.what());
      }
      next_sweep = std::chrono::steady_clock::now() + opts_.health_interval;
    }
    l.lock();
  }
}

Node::Probe Node::probe(const std::string& node, const std::string& hash) {
  // One 16 KiB group with its proof: the holder shows it still has the bytes, at the cost of one small
  // request (not a download), and we can check what it sends.
  Reply r;
  try {
    r = call_raw(node, encode_message(FetchTrack{hash, 0, 1}));
  } catch (const std::exception&) {
    return Probe::unreachable;
  }
  if (r.kind == ReplyKind::error) {
    auto e = decode_protocol_error(r.payload);
    return e && e->code == "not_found" ? Probe::missing : Probe::unreachable;
  }
  if (r.kind != ReplyKind::binary) return Probe::bad_data;
  std::optional<std::uint64_t> size;
  if (auto t = catalog_.find_track_by_hash(hash)) size = static_cast<std::uint64_t>(t->file_size);
  CheckedRange range;
  return check_range_reply(r.binary.view(), root_from_hex(hash), 0, size, range) == RangeCheck::ok ? Probe::ok : Probe::bad_data;
}

void Node::note_copy(const std::string& node, const std::string& hash, bool ok, bool checked) {
  if (!opts_.health) return;
  {
    std::lock_guard l(mu_);
    if (stopping_ && !ok) return;  // a fetch cut short by shutting down says nothing about the peer
  }
  try {
    auto copy = opts_.health->find_copy_of(node, hash);
    if (!copy) return;
    auto before = copy->state;
    auto after = opts_.health->update_state(copy->id, ok ? &model::after_success : &model::after_failure, checked);
    if (!after || after->health == before.health) return;
    auto h = hash.substr(0, 12), n = node.substr(0, 8);
    if (after->health == model::CopyHealth::dereferenced)
      spdlog::warn("p2p: copy of {} on {} dereferenced after {} consecutive failures", h, n, after->failed_attempts);
    else if (before.health == model::CopyHealth::dereferenced)
      spdlog::info("p2p: copy of {} on {} re-referenced: the content is back", h, n);
    else
      spdlog::info("p2p: copy of {} on {} is {} (failed attempts: {})", h, n, model::to_string(after->health),
                   after->failed_attempts);
  } catch (const std::exception& e) {
    spdlog::warn("p2p: cannot record the health of {} on {}: {}", hash.substr(0, 12), node.substr(0, 8), e.what());
  }
}

void Node::sweep() {
  if (!opts_.health) return;
  auto started = util::now_micros();
  std::set<std::string> unreachable;  // peers that did not answer during this sweep: not asked again
  std::size_t checked = 0, ok = 0, failed = 0;
  for (int round = 0; round < 10000; ++round) {
    auto batch = opts_.health->least_recently_checked(opts_.health_batch);
    if (batch.empty() || (batch.front().last_checked_at && *batch.front().last_checked_at >= started)) break;
    for (const auto& c : batch) {
      {
        std::lock_guard l(mu_);
        if (stopping_) return;
      }
      if (c.last_checked_at && *c.last_checked_at >= started) continue;
      ++checked;
      // An administrator's dereference stands: the copy is not probed, only marked as seen by this sweep.
      if (c.state.admin_dereferenced || !allowed(c.origin_node) || c.hash.empty()) {
        opts_.health->update_state(c.id, &unchanged, true);
        continue;
      }
      auto p = unreachable.count(c.origin_node) ? Probe::unreachable : probe(c.origin_node, c.hash);
      if (p == Probe::unreachable) unreachable.insert(c.origin_node);
      if (p == Probe::bad_data) strike(c.origin_node, "a health probe failed BLAKE3 verification");
      note_copy(c.origin_node, c.hash, p == Probe::ok, true);
      (p == Probe::ok ? ok : failed)++;
    }
  }
  if (checked > 0)
    spdlog::info("p2p: health sweep checked {} copies in {} ms: {} answered, {} failed ({} peers unreachable)", checked,
                 (util::now_micros() - started) / 1000, ok, failed, unreachable.size());
}

std::vector<std::string> Node::ranked_sources(const std::string& hash) {
  std::vector<model::SongCopy> copies;
  for (const auto& c : repo_.remote_copies(hash)) {
    if (!c.is_available || !allowed(c.origin_node)) continue;
    model::SongCopy s;
    s.source = c.origin_node;
    s.hash = hash;
    s.format = c.format.value_or("");
    s.bitrate = c.bitrate;
    s.sample_rate = c.sample_rate;
    auto peer = repo_.find_peer(c.origin_node);
    s.online = peer && peer->is_online;
    if (opts_.health) {
      if (auto h = opts_.health->find_copy_of(c.origin_node, hash)) s.failed_attempts = h->state.failed_attempts;
    }
    s.created_at = c.created_at;
    copies.push_back(std::move(s));
  }
  std::vector<std::string> out;
  for (const auto& c : library::rank_copies(std::move(copies))) out.push_back(c.source);
  return out;
}

// --- covers ---

std::optional<std::string> Node::stored_cover(const std::string& hash) {
  if (!opts_.covers || !is_hash_hex(hash)) return std::nullopt;
  for (const char* ext : kCoverExtensions) {
    auto path = cover_media_path(hash, ext);
    try {
      if (opts_.covers->file(path)) return path;
    } catch (const library::StorageError& e) {
      spdlog::warn("p2p: cannot read the cover {} from object storage: {}", hash.substr(0, 12), e.what());
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<std::string> Node::cover_file(const std::string& hash) {
  auto path = stored_cover(hash);
  return path ? opts_.covers->file(*path, true) : std::nullopt;
}

void Node::want_cover(const std::string& album_id, const std::string& cover_hash, const std::string& from) {
  if (!opts_.covers || !is_hash_hex(cover_hash)) return;
  {
    std::lock_guard l(mu_);
    if (covers_wanted_.size() >= 10000) return;  // bounded; a later announcement asks again
    covers_wanted_[album_id] = CoverJob{album_id, cover_hash, from};
  }
  cv_.notify_all();
}

std::optional<std::string> Node::fetch_small_blob(const std::string& node, const std::string& hash,
                                                  std::uint64_t max_size) {
  auto root = root_from_hex(hash);
  std::string out;
  std::optional<std::uint64_t> size;
  std::uint64_t first = 0, groups = 1;
  while (first < groups) {
    Reply r;
    try {
      r = call_raw(node, encode_message(FetchTrack{hash, first * crypto::kBlake3GroupLen, kRangeGroups * crypto::kBlake3GroupLen}));
    } catch (const std::exception& e) {
      spdlog::info("p2p: cannot fetch {} from {}: {}", hash.substr(0, 12), node.substr(0, 8), e.what());
      return std::nullopt;
    }
    if (r.kind != ReplyKind::binary) return std::nullopt;
    CheckedRange range;
    auto check = check_range_reply(r.binary.view(), root, first, size, range);
    if (check == RangeCheck::bad_proof) {
      strike(node, "a cover failed BLAKE3 verification");
      return std::nullopt;
    }
    if (check != RangeCheck::ok) return std::nullopt;
    if (!size) {
      if (range.size > max_size) return std::nullopt;
      size = range.size;
      groups = crypto::blake3_group_count(range.size);
      out.reserve(range.size);
    }
    out.append(range.data, range.data_len);
    first = range.end;
    std::lock_guard l(mu_);
    if (stopping_) return std::nullopt;
  }
  if (!size || out.size() != *size) return std::nullopt;
  return out;
}

void Node::fetch_covers() {
  std::map<std::string, CoverJob> jobs;
  {
    std::lock_guard l(mu_);
    jobs.swap(covers_wanted_);
  }
  for (const auto& [album_id, job] : jobs) {
    {
      std::lock_guard l(mu_);
      if (stopping_) return;
    }
    try {
      auto album = catalog_.find_album(album_id);
      if (!album || cover_hash_of(album->cover_url) == job.hash) continue;  // gone, or has this cover already
      if (album->cover_url) {
        // The peer changed its cover: follow it, unless the album also groups our own music (ours stands).
        bool ours = false;
        for (const auto& t : catalog_.album_tracks(album_id)) ours = ours || t.file_path.rfind("p2p://", 0) != 0;
        if (ours) continue;
      }
      std::optional<std::string> url;
      if (auto stored = stored_cover(job.hash)) {
        // Fetched once per hash: the other albums (and tracks) with this cover share the file.
        url = "/api/media/" + *stored;
      } else {
        if (!allowed(job.from)) continue;
        auto bytes = fetch_small_blob(job.from, job.hash, 20u << 20);
        if (!bytes) continue;
        url = opts_.covers->store(*bytes);
        if (!url || cover_hash_of(url) != job.hash) {
          spdlog::warn("p2p: the cover {} from {} is not an image we keep", job.hash.substr(0, 12), job.from.substr(0, 8));
          continue;
        }
        spdlog::info("p2p: fetched cover {} ({} bytes) from {}", job.hash.substr(0, 12), bytes->size(), job.from.substr(0, 8));
      }
      catalog_.set_album_cover(album_id, *url, false);
    } catch (const std::exception& e) {
      spdlog::warn("p2p: cannot set the cover of album {}: {}", album_id, e.what());
    }
  }
}

}  // namespace st::p2p
