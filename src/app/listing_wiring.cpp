#include "app/listing_wiring.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "crypto/secret_box.hpp"
#include "lib/curl/http_get.hpp"
#include "util/time.hpp"

namespace st::app {

namespace {

// The listing token's sealing key: derived from the server key that seals app passwords (created by
// open_services), under its own label so that neither secret can stand for the other.
std::string sealing_key(const Config& c) {
  auto path = (std::filesystem::path(c.data_dir) / "app-passwords.key").string();
  std::ifstream in(path, std::ios::binary);
  std::string server_key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (server_key.size() != 32) throw std::runtime_error(path + " is missing or damaged");
  auto hex = crypto::keyed_digest(server_key, "soundtime listing token v1");  // 64 hex digits
  std::string key;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) key.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return key;
}

library::WebReply reply_of(lib::curl::Reply r) { return {r.status, std::move(r.body), std::move(r.content_type)}; }

}  // namespace

std::unique_ptr<library::ListingService> make_listing_service(const Config& c, Services& s, std::string_view version) {
  library::ListingConfig lc;
  lc.default_url = c.listing_url;
  lc.domain = c.domain;
  lc.version = std::string(version);
  lc.sealing_key = sealing_key(c);
  lc.interval = std::chrono::seconds(c.listing_interval_seconds);
  lc.first_delay = std::chrono::seconds(c.listing_first_delay_seconds);
  library::ListingStore store;
  auto* settings = s.settings.get();
  store.setting = [settings](std::string_view key) { return settings->text(key); };
  store.put_setting = [settings](std::string_view key, std::string_view value) {
    if (value.empty()) settings->reset(key);
    else settings->put(key, value);
  };
  auto* stats = s.stats.get();
  store.track_count = [stats] { return static_cast<std::int64_t>(stats->admin_counts(util::now_micros()).total_tracks); };
  store.user_count = [stats] { return static_cast<std::int64_t>(stats->admin_counts(util::now_micros()).total_users); };
  // As the original: 15 s per request, a User-Agent naming the version.
  std::string ua = "SoundTime/" + std::string(version);
  library::ListingHttp http;
  http.post_json = [ua](const std::string& url, const std::string& body) {
    return reply_of(lib::curl::post(url, body, "application/json", {}, 15, 256 * 1024, ua));
  };
  http.get = [ua](const std::string& url) { return reply_of(lib::curl::get(url, 15, 256 * 1024, ua)); };
  http.del = [ua](const std::string& url, const std::string& token) {
    return reply_of(lib::curl::del(url, {{"Authorization", "Bearer " + token}}, 15, 64 * 1024, ua));
  };
  return std::make_unique<library::ListingService>(std::move(lc), std::move(store), std::move(http));
}

}  // namespace st::app
