#include "library/listing_service.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "crypto/secret_box.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace st::library {

namespace json = boost::json;

namespace {
constexpr std::string_view kDefaultListingUrl = "https://soundtime-listing-production.up.railway.app";

std::string trim_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// The "error" text of a directory's JSON answer, bounded; "unknown error" otherwise.
std::string error_of(const WebReply& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (!ec && v.is_object())
    if (auto* e = v.as_object().if_contains("error"); e && e->is_string()) return std::string(e->as_string()).substr(0, 300);
  return "unknown error";
}

std::optional<std::string> token_of(const WebReply& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (!ec && v.is_object())
    if (auto* t = v.as_object().if_contains("token"); t && t->is_string() && !t->as_string().empty() &&
                                                    t->as_string().size() <= 4096)
      return std::string(t->as_string());
  return std::nullopt;
}

bool success(long status) { return status >= 200 && status < 300; }

// How long an administrator's heartbeat or delisting waits for an exchange in progress: a heartbeat is at
// most three requests of 15 s.
constexpr auto kExchangeWait = std::chrono::seconds(50);
}  // namespace

bool is_local_listing_domain(std::string_view d) {
  return util::starts_with(d, "localhost") || util::starts_with(d, "127.") || util::starts_with(d, "0.0.0.0") ||
         util::starts_with(d, "[::1]") || d == "::1";
}

std::string clean_listing_domain(std::string_view raw) {
  std::string d(util::trim(raw));
  for (std::string_view scheme : {"https://", "http://"})
    if (util::starts_with(d, scheme)) d.erase(0, scheme.size());
  return trim_slashes(d);
}

ListingService::ListingService(ListingConfig config, ListingStore store, ListingHttp http)
    : config_(std::move(config)), store_(std::move(store)), http_(std::move(http)) {}

ListingService::~ListingService() noexcept { stop(); }

std::string ListingService::listing_url() {
  auto u = store_.setting("listing_url");
  if (util::trim(u).empty()) u = config_.default_url.empty() ? std::string(kDefaultListingUrl) : config_.default_url;
  return trim_slashes(std::string(util::trim(u)));
}

std::string ListingService::domain() {
  auto d = store_.setting("listing_domain");
  return clean_listing_domain(util::trim(d).empty() ? config_.domain : d);
}

bool ListingService::enabled() { return store_.setting("listing_public") == "true"; }

std::optional<std::string> ListingService::token() {
  auto sealed = store_.setting("listing_token");
  if (sealed.empty()) return std::nullopt;
  return crypto::open_sealed(config_.sealing_key, sealed);  // nothing for a value not sealed by us
}

void ListingService::set_token(const std::optional<std::string>& t) {
  store_.put_setting("listing_token", t ? crypto::seal(config_.sealing_key, *t) : std::string());
}

void ListingService::record(std::string status, std::optional<std::string> error) {
  std::lock_guard lk(mu_);
  last_status_ = std::move(status);
  last_error_ = std::move(error);
  last_heartbeat_ = util::to_rfc3339(util::now_micros());
}

ListingStatus ListingService::status() {
  ListingStatus s;
  s.enabled = enabled();
  s.domain = domain();
  s.domain_is_local = is_local_listing_domain(s.domain);
  s.listing_url = listing_url();
  s.has_token = token().has_value();
  std::lock_guard lk(mu_);
  s.status = last_status_;
  s.error = last_error_;
  s.last_heartbeat = last_heartbeat_;
  return s;
}

std::optional<std::string> ListingService::heartbeat_locked() {
  auto dom = domain();
  if (is_local_listing_domain(dom))
    return "domain is a local address (" + dom + "): the listing server cannot reach this instance. Set a public "
           "domain in the listing settings or SOUNDTIME_DOMAIN.";
  auto url = listing_url();
  auto announce = [&](const std::optional<std::string>& tok) {
    json::object p;
    p["domain"] = dom;
    p["name"] = store_.setting("instance_name");
    p["description"] = store_.setting("instance_description");
    p["version"] = config_.version;
    p["track_count"] = store_.track_count();
    p["user_count"] = store_.user_count();
    p["open_registration"] = store_.setting("instance_private") != "true";
    if (tok) p["token"] = *tok;
    return http_.post_json(url + "/api/announce", json::serialize(p));
  };
  try {
    auto tok = token();
    auto r = announce(tok);
    if (success(r.status)) {
      if (!tok)
        if (auto fresh = token_of(r)) set_token(fresh);
      return std::nullopt;
    }
    if (r.status == 401 && tok) {  // the directory forgot us: register again once
      set_token(std::nullopt);
      auto again = announce(std::nullopt);
      if (success(again.status)) {
        if (auto fresh = token_of(again)) set_token(fresh);
        return std::nullopt;
      }
      return "Re-registration after token invalidation failed: listing server returned " +
             std::to_string(again.status) + ": " + error_of(again);
    }
    if (r.status == 409) {  // registered already, token lost: fine if the directory lists us
      auto listed = http_.get(url + "/api/nodes/" + dom);
      if (success(listed.status)) return std::nullopt;
      return "Domain '" + dom + "' is already registered on the listing server but the local token was lost.";
    }
    return "Listing server returned " + std::to_string(r.status) + ": " + error_of(r);
  } catch (const std::exception& e) {
    return std::string("HTTP request failed: ") + e.what();
  }
}

