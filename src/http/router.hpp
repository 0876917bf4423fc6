#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.hpp"
#include "http/response.hpp"

namespace st::http {

using Handler = std::function<Response(Request&)>;
// An attempt to answer on a network thread: it must never block (no database, no waiting), and returns
// nothing when it cannot answer that way, so that the route's handler runs on the worker pool instead.
using FastHandler = std::function<std::optional<Response>(Request&)>;

// Routes by method and path pattern. Segments are literals, `{name}` (one segment) or `{*name}` (the
// rest of the path, last only). A literal beats a parameter at each segment, whatever the order of
// registration. HEAD falls back to GET. No match: 404 JSON; path known but not the method: 405 with Allow.
class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // inline_safe: the handler never blocks, so the server may run it on a network thread.
  void add(Method method, std::string_view pattern, Handler handler, bool inline_safe = false);
  // True when the request matches a route registered as inline_safe.
  bool is_inline(const Request& req) const;
  // Gives a route (already added) a fast path: see FastHandler.
  void add_fast_path(Method method, std::string_view pattern, FastHandler fast);
  // The answer of the fast path of the route the request matches, when it has one and it answers.
  std::optional<Response> try_fast(Request& req) const;
  // Bounds the requests of a route (already added) handled at once, for routes that wait on the network:
  // beyond max_in_flight, 503 with Retry-After at once, so that they cannot hold every worker.
  void limit_concurrency(Method method, std::string_view pattern, unsigned max_in_flight,
                         unsigned retry_after_seconds);
  void get(std::string_view p, Handler h) { add(Method::get, p, std::move(h)); }
  void post(std::string_view p, Handler h) { add(Method::post, p, std::move(h)); }
  void put(std::string_view p, Handler h) { add(Method::put, p, std::move(h)); }
  void patch(std::string_view p, Handler h) { add(Method::patch, p, std::move(h)); }
  void del(std::string_view p, Handler h) { add(Method::del, p, std::move(h)); }

  // The handler for a request that matched no route (default: 404 JSON).
  void fallback(Handler h) { fallback_ = std::move(h); }

  Response dispatch(Request& req) const;

 private:
  struct Node;
  Node* find(Method method, std::string_view pattern) const;  // a registered route; throws otherwise
  std::unique_ptr<Node> root_;
  Handler fallback_;
};

}  // namespace st::http
