// Internet radio stations: everyone lists them; administrators add, change and remove them.
#include "subsonic/items.hpp"
#include "subsonic/sections.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::subsonic {

namespace {

std::string checked_url(Call& c, const char* key) {
  auto url = std::string(util::trim(c.str(key)));
  auto lower = util::to_lower(url);
  if (url.size() > 2000 || (lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0))
    fail(Code::generic, std::string(key) + " must be an http:// or https:// URL");
  return url;
}

std::optional<std::string> optional_url(Call& c, const char* key) {
  auto v = c.opt_str(key);
  if (!v || util::trim(*v).empty()) return std::nullopt;
  return checked_url(c, key);
}

std::string checked_name(Call& c) {
  auto name = std::string(util::trim(c.str("name")));
  if (name.empty() || name.size() > 200) fail(Code::generic, "name must be 1 to 200 characters");
  return name;
}

model::RadioStation require_station(Call& c) {
  auto id = as_id(c.str("id"));
  auto s = id ? c.d.radio_stations.find(*id) : std::nullopt;
  if (!s) not_found("Internet radio station");
  return *s;
}

Reply list(Call& c) {
  Node body;
  auto& out = body.object("internetRadioStations").list("internetRadioStation");
  for (const auto& s : c.d.radio_stations.list()) {
    Node n;
    n.set("id", s.id);
    n.set("name", s.name);
    n.set("streamUrl", s.stream_url);
    n.set("homePageUrl", s.homepage_url);
    out.push_back(std::move(n));
  }
  return body;
}

Reply create(Call& c) {
  c.require_admin();
  model::RadioStation s{util::new_uuid(), checked_name(c), checked_url(c, "streamUrl"), optional_url(c, "homepageUrl"),
                        util::now_micros()};
  c.d.radio_stations.create(s);
  return Node{};
}

Reply update(Call& c) {
  c.require_admin();
  auto s = require_station(c);
  s.name = checked_name(c);
  s.stream_url = checked_url(c, "streamUrl");
  s.homepage_url = optional_url(c, "homepageUrl");
  c.d.radio_stations.update(s);
  return Node{};
}

Reply remove(Call& c) {
  c.require_admin();
  c.d.radio_stations.remove(require_station(c).id);
  return Node{};
}

}  // namespace

void add_radio_methods(MethodTable& t) {
  t.push_back({"getInternetRadioStations", {list}});
  t.push_back({"createInternetRadioStation", {create}});
  t.push_back({"updateInternetRadioStation", {update}});
  t.push_back({"deleteInternetRadioStation", {remove}});
}

}  // namespace st::subsonic
