#pragma once
// The opt-in public directory listing (the original's listing worker): while the setting listing_public is
// true, a heartbeat announces this instance to <listing_url>/api/announce every interval; the first answer
// carries a token (kept sealed in the listing_token setting) that later heartbeats and the delisting
// (DELETE <listing_url>/api/nodes/<domain>) present. Local domains are never announced: the directory could
// not reach them. Outgoing HTTP is injected (app/ wires libcurl; tests use a local stand-in directory).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "library/web_client.hpp"

namespace st::library {

// What the service reads and writes of the instance (settings, counts), wired by app/.
struct ListingStore {
  std::function<std::string(std::string_view key)> setting;  // "" when unset
  std::function<void(std::string_view key, std::string_view value)> put_setting;
  std::function<std::int64_t()> track_count;
  std::function<std::int64_t()> user_count;
};

// Outgoing requests (each throws std::runtime_error when no HTTP answer arrives).
struct ListingHttp {
  std::function<WebReply(const std::string& url, const std::string& json_body)> post_json;
  std::function<WebReply(const std::string& url)> get;
  std::function<WebReply(const std::string& url, const std::string& bearer_token)> del;
};

struct ListingConfig {
  std::string default_url;  // LISTING_URL, else the original's directory
  std::string domain;       // SOUNDTIME_DOMAIN
  std::string version;
  std::string sealing_key;  // 32 bytes: the token is sealed at rest
  std::chrono::seconds first_delay{10};
  std::chrono::seconds interval{300};
};

struct ListingStatus {
  bool enabled = false;
  std::string domain;
  bool domain_is_local = false;
  std::string listing_url;
  bool has_token = false;
  std::string status = "unknown";  // ok, error, delisted, unknown
  std::optional<std::string> error;
  std::optional<std::string> last_heartbeat;  // RFC 3339
};

// The outcome of a heartbeat or a delisting asked by an administrator.
struct ListingOutcome {
  int http_status = 200;   // 200, 400 (disabled), 409 (one in progress), 422 (local domain), 502 (directory)
  std::string error_code;  // "", "listing is disabled", "domain_local", "heartbeat_failed", "delist_failed", "busy"
  std::string message;
  std::string domain, listing_url;
};

// localhost*, 127.*, 0.0.0.0*, ::1 (the original's rule, plus IPv6 loopback).
bool is_local_listing_domain(std::string_view domain);
// "https://music.example.org/" -> "music.example.org".
std::string clean_listing_domain(std::string_view raw);

class ListingService {
 public:
  ListingService(ListingConfig config, ListingStore store, ListingHttp http);
  ~ListingService() noexcept;
  ListingService(const ListingService&) = delete;
  ListingService& operator=(const ListingService&) = delete;

  // The background worker: first heartbeat after first_delay, then every interval while enabled (a heartbeat
  // an administrator sent counts as one); disabling the setting delists at once (checked every second).
  void start();
  void stop() noexcept;

  ListingStatus status();
  // A heartbeat now. One exchange with the directory runs at a time: these wait for the worker's to end
  // (each request is bounded by the HTTP client's timeout) and answer 409 only if that takes too long.
  ListingOutcome trigger();
  // Leaves the directory: the DELETE with the token, which is dropped, and listing_public turned off, so
  // that the worker does not announce the instance again a moment later.
  ListingOutcome delist();

 private:
  std::string listing_url();
  std::string domain();
  bool enabled();
  std::optional<std::string> token();
  void set_token(const std::optional<std::string>& t);
  void record(std::string status, std::optional<std::string> error);
  // The exchanges themselves (caller holds net_mu_); an error message on failure.
  std::optional<std::string> heartbeat_locked();
  std::optional<std::string> delist_locked();
  void run();

  ListingConfig config_;
  ListingStore store_;
  ListingHttp http_;
  std::timed_mutex net_mu_;  // one exchange with the directory at a time
  std::mutex mu_;      // the fields below
  std::condition_variable cv_;
  bool stopping_ = false;
  std::string last_status_ = "unknown";
  std::optional<std::string> last_error_, last_heartbeat_;
  // When the worker announces next while enabled: pushed an interval on by every heartbeat (the worker's or
  // an administrator's), brought back to "at once" by a delisting. Read and written under net_mu_.
  std::chrono::steady_clock::time_point next_beat_{};
  std::thread worker_;
};

}  // namespace st::library
