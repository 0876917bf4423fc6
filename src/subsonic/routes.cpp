// The Subsonic front door: one route per method name, parameters from the query string and form
// bodies, authentication, and errors in the format the client asked for (HTTP 200, as the protocol
// wants, with status="failed").
#include "subsonic/routes.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <unordered_map>

#include "model/database_unavailable.hpp"
#include "model/errors.hpp"
#include "subsonic/sections.hpp"
#include "util/strings.hpp"

namespace st::subsonic {

namespace {

enum class Format { xml, json, jsonp };

struct Table {
  std::unordered_map<std::string, Method> methods;
};

bool valid_callback(std::string_view s) {
  if (s.empty() || s.size() > 100) return false;
  for (char ch : s)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '$' || ch == '.')) return false;
  return true;
}

void add_pairs(Params& p, std::string_view text) {
  for (auto part : util::split(text, '&')) {
    if (part.empty()) continue;
    auto eq = part.find('=');
    auto k = util::percent_decode(part.substr(0, eq), true);
    auto v = util::percent_decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1), true);
    if (k && v) p.add(std::move(*k), std::move(*v));
  }
}

// Written as pieces (node.hpp): a large prerendered answer goes out from where it is held, not copied into
// a string per request (a 1.2 MB getArtists copied twice per request left every worker's heap megabytes
// larger once idle).
http::Response render(const Deps& d, Format f, const std::string& callback, bool ok, const Node& body) {
  Envelope e{ok, d.server_version};
  http::Response r(200);
  http::SharedPieces pieces;
  switch (f) {
    case Format::json:
      r.headers.set("Content-Type", "application/json");
      pieces.parts = to_json_pieces(e, body);
      break;
    case Format::jsonp:
      r.headers.set("Content-Type", "application/javascript; charset=utf-8");
      pieces.parts = to_json_pieces(e, body);
      pieces.parts.insert(pieces.parts.begin(), std::make_shared<const std::string>(callback + "("));
      pieces.parts.push_back(std::make_shared<const std::string>(");"));
      break;
    case Format::xml:
      r.headers.set("Content-Type", "text/xml; charset=utf-8");
      pieces.parts = to_xml_pieces(e, body);
      break;
  }
  r.body = std::move(pieces);
  return r;
}

http::Response error_response(const Deps& d, Format f, const std::string& callback, Code code, std::string_view msg) {
  Node body;
  auto& err = body.object("error");
  err.set("code", static_cast<int>(code));
  err.set("message", msg);
  return render(d, f, callback, false, body);
}

Code code_for(model::ErrorKind k) {
  switch (k) {
    case model::ErrorKind::not_found: return Code::not_found;
    case model::ErrorKind::forbidden: return Code::not_authorized;
    case model::ErrorKind::unauthorized: return Code::wrong_credentials;
    default: return Code::generic;
  }
}

}  // namespace

void add_subsonic_routes(http::Router& r, Deps& d) {
  MethodTable list;
  add_system_methods(list);
  add_browsing_methods(list);
  add_folder_methods(list);
  add_list_methods(list);
  add_search_methods(list);
  add_playlist_methods(list);
  add_media_methods(list);
  add_annotation_methods(list);
  add_sharing_methods(list);
  add_bookmark_methods(list);
  add_user_methods(list);
  add_scan_methods(list);
  add_radio_methods(list);
  add_transcoding_methods(list);
  add_unsupported_methods(list);
  auto table = std::make_shared<Table>();
  for (auto& [name, m] : list) table->methods.emplace(name, std::move(m));

  auto handle = [&d, table](http::Request& req) -> http::Response {
    Params params;
    add_pairs(params, req.query_string);
    if (req.method == http::Method::post) {
      auto ct = util::to_lower(req.headers.get("Content-Type").value_or(""));
      if (ct.rfind("application/x-www-form-urlencoded", 0) == 0) add_pairs(params, req.body);
    }
    Format f = Format::xml;
    std::string callback;
    auto fmt_param = params.get("f").value_or("xml");
    if (fmt_param == "json") f = Format::json;
    else if (fmt_param == "jsonp") {
      callback = params.get("callback").value_or("");
      if (!valid_callback(callback)) {
        return error_response(d, Format::json, "", Code::missing_parameter,
                              "jsonp needs a callback parameter made of letters, digits, _, $ and .");
      }
      f = Format::jsonp;
    }
    std::string name(req.param("method"));
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".view") == 0) name.resize(name.size() - 5);
    auto it = table->methods.find(name);
    if (it == table->methods.end()) {
      if (name.size() > 80) name = name.substr(0, 80) + "...";
      return error_response(d, f, callback, Code::not_found, "Unknown API method: " + name);
    }
    if (auto v = params.get("v"); v && !v->empty() && v->front() > '1' && v->front() <= '9')
      return error_response(d, f, callback, Code::server_too_old,
                            "Incompatible Subsonic REST protocol version. Server must upgrade.");
    try {
      Call call{req, std::move(params), d, {}, {}};
      call.client = call.params.get("c").value_or("");
      if (it->second.needs_auth) {
        auth::SubsonicCredentials creds{call.params.get("u"), call.params.get("p"), call.params.get("t"),
                                        call.params.get("s"), call.params.get("apiKey")};
        auto who = d.authenticator.authenticate(creds, http::client_ip(req, d.trusted_proxies));
        call.user = std::move(who.user);
        call.by_app_password = who.app_password_id.has_value();
      }
      auto reply = it->second.handler(call);
      if (auto* raw = std::get_if<http::Response>(&reply)) return std::move(*raw);
      return render(d, f, callback, true, std::get<Node>(reply));
    } catch (const Error& e) {
      return error_response(d, f, callback, e.code(), e.what());
    } catch (const auth::SubsonicAuthError& e) {
      return error_response(d, f, callback, static_cast<Code>(e.code()), e.what());
    } catch (const model::DomainError& e) {
      return error_response(d, f, callback, code_for(e.kind()), e.what());
    } catch (const model::DatabaseUnavailable& e) {
      // An HTTP 503 with Retry-After (apps retry), reported once per outage by the pool, not per request.
      auto r = error_response(d, f, callback, Code::generic, "The server is temporarily unavailable");
      r.status = 503;
      r.headers.set("Retry-After", std::to_string(e.retry_after_seconds()));
      return r;
    } catch (const model::StorageError& e) {
      spdlog::error("{} subsonic {}: storage error: {}", req.request_id, name, e.what());
      return error_response(d, f, callback, Code::generic, "Internal server error");
    } catch (const std::exception& e) {
      spdlog::error("{} subsonic {}: {}", req.request_id, name, e.what());
      return error_response(d, f, callback, Code::generic, "Internal server error");
    }
  };
  r.get("/rest/{method}", handle);
  r.post("/rest/{method}", handle);
  add_share_pages(r, d);
}

}  // namespace st::subsonic
