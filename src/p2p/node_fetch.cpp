// Fetching blobs from peers: ranges from several holders at once, each verified against the root hash
// before it is written to the cache; materialize() waits for a whole blob, open_progressive() streams
// its verified prefix while it grows.
#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <filesystem>

#include "crypto/blake3_range.hpp"
#include "model/errors.hpp"
#include "p2p/node.hpp"
#include "p2p/range_reply.hpp"

namespace st::p2p {

namespace {

constexpr std::size_t kPipeline = 6;  // range requests in flight (and verifying) per download
constexpr std::size_t kSwarm = 3;     // holders asked at once for one blob

// The outcome of one range request, checked and written on its own thread (ranges verify in parallel).
struct RangeResult {
  enum { ok, unreachable, bad_data } status = ok;
  std::string why;
};

}  // namespace

bool Node::download(Download& dl, const std::vector<std::string>& sources, std::set<std::string>& served,
                    std::set<std::string>& failed) {
  const std::string& hash = dl.hash;
  const std::string& part = dl.part;
  const std::uint64_t size = dl.size;
  auto root = root_from_hex(hash);
  auto groups = crypto::blake3_group_count(size);
  int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw model::DomainError(model::ErrorKind::unavailable, "cannot write to the P2P cache");
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  // The blocks of the whole blob up front: each range then lands in allocated space, not in ext4's
  // delayed allocation page by page (about a tenth less CPU on the receiving node, measured), and a full disk
  // is known before anything is fetched. Filesystems without fallocate just skip it.
  if (size > 0 && ::fallocate(fd, 0, 0, static_cast<off_t>(size)) != 0 && errno == ENOSPC)
    throw model::DomainError(model::ErrorKind::unavailable, "no space left for the P2P cache");

  // Writes to one file are serialised by the kernel anyway (its inode lock, on which waiting writers
  // spin): waiting here instead leaves the CPU to decryption and verification.
  std::mutex write_mu;
  auto fetch_range = [this, &root, &write_mu, hash, size, groups, fd](std::uint64_t first,
                                                                      std::string peer) -> RangeResult {
    FetchTrack f{hash, first * crypto::kBlake3GroupLen, kRangeGroups * crypto::kBlake3GroupLen};
    Reply r;
    try {
      r = call_raw(peer, encode_message(f));
    } catch (const std::exception& e) {
      return {RangeResult::unreachable, e.what()};
    }
    if (r.kind != ReplyKind::binary) {
      auto e = decode_protocol_error(r.payload);
      return {RangeResult::unreachable, e ? e->code + ": " + e->message : "not a binary reply"};
    }
    // Nothing is written before the whole range checks out against the root hash. We ask for whole
    // ranges: a shorter one is not what was asked.
    CheckedRange range;
    auto check = check_range_reply(r.binary.view(), root, first, size, range);
    if (check == RangeCheck::bad_proof) return {RangeResult::bad_data, "chunk failed BLAKE3 verification"};
    if (check != RangeCheck::ok || range.end != std::min(groups, first + kRangeGroups))
      return {RangeResult::bad_data, "range reply does not match the request"};
    std::size_t done = 0;
    std::lock_guard write_lock(write_mu);
    while (done < range.data_len) {
      auto n = ::pwrite(fd, range.data + done, range.data_len - done,
                        static_cast<off_t>(first * crypto::kBlake3GroupLen + done));
      if (n <= 0) return {RangeResult::unreachable, "cannot write to the P2P cache"};
      done += static_cast<std::size_t>(n);
    }
    return {};
  };

  // Sources in use (ranges go round robin over them) and in reserve (used when one in use is dropped),
  // ranked best copy first: reachable ones lead; one we believe offline is still tried when it ranks
  // among the first, since only trying tells.
  std::vector<std::string> live, reserve;
  for (const auto& p : sources) (live.size() < kSwarm ? live : reserve).push_back(p);
  struct PeerState {
    int misses = 0;                 // failures, one per incident (see below)
    std::uint64_t counted_to = 0;   // requests sent up to this one share the incident already counted
    bool failed = false;            // failed at least once in this download (noted for its copy's health)
    bool last_ok = false;           // its last answer was a verified range
    bool dropped = false;           // no longer asked (what it still had in flight may come back)
  };
  std::map<std::string, PeerState> state;
  struct InFlight {
    std::uint64_t first, seq;
    std::string peer;
    std::future<RangeResult> result;
  };
  std::deque<InFlight> window;
  std::set<std::uint64_t> retry;  // ranges whose peer failed, asked again
  std::set<std::uint64_t> done;   // verified ranges beyond the verified prefix
  std::uint64_t next_group = 0, asked = 0, sent = 0;
  std::size_t turn = 0;
  bool stop = false;
  // A peer that failed once is on probation: it is asked only when no sound peer is left (so with a
  // single holder, the same peer again, over a new connection: what was verified is kept).
  auto pick = [&]() -> const std::string& {
    std::vector<const std::string*> sound;
    for (const auto& p : live)
      if (state[p].misses == 0) sound.push_back(&p);
    if (sound.empty())
      for (const auto& p : live) sound.push_back(&p);
    return *sound[turn++ % sound.size()];
  };
  while (true) {
    while (!stop && !live.empty() && window.size() < kPipeline && (!retry.empty() || asked < groups)) {
      std::uint64_t first;
      if (!retry.empty()) {
        first = *retry.begin();
        retry.erase(retry.begin());
      } else {
        first = asked;
        asked += kRangeGroups;
      }
      const auto& peer = pick();
      window.push_back({first, ++sent, peer, std::async(std::launch::async, fetch_range, first, peer)});
    }
    if (window.empty()) break;
    auto f = std::move(window.front());
    window.pop_front();
    auto res = f.result.get();
    auto& ps = state[f.peer];
    if (res.status == RangeResult::ok) {
      ps.last_ok = true;
      done.insert(f.first);
      while (done.count(next_group)) {
        done.erase(next_group);
        next_group = std::min(groups, next_group + kRangeGroups);
      }
      {
        std::lock_guard l(dl.mu);
        dl.verified = std::min<std::uint64_t>(size, next_group * crypto::kBlake3GroupLen);
      }
      dl.cv.notify_all();
    } else {
      retry.insert(f.first);
      ps.last_ok = false;
      // One broken connection or stall fails every request then in flight to the peer: that is one miss.
      // A request sent after the failure was seen (a new connection) failing too is a second one.
      bool counted = f.seq > ps.counted_to;
      if (counted) {
        ++ps.misses;
        ps.counted_to = sent;
      }
      // Bad data drops a peer at once; lost or timed-out requests at their second incident (a busy peer
      // under load, or a connection that broke, is not given up on for one failure).
      bool drop = res.status == RangeResult::bad_data || ps.misses >= 2;
      auto it = std::find(live.begin(), live.end(), f.peer);
      bool dropped = drop && it != live.end();  // (once: its other replies in flight come back the same way)
      if (counted || dropped)
        spdlog::info("p2p: fetching {} from {} failed at group {}: {}{}", hash.substr(0, 12), f.peer.substr(0, 8),
                     f.first, res.why, dropped ? " (peer dropped)" : "");
      if (dropped && res.status == RangeResult::bad_data) strike(f.peer, res.why);
      if (!ps.failed) {
        // Recorded at once, not at the end: by the time the last range is verified (and a listener may
        // have had every byte) the copy's health already tells.
        ps.failed = true;
        note_copy(f.peer, hash, false, false);
      }
      if (dropped) {
        ps.dropped = true;
        live.erase(it);
        if (!reserve.empty()) {
          live.push_back(reserve.front());
          reserve.erase(reserve.begin());
        }
      }
    }
    std::lock_guard l(mu_);
    if (stopping_) stop = true;  // drain what was sent
  }
  for (const auto& [peer, ps] : state) {
    if (ps.last_ok && !ps.dropped) served.insert(peer);
    if (ps.failed) failed.insert(peer);
  }
  return !stop && next_group >= groups;
}

std::shared_ptr<Node::Download> Node::start_download(const std::string& hash) {
  auto track = catalog_.find_track_by_hash(hash);
  if (!track) model::throw_not_found("Track not found");
  std::lock_guard l(mu_);
  if (stopping_) throw model::DomainError(model::ErrorKind::unavailable, "P2P node is stopping");
  if (auto it = downloads_.find(hash); it != downloads_.end()) return it->second;  // join the fetch under way
  // The size is the one announced in the catalogue entry: the download is bounded by it (ranges beyond it
  // fail verification) and reserved in full up front, so it must fit the cache quota and the free space,
  // counting the downloads under way.
  if (track->file_size <= 0) throw model::DomainError(model::ErrorKind::unavailable, "P2P track has no known size");
  auto size = static_cast<std::uint64_t>(track->file_size);
  auto mib = [](std::uint64_t b) { return std::to_string((b + (1u << 20) - 1) >> 20) + " MiB"; };
  if (size > blobs_.max_bytes())
    throw model::DomainError(model::ErrorKind::unavailable, "P2P track (" + mib(size) +
                                                                ") is larger than the P2P cache quota (" +
                                                                mib(blobs_.max_bytes()) + ")");
  std::uint64_t reserved = 0;
  for (const auto& [_, other] : downloads_) reserved += other->size;
  auto available = blobs_.available_bytes();
  if (reserved > available || size > available - reserved)
    throw model::DomainError(model::ErrorKind::unavailable,
                             "not enough free space for the P2P cache (" + mib(size) + " needed)");
  auto dl = std::make_shared<Download>();
  dl->hash = hash;
  dl->part = blobs_.part_path(hash);
  dl->size = size;
  downloads_[hash] = dl;
  ++download_threads_;
  std::thread([this, dl] { run_download(dl); }).detach();  // stop() waits for download_threads_ to reach 0
  return dl;
}

void Node::run_download(const std::shared_ptr<Download>& dl) {
  auto started = std::chrono::steady_clock::now();
  std::string path, error;
  try {
    std::error_code ec;
    std::filesystem::remove(dl->part, ec);
    auto sources = ranked_sources(dl->hash);
    // (failures are recorded for the copies' health as they happen, in download())
    std::set<std::string> served, failed;
    bool complete = !sources.empty() && download(*dl, sources, served, failed);
    for (const auto& peer : served) note_copy(peer, dl->hash, true, false);
    if (complete && !failed.empty()) {
      auto names = [](const std::set<std::string>& peers, const std::set<std::string>* unless = nullptr) {
        std::string out;
        for (const auto& p : peers)
          if (!unless || !unless->count(p)) out += (out.empty() ? "" : ", ") + p.substr(0, 8);
        return out;
      };
      auto lost = names(failed, &served);  // failed and did not answer again
      if (!lost.empty())
        spdlog::info("p2p: recovered {} from alternative peer(s) {} after {} failed", dl->hash.substr(0, 12),
                     names(served), lost);
      else  // every peer that failed answered again (a single holder over a new connection): nothing lost
        spdlog::info("p2p: fetching {} resumed on {} after a failure", dl->hash.substr(0, 12), names(failed));
    }
    if (!complete) {
      std::filesystem::remove(dl->part, ec);
      error = "P2P track data not available";
    } else if (auto p = blobs_.commit_verified(dl->hash, dl->part)) {
      // Every group was checked against the root, the last one included (which proves the size).
      path = *p;
      auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      spdlog::info("p2p: fetched and verified {} ({} bytes) in {:.0f} ms", dl->hash.substr(0, 12), dl->size, ms);
    } else {
      error = "cannot store the fetched track";
    }
  } catch (const std::exception& e) {
    error = std::string("P2P fetch failed: ") + e.what();
    std::error_code ec;
    std::filesystem::remove(dl->part, ec);
  }
  {
    // Out of the table before anyone hears the outcome: a request after a failure starts afresh.
    std::lock_guard l(mu_);
    downloads_.erase(dl->hash);
  }
  {
    std::lock_guard l(dl->mu);
    dl->done = true;
    dl->path = path;
    dl->error = error;
    if (error.empty()) dl->verified = dl->size;
  }
  dl->cv.notify_all();
  std::lock_guard l(mu_);
  --download_threads_;
  cv_.notify_all();
}

std::string Node::materialize(std::string_view hash_view, std::chrono::milliseconds max_wait) {
  std::string hash(hash_view);
  if (!is_hash_hex(hash)) model::throw_bad_request("Invalid content hash");
  if (auto p = blobs_.cached(hash)) return *p;
  if (auto lb = repo_.local_blob(hash)) return lb->path;
  auto dl = start_download(hash);
  std::unique_lock l(dl->mu);
  if (!dl->cv.wait_for(l, max_wait, [&] { return dl->done; }))
    throw model::DomainError(model::ErrorKind::unavailable, "The track is still on its way from a peer", 5);
  if (!dl->error.empty()) throw model::DomainError(model::ErrorKind::unavailable, dl->error);
  return dl->path;
}

namespace {

// Reads a download's verified prefix while it grows (from the part file, or the cache once committed:
// an open descriptor survives the rename).
class ProgressiveReader final : public library::ProgressiveBlob {
 public:
  explicit ProgressiveReader(std::shared_ptr<Node::Download> dl) : dl_(std::move(dl)) {}
  ~ProgressiveReader() override {
    if (fd_ >= 0) ::close(fd_);
  }
  std::uint64_t size() const override { return dl_->size; }
  std::size_t read(char* buf, std::size_t n) override {
    auto w = file_window(pos_, true);
    if (w.length == 0) return 0;
    auto got = ::pread(fd_, buf, static_cast<std::size_t>(std::min<std::uint64_t>(n, w.length)), static_cast<off_t>(pos_));
    if (got <= 0) throw std::runtime_error("cannot read the P2P download");
    pos_ += static_cast<std::uint64_t>(got);
    return static_cast<std::size_t>(got);
  }
  FileWindow file_window(std::uint64_t pos, bool wait) override {
    if (pos >= dl_->size) return {fd_, 0};
    std::unique_lock l(dl_->mu);
    if (wait) dl_->cv.wait(l, [&] { return dl_->verified > pos || dl_->done; });
    if (dl_->verified <= pos) {
      if (!dl_->done) return {fd_, 0};  // (not waiting) nothing new yet
      throw std::runtime_error(dl_->error.empty() ? "P2P fetch stopped" : dl_->error);
    }
    if (fd_ < 0) fd_ = ::open((dl_->done ? dl_->path : dl_->part).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0 && !dl_->done) {
      // Verified to the end and committed (the part file renamed into the cache) just before `done`.
      if (!wait) return {fd_, 0};
      dl_->cv.wait(l, [&] { return dl_->done; });
      if (!dl_->path.empty()) fd_ = ::open(dl_->path.c_str(), O_RDONLY | O_CLOEXEC);
    }
    if (fd_ < 0) throw std::runtime_error("cannot read the P2P download");
    return {fd_, dl_->verified - pos};
  }

 private:
  std::shared_ptr<Node::Download> dl_;
  int fd_ = -1;
  std::uint64_t pos_ = 0;
};

}  // namespace

std::unique_ptr<library::ProgressiveBlob> Node::open_progressive(std::string_view hash_view) {
  std::string hash(hash_view);
  if (!is_hash_hex(hash)) model::throw_bad_request("Invalid content hash");
  if (blobs_.cached(hash) || repo_.local_blob(hash)) return nullptr;
  auto dl = start_download(hash);
  {
    // Answer only once the first range is verified: a fetch that cannot start is a clear 503, not a
    // response cut short.
    std::unique_lock l(dl->mu);
    dl->cv.wait(l, [&] { return dl->verified > 0 || dl->done; });
    if (dl->done && !dl->error.empty()) throw model::DomainError(model::ErrorKind::unavailable, dl->error);
  }
  return std::make_unique<ProgressiveReader>(std::move(dl));
}

}  // namespace st::p2p
