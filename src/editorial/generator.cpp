#include "editorial/generator.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>
#include <map>
#include <set>

#include "editorial/prompt.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::editorial {

namespace json = boost::json;

namespace {

constexpr std::int64_t kWeek = 7 * 24 * 3600;
constexpr std::string_view kDefaultBaseUrl = "https://api.openai.com/v1";

// Removes every occurrence of the key from text shown to people (an echo in a provider's error message).
std::string scrub(std::string text, const std::string& key) {
  if (key.size() < 4) return text;
  for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at)) text.replace(at, key.size(), "***");
  return text;
}

// A provider's own error text ({"error":{"message":...}}), short and clean, when it sends one.
std::string provider_error(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return {};
  auto it = v.as_object().find("error");
  if (it == v.as_object().end()) return {};
  if (it->value().is_string()) return clean_text(it->value().as_string(), 200);
  if (it->value().is_object()) {
    auto m = it->value().as_object().find("message");
    if (m != it->value().as_object().end() && m->value().is_string()) return clean_text(m->value().as_string(), 200);
  }
  return {};
}

bool retryable(long status) { return status == 429 || status >= 500; }

}  // namespace

std::optional<std::int64_t> parse_rfc3339_seconds(std::string_view s) {
  int y, mo, d, h, mi, sec;
  std::string text(s.substr(0, 64));
  int used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::string_view rest = std::string_view(text).substr(static_cast<std::size_t>(used));
  if (!rest.empty() && rest.front() == '.') {
    std::size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    rest.remove_prefix(i);
  }
  long offset = 0;
  if (rest == "Z" || rest == "z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    auto hh = util::parse_int(rest.substr(1, 2)), mm = util::parse_int(rest.substr(4, 2));
    if (!hh || !mm) return std::nullopt;
    offset = (rest[0] == '-' ? -1 : 1) * (*hh * 3600 + *mm * 60);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return static_cast<std::int64_t>(timegm(&tm)) - offset;
}

Generator::Generator(model::CatalogRepository& catalog, model::PlaylistRepository& playlists,
                     model::UserRepository& users, SettingsAccess settings, ChatPost post, GeneratorOptions options)
    : catalog_(catalog),
      playlists_(playlists),
      users_(users),
      settings_(std::move(settings)),
      post_(std::move(post)),
      options_(std::move(options)) {}

Generator::~Generator() noexcept {
  {
    std::lock_guard l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
}

bool Generator::wait_for(std::chrono::milliseconds d) {
  std::unique_lock l(mu_);
  return !cv_.wait_for(l, d, [this] { return stopping_; });
}

GenerationResult Generator::generate() {
  bool expected = false;
  if (!running_.compare_exchange_strong(expected, true)) throw GenerationBusy("A generation is already running");
  struct Release {
    std::atomic<bool>& flag;
    ~Release() { flag = false; }
  } release{running_};
  try {
    auto r = run();
    std::lock_guard l(mu_);
    last_error_.reset();
    return r;
  } catch (const GenerationFailed& e) {
    std::lock_guard l(mu_);
    last_error_ = e.what();
    throw;
  } catch (const std::exception& e) {
    // Database trouble and the like: the admin gets a plain sentence, the log the detail.
    spdlog::error("editorial generation failed: {}", e.what());
    std::lock_guard l(mu_);
    last_error_ = "Internal error while generating the playlists";
    throw GenerationFailed(*last_error_);
  }
}

ChatHttpReply Generator::post_with_retry(const ChatHttpRequest& req, const std::string& key) {
  for (int attempt = 0;; ++attempt) {
    std::string failure;
    try {
      auto reply = post_(req);
      if (!retryable(reply.status) || attempt == 1) return reply;
      failure = fmt::format("HTTP {}", reply.status);
    } catch (const std::exception& e) {
      if (attempt == 1) throw GenerationFailed(scrub(fmt::format("The AI service did not answer: {}", e.what()), key));
      failure = e.what();
    }
    spdlog::warn("editorial: AI service attempt failed ({}), retrying once", scrub(failure, key));
    if (!wait_for(options_.retry_delay)) throw GenerationFailed("Shutting down");
  }
}

GenerationResult Generator::run() {
  auto key = settings_.get("ai_api_key");
  if (key.empty()) throw GenerationFailed("No AI API key is set (setting ai_api_key)");
  auto base = std::string(util::trim(settings_.get("ai_base_url")));
  if (base.empty()) base = kDefaultBaseUrl;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!util::starts_with(base, "http://") && !util::starts_with(base, "https://"))
    throw GenerationFailed("The AI base URL must start with http:// or https://");
  ChatRequestSpec spec;
  spec.model = std::string(util::trim(settings_.get("ai_model")));
  if (spec.model.empty()) spec.model = "gpt-4o-mini";
  spec.language = std::string(util::trim(settings_.get("instance_language")));
  auto max_tracks = util::parse_int(settings_.get("ai_max_tracks")).value_or(500);
  max_tracks = std::clamp<long long>(max_tracks, static_cast<long long>(options_.min_tracks), 5000);

  // The owner: the first admin (oldest account) who is not banned.
  std::optional<model::User> owner;
  for (auto& u : users_.list_by_username())
    if (u.role == model::Role::admin && !u.is_banned && (!owner || u.created_at < owner->created_at)) owner = u;
  if (!owner) throw GenerationFailed("No admin account to own the playlists");

  model::RandomQuery q;
  q.limit = max_tracks;
  auto tracks = catalog_.random_tracks(q);
  if (tracks.size() < options_.min_tracks)
    throw GenerationFailed(fmt::format("Not enough tracks: {} in the catalogue, {} needed", tracks.size(), options_.min_tracks));
  std::vector<PromptTrack> prompt_tracks;
  prompt_tracks.reserve(tracks.size());
  for (const auto& t : tracks)
    prompt_tracks.push_back(PromptTrack{t.id, t.title, t.artist_name, t.genre.value_or(""), t.year});
  std::size_t sent_count = 0;
  auto sample = tracks_json(prompt_tracks, options_.max_prompt_chars, sent_count);
  if (sent_count < options_.min_tracks) throw GenerationFailed("The catalogue sample does not fit in a request");
  tracks.resize(sent_count);
  std::set<std::string, std::less<>> sent;
  for (const auto& t : tracks) sent.insert(t.id);

  ChatHttpRequest req;
  req.url = base + "/chat/completions";
  req.body = chat_request_body(spec, sample, plan_for(sent_count));
  req.headers = {{"Authorization", "Bearer " + key}, {"Accept", "application/json"}};
  req.timeout_seconds = options_.timeout_seconds;
  req.max_body = options_.max_answer_bytes;
  auto reply = post_with_retry(req, key);
  if (reply.status < 200 || reply.status > 299) {
    auto detail = provider_error(reply.body);
    throw GenerationFailed(scrub(detail.empty() ? fmt::format("The AI service answered HTTP {}", reply.status)
                                                : fmt::format("The AI service answered HTTP {}: {}", reply.status, detail),
                                 key));
  }
  auto parsed = parse_chat_answer(reply.body, sent, options_.limits);
  if (!parsed.ok()) throw GenerationFailed(parsed.error);

  std::map<std::string, const model::Track*> by_id;
  for (const auto& t : tracks) by_id.emplace(t.id, &t);
  auto now = util::now_micros();
  std::vector<model::EditorialPlaylist> lists;
  for (std::size_t i = 0; i < parsed.playlists.size(); ++i) {
    auto& p = parsed.playlists[i];
    model::EditorialPlaylist e;
    e.playlist.id = util::new_uuid();
    e.playlist.name = p.name;
    if (!p.description.empty()) e.playlist.description = p.description;
    e.playlist.user_id = owner->id;
    e.playlist.is_public = true;
    e.playlist.is_editorial = true;
    e.playlist.cover_url = by_id.at(p.track_ids.front())->cover_url;
    // Listed newest first: the model's order is kept by spacing the times by a microsecond.
    e.playlist.created_at = e.playlist.updated_at = now - static_cast<util::Micros>(i);
    e.track_ids = std::move(p.track_ids);
    lists.push_back(std::move(e));
  }
  playlists_.replace_editorial(lists);
  settings_.put("editorial_last_generated", util::to_rfc3339(now));
  spdlog::info("editorial: {} playlists generated from {} tracks", lists.size(), sent_count);
  return GenerationResult{lists.size(), fmt::format("{} editorial playlists generated", lists.size())};
}

bool Generator::due() {
  if (settings_.get("ai_api_key").empty()) return false;
  auto last = settings_.get("editorial_last_generated");
  if (last.empty()) return true;
  auto t = parse_rfc3339_seconds(last);
  return !t || util::now_seconds() - *t >= kWeek;
}

EditorialStatus Generator::status() {
  EditorialStatus s;
  s.ai_configured = !settings_.get("ai_api_key").empty();
  s.ai_base_url = settings_.get("ai_base_url");
  if (s.ai_base_url.empty()) s.ai_base_url = kDefaultBaseUrl;
  s.ai_model = settings_.get("ai_model");
  if (s.ai_model.empty()) s.ai_model = "gpt-4o-mini";
  auto last = settings_.get("editorial_last_generated");
  if (!last.empty()) s.last_generated = last;
  s.playlist_count = static_cast<std::int64_t>(playlists_.list_editorial().size());
  s.needs_regeneration = s.ai_configured && due();
  s.running = running_;
  std::lock_guard l(mu_);
  s.last_error = last_error_;
  return s;
}

std::vector<EditorialList> Generator::playlists() {
  std::vector<EditorialList> out;
  if (settings_.get("ai_api_key").empty()) return out;
  for (auto& p : playlists_.list_editorial()) {
    EditorialList e;
    e.tracks = playlists_.tracks(p.id);
    e.playlist = std::move(p);
    out.push_back(std::move(e));
  }
  return out;
}

void Generator::schedule(std::chrono::seconds first_check, std::chrono::seconds interval, std::function<bool()> on_duty) {
  if (interval.count() <= 0 || scheduler_.joinable()) return;
  on_duty_ = std::move(on_duty);
  scheduler_ = std::thread([this, first_check, interval] { scheduler_loop(first_check, interval); });
}

void Generator::scheduler_loop(std::chrono::seconds first_check, std::chrono::seconds interval) {
  if (!wait_for(first_check)) return;
  do {
    try {
      if ((!on_duty_ || on_duty_()) && due()) generate();
    } catch (const GenerationBusy&) {
    } catch (const std::exception& e) {
      spdlog::warn("editorial: scheduled generation failed: {}", e.what());
    }
  } while (wait_for(interval));
}

}  // namespace st::editorial
