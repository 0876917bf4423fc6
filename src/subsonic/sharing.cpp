// Shares: public links to songs, albums or playlists that play without an account, until they expire.
// /share/<secret> is a small page with a player; /share/<secret>/<track>/stream serves the audio.
#include <fmt/format.h>

#include "http/router.hpp"
#include "subsonic/items.hpp"
#include "subsonic/media.hpp"
#include "subsonic/sections.hpp"
#include "util/random.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::subsonic {

namespace {

std::string share_url(const Deps& d, const model::Share& s) { return d.public_base_url + "/share/" + s.secret; }

Node share_node(Call& c, const model::Share& s) {
  Node n;
  n.set("id", s.id);
  n.set("url", share_url(c.d, s));
  n.set("description", s.description);
  n.set("username", s.username);
  n.set("created", iso_time(s.created_at));
  if (s.expires_at) n.set("expires", iso_time(*s.expires_at));
  if (s.last_visited_at) n.set("lastVisited", iso_time(*s.last_visited_at));
  n.set("visitCount", s.visit_count);
  n.list("entry") = song_nodes(c, s.tracks);
  return n;
}

model::Share owned(Call& c, std::string_view raw) {
  auto id = as_id(raw);
  auto s = id ? c.d.shares.find(*id) : std::nullopt;
  if (!s || (s->user_id != c.user.id && !c.is_admin())) not_found("Share");
  return *s;
}

std::optional<util::Micros> expiry(Call& c) {
  auto ms = c.opt_int("expires", 0, INT64_MAX / 1000);
  if (!ms || *ms == 0) return std::nullopt;
  return *ms * 1000;
}

Reply get_shares(Call& c) {
  Node body;
  auto& list = body.object("shares").list("share");
  for (const auto& s : c.d.shares.list_by_user(c.user.id)) list.push_back(share_node(c, s));
  return body;
}

Reply create_share(Call& c) {
  if (!c.d.settings.shares_allowed())
    fail(Code::not_authorized, "Share links are turned off on this instance (an admin can allow them: share_links)");
  std::vector<std::string> tracks;
  for (const auto& id : c.ids("id")) {
    if (c.d.catalog.stream_source(id)) tracks.push_back(id);
    else if (c.d.catalog.find_album(id))
      for (const auto& t : c.d.catalog.album_tracks(id)) tracks.push_back(t.id);
    else if (auto p = c.d.playlists.find(id); p && (p->is_public || p->user_id == c.user.id))
      for (const auto& t : c.d.playlists.tracks(id)) tracks.push_back(t.id);
    else not_found("Item " + id);
  }
  if (tracks.empty()) fail(Code::missing_parameter, "Required parameter is missing: id (a song, album or playlist)");
  model::Share s;
  s.id = util::new_uuid();
  s.secret = util::random_hex(16);  // 128 bits
  s.user_id = c.user.id;
  s.description = c.opt_str("description");
  s.created_at = util::now_micros();
  s.expires_at = expiry(c);
  c.d.shares.create(s, tracks);
  Node body;
  body.object("shares").list("share").push_back(share_node(c, *c.d.shares.find(s.id)));
  return body;
}

Reply update_share(Call& c) {
  if (!c.d.settings.shares_allowed())
    fail(Code::not_authorized, "Share links are turned off on this instance (an admin can allow them: share_links)");
  auto s = owned(c, c.str("id"));
  std::optional<std::optional<util::Micros>> exp;
  if (c.params.has("expires")) exp = expiry(c);
  c.d.shares.update(s.id, c.opt_str("description"), exp);
  return Node{};
}

Reply delete_share(Call& c) {
  auto s = owned(c, c.str("id"));
  c.d.shares.remove(s.id);
  return Node{};
}

std::optional<model::Share> live_share(Deps& d, std::string_view secret) {
  // Turning shares off closes the links already given out, too.
  if (secret.empty() || secret.size() > 64 || !d.settings.shares_allowed()) return std::nullopt;
  auto s = d.shares.find_by_secret(secret);
  if (!s || (s->expires_at && *s->expires_at < util::now_micros())) return std::nullopt;
  return s;
}

http::Response share_page(const model::Share& s) {
  std::string items;
  for (const auto& t : s.tracks)
    items += fmt::format(
        "<li><div class=\"t\">{}</div><div class=\"a\">{}{}</div><audio controls preload=\"none\" "
        "src=\"/share/{}/{}/stream\"></audio></li>",
        xml_escape(t.title), xml_escape(t.artist_name), t.album_title ? " — " + xml_escape(*t.album_title) : "",
        s.secret, t.id);
  auto title = s.description && !s.description->empty() ? *s.description : "Shared music";
  auto page = fmt::format(
      "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\"><title>{0} · SoundTime</title><style>body{{font-family:system-ui,sans-serif;max-width:42rem;"
      "margin:2rem auto;padding:0 1rem;color:#111;background:#fafafa}}h1{{font-size:1.4rem}}ul{{list-style:none;"
      "padding:0}}li{{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:.75rem;margin:.5rem 0}}"
      ".t{{font-weight:600}}.a{{color:#555;font-size:.9rem;margin-bottom:.4rem}}audio{{width:100%}}"
      "@media (prefers-color-scheme:dark){{body{{background:#111;color:#eee}}li{{background:#1c1c1c;"
      "border-color:#333}}.a{{color:#aaa}}}}</style></head><body><h1>{0}</h1><p>Shared by {1} on SoundTime</p>"
      "<ul>{2}</ul></body></html>",
      xml_escape(title), xml_escape(s.username), items);
  auto res = http::Response::text(200, std::move(page), "text/html; charset=utf-8");
  res.headers.set("Cache-Control", "no-store");
  res.headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; media-src 'self'");
  return res;
}

}  // namespace

void add_sharing_methods(MethodTable& t) {
  t.push_back({"getShares", {get_shares}});
  t.push_back({"createShare", {create_share}});
  t.push_back({"updateShare", {update_share}});
  t.push_back({"deleteShare", {delete_share}});
}

void add_share_pages(http::Router& r, Deps& d) {
  r.get("/share/{secret}", [&d](http::Request& req) {
    auto s = live_share(d, req.param("secret"));
    if (!s) return http::Response::text(404, "This share does not exist or has expired.\n");
    d.shares.record_visit(s->id, util::now_micros());
    return share_page(*s);
  });
  r.get("/share/{secret}/{track}/stream", [&d](http::Request& req) {
    auto s = live_share(d, req.param("secret"));
    if (!s) return http::Response::text(404, "This share does not exist or has expired.\n");
    for (const auto& t : s->tracks)
      if (t.id == req.param("track")) {
        try {
          return stream_track(d, req, t, std::nullopt, false);
        } catch (const Error& e) {
          return http::Response::text(404, std::string(e.what()) + "\n");
        }
      }
    return http::Response::text(404, "This song is not part of the share.\n");
  });
}

}  // namespace st::subsonic
