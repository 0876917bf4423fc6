#pragma once
// AI editorial playlists: a sample of the catalogue goes to an OpenAI-compatible chat completions API,
// whose answer becomes a set of public editorial playlists owned by the first admin. The old set is
// replaced only once a valid answer has arrived, in one transaction; one generation runs at a time.
// Outgoing HTTP is injected (app/ gives libcurl, tests a stand-in), as are the settings.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "editorial/answer_parser.hpp"
#include "model/catalog.hpp"
#include "model/playlist.hpp"
#include "model/user.hpp"

namespace st::editorial {

struct ChatHttpRequest {
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  long timeout_seconds = 120;
  std::size_t max_body = 2 * 1024 * 1024;
};

struct ChatHttpReply {
  long status = 0;
  std::string body;
};

// Throws std::runtime_error when no HTTP answer arrives (network, timeout, body too large).
using ChatPost = std::function<ChatHttpReply(const ChatHttpRequest&)>;

// Instance settings by key (the catalogue's default when unset), and their update.
struct SettingsAccess {
  std::function<std::string(std::string_view)> get;
  std::function<void(std::string_view, std::string_view)> put;
};

struct GeneratorOptions {
  long timeout_seconds = 120;                 // per attempt
  std::chrono::milliseconds retry_delay{2000};  // one retry after a network failure, 429 or 5xx
  std::size_t max_answer_bytes = 2 * 1024 * 1024;
  std::size_t max_prompt_chars = 480'000;  // ~120k tokens at ~4 characters each
  std::size_t min_tracks = 5;
  ParseLimits limits;
};

// Why a generation failed, in words for the admin (never the API key).
class GenerationFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class GenerationBusy : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EditorialStatus {
  bool ai_configured = false;
  std::string ai_base_url;
  std::string ai_model;
  std::optional<std::string> last_generated;  // RFC 3339
  std::int64_t playlist_count = 0;
  bool needs_regeneration = false;
  bool running = false;
  std::optional<std::string> last_error;  // of the last generation, when it failed
};

struct EditorialList {
  model::Playlist playlist;
  std::vector<model::Track> tracks;
};

struct GenerationResult {
  std::size_t playlists_created = 0;
  std::string message;
};

class Generator {
 public:
  Generator(model::CatalogRepository& catalog, model::PlaylistRepository& playlists, model::UserRepository& users,
            SettingsAccess settings, ChatPost post, GeneratorOptions options = {});
  ~Generator() noexcept;
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Throws GenerationBusy when one is running, GenerationFailed when it fails (the old playlists stay).
  GenerationResult generate();
  EditorialStatus status();
  // The editorial playlists with their tracks; none when no API key is set.
  std::vector<EditorialList> playlists();

  // Checks every `interval` (first after `first_check`) and generates when due: configured and never
  // generated, or the last generation is a week old. Zero interval: never. Only while on_duty() (when
  // given) says so: the cluster's leader generates.
  void schedule(std::chrono::seconds first_check, std::chrono::seconds interval, std::function<bool()> on_duty = {});
  bool due();

 private:
  GenerationResult run();
  ChatHttpReply post_with_retry(const ChatHttpRequest& req, const std::string& key);
  void scheduler_loop(std::chrono::seconds first_check, std::chrono::seconds interval);
  bool wait_for(std::chrono::milliseconds d);  // false when stopping

  model::CatalogRepository& catalog_;
  model::PlaylistRepository& playlists_;
  model::UserRepository& users_;
  SettingsAccess settings_;
  ChatPost post_;
  GeneratorOptions options_;
  std::atomic<bool> running_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::optional<std::string> last_error_;  // guarded by mu_
  std::function<bool()> on_duty_;
  std::thread scheduler_;
};

// Parses what util::to_rfc3339 writes (and any RFC 3339 UTC or offset time) into Unix seconds.
std::optional<std::int64_t> parse_rfc3339_seconds(std::string_view s);

}  // namespace st::editorial