std::optional<std::string> ListingService::delist_locked() {
  auto tok = token();
  if (!tok) return "No listing token available: the instance was not registered (or its token was lost).";
  try {
    auto r = http_.del(listing_url() + "/api/nodes/" + domain(), *tok);
    if (success(r.status)) {
      set_token(std::nullopt);
      return std::nullopt;
    }
    return "Listing server returned " + std::to_string(r.status) + ": " + error_of(r);
  } catch (const std::exception& e) {
    return std::string("HTTP request failed: ") + e.what();
  }
}

ListingOutcome ListingService::trigger() {
  ListingOutcome o;
  o.domain = domain();
  o.listing_url = listing_url();
  if (!enabled()) return {400, "listing is disabled", "listing is disabled", o.domain, o.listing_url};
  if (is_local_listing_domain(o.domain)) {
    record("error", "domain is a local address (localhost / 127.x): the listing server cannot reach this instance");
    return {422, "domain_local",
            "The listing domain is a local address. The listing server cannot reach your instance. Set a public "
            "domain in the listing settings or via the SOUNDTIME_DOMAIN environment variable.",
            o.domain, o.listing_url};
  }
  std::unique_lock net(net_mu_, kExchangeWait);
  if (!net.owns_lock()) return {409, "busy", "A heartbeat is already in progress", o.domain, o.listing_url};
  next_beat_ = std::chrono::steady_clock::now() + config_.interval;
  if (auto err = heartbeat_locked()) {
    record("error", *err);
    return {502, "heartbeat_failed", *err, o.domain, o.listing_url};
  }
  record("ok", std::nullopt);
  o.message = "Heartbeat successful: this instance is now listed.";
  return o;
}

ListingOutcome ListingService::delist() {
  ListingOutcome o;
  o.domain = domain();
  o.listing_url = listing_url();
  std::unique_lock net(net_mu_, kExchangeWait);
  if (!net.owns_lock()) return {409, "busy", "A heartbeat is already in progress", o.domain, o.listing_url};
  if (auto err = delist_locked()) {
    record("error", *err);
    return {502, "delist_failed", *err, o.domain, o.listing_url};
  }
  next_beat_ = {};
  store_.put_setting("listing_public", "false");
  record("delisted", std::nullopt);
  o.message = "Instance has been removed from the public directory.";
  return o;
}

void ListingService::start() {
  std::lock_guard lk(mu_);
  if (worker_.joinable()) return;
  stopping_ = false;
  worker_ = std::thread([this] { run(); });
}

void ListingService::stop() noexcept {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ListingService::run() {
  using clock = std::chrono::steady_clock;
  auto wait = [this](std::chrono::seconds d) {
    std::unique_lock lk(mu_);
    return !cv_.wait_for(lk, d, [this] { return stopping_; });
  };
  if (!wait(config_.first_delay)) return;
  bool was_enabled = false;
  std::string last_failure;
  for (;;) {
    try {
      // Decided under the exchange lock, so that a heartbeat or a delisting an administrator has just sent
      // is seen (the worker neither repeats the one nor undoes the other).
      std::lock_guard net(net_mu_);
      bool on = enabled();
      auto now = clock::now();
      if (on && now >= next_beat_) {
        was_enabled = true;
        next_beat_ = now + config_.interval;
        auto err = heartbeat_locked();
        if (err) spdlog::warn("listing heartbeat failed: {}", *err);
        record(err ? "error" : "ok", err);
      } else if (on) {
        was_enabled = true;
      } else if (was_enabled) {
        was_enabled = false;
        next_beat_ = {};  // turned on again: announced at once
        if (token()) {    // none after a failed first heartbeat or an administrator's delisting
          auto err = delist_locked();
          if (err) spdlog::warn("listing: delisting failed: {}", *err);
          record(err ? "error" : "delisted", err);
        }
      }
      last_failure.clear();
    } catch (const std::exception& e) {
      // The database may be down: tried again next round, said once (not once a second).
      if (last_failure != e.what()) spdlog::warn("listing worker: {}", e.what());
      last_failure = e.what();
    }
    if (!wait(std::chrono::seconds(1))) return;  // the setting is polled from memory (cached)
  }
}

}  // namespace st::library
