// /api/devices: a user's own other instances (NodeId and their account name there), whose playlists
// and favorites are kept in sync over P2P once both sides registered each other.
#include <boost/json.hpp>

#include "api/auth_guard.hpp"
#include "api/json.hpp"
#include "api/routes.hpp"
#include "model/errors.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace st::api {

namespace {

json::value nullable_time(const std::optional<util::Micros>& t) {
  return t ? json::value(util::to_rfc3339(*t)) : json::value(nullptr);
}

json::object describe(const model::Device& x) {
  json::object o;
  o["id"] = x.id;
  o["node_id"] = x.node_id;
  o["remote_username"] = x.remote_username;
  o["name"] = nullable(x.name);
  o["created_at"] = util::to_rfc3339(x.created_at);
  o["last_synced_at"] = nullable_time(x.last_synced_at);
  o["last_error"] = nullable(x.last_error);
  return o;
}

bool is_node_id(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

model::DeviceRepository& devices(DeviceDeps& d) {
  if (!d.devices) throw model::DomainError(model::ErrorKind::unavailable, "Devices are not available");
  return *d.devices;
}

library::P2pService& node(DeviceDeps& d) {
  if (!d.p2p) throw model::DomainError(model::ErrorKind::unavailable, "P2P is not enabled on this instance");
  return *d.p2p;
}

}  // namespace

void add_device_routes(http::Router& r, DeviceDeps& d) {
  r.get("/api/devices", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    json::object o;
    o["node_id"] = d.p2p ? json::value(d.p2p->status().node_id) : json::value(nullptr);
    o["username"] = who.user.username;
    json::array list;
    for (const auto& x : devices(d).list(who.user.id)) list.push_back(describe(x));
    o["devices"] = std::move(list);
    return json_response(200, o);
  });
  r.post("/api/devices", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto body = parse_object(req);
    auto& p2p = node(d);
    // "NodeId" of a peer we know, or "NodeId@host:port".
    std::string given(util::trim(require_string(body, "node_id")));
    std::string node_id = util::to_lower(given.substr(0, given.find('@')));
    if (!is_node_id(node_id)) model::throw_bad_request("node_id must be a NodeId (64 hex characters), optionally @host:port");
    if (node_id == p2p.status().node_id) model::throw_bad_request("This is this instance's own NodeId");
    std::string remote(util::trim(require_string(body, "remote_username")));
    if (remote.empty() || remote.size() > 64) model::throw_bad_request("remote_username must be 1 to 64 characters");
    auto name = optional_string(body, "name");
    if (name && (name->empty() || name->size() > 100)) model::throw_bad_request("name must be 1 to 100 characters");
    if (given.find('@') != std::string::npos) {
      // An address makes the node dial wherever it says: an administrator's call only.
      if (who.user.role != model::Role::admin)
        model::throw_forbidden("Only administrators may give an address: name the device by its NodeId alone");
      p2p.add_peer(node_id, given.substr(given.find('@') + 1));  // 400 for a bad address, 409 when blocked
    } else {
      bool known = false;
      for (const auto& p : p2p.peers()) known = known || p.node_id == node_id;
      if (!known) p2p.add_peer(node_id, "");  // found by its NodeId (records, DHT, rendezvous)
    }
    model::Device x;
    x.id = util::new_uuid();
    x.user_id = who.user.id;
    x.node_id = node_id;
    x.remote_username = remote;
    x.name = name;
    x.created_at = util::now_micros();
    if (!devices(d).add(x)) model::throw_conflict("This device is already registered");
    return json_response(201, describe(x));
  });
  r.del("/api/devices/{id}", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    auto id = uuid_param(req, "id", "Device not found");
    if (!devices(d).remove(who.user.id, id)) model::throw_not_found("Device not found");
    json::object o;
    o["message"] = "Device removed";
    return json_response(200, o);
  });
  r.post("/api/devices/sync", [&d](http::Request& req) {
    auto who = require_user(d.guard, req);
    json::array out;
    for (const auto& s : node(d).sync_devices(who.user.id)) {
      json::object o;
      o["device_id"] = s.device_id;
      o["node_id"] = s.node_id;
      o["ok"] = s.ok;
      o["error"] = s.ok ? json::value(nullptr) : json::value(s.error);
      o["favorites_added"] = s.received.favorites_added;
      o["favorites_removed"] = s.received.favorites_removed;
      o["playlists_created"] = s.received.playlists_created;
      o["playlists_updated"] = s.received.playlists_updated;
      o["playlists_deleted"] = s.received.playlists_deleted;
      o["tracks_missing"] = s.received.tracks_missing;
      out.push_back(std::move(o));
    }
    json::object o;
    o["results"] = std::move(out);
    return json_response(200, o);
  });
}

}  // namespace st::api
