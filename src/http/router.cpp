#include "http/router.hpp"

#include <stdexcept>

#include "util/concurrency_gate.hpp"
#include "util/strings.hpp"

namespace st::http {

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> param;  // {name}
  std::string param_name;
  std::unique_ptr<Node> rest;  // {*name}
  std::string rest_name;
  std::map<Method, Handler> handlers;
  std::map<Method, bool> inline_safe;
  std::map<Method, FastHandler> fast;
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  for (auto s : util::split(path, '/'))
    if (!s.empty()) out.push_back(s);
  return out;
}

}  // namespace

namespace {

bool is_parameter(std::string_view s) { return s.size() >= 2 && s.front() == '{' && s.back() == '}'; }

}  // namespace

void Router::add(Method method, std::string_view pattern, Handler handler, bool inline_safe) {
  Node* n = root_.get();
  auto segs = segments(pattern);
  for (std::size_t i = 0; i < segs.size(); ++i) {
    auto s = segs[i];
    if (is_parameter(s)) {
      auto name = s.substr(1, s.size() - 2);
      if (!name.empty() && name.front() == '*') {
        if (i + 1 != segs.size()) throw std::logic_error("catch-all must be last in " + std::string(pattern));
        if (!n->rest) n->rest = std::make_unique<Node>();
        n->rest_name = std::string(name.substr(1));
        n = n->rest.get();
      } else {
        if (!n->param) n->param = std::make_unique<Node>();
        else if (n->param_name != name)
          throw std::logic_error("conflicting parameter names at " + std::string(pattern));
        n->param_name = std::string(name);
        n = n->param.get();
      }
    } else {
      auto it = n->literals.find(s);
      if (it == n->literals.end()) it = n->literals.emplace(std::string(s), std::make_unique<Node>()).first;
      n = it->second.get();
    }
  }
  if (n->handlers.count(method)) throw std::logic_error("route registered twice: " + std::string(pattern));
  n->handlers[method] = std::move(handler);
  n->inline_safe[method] = inline_safe;
}

namespace {

using Params = std::map<std::string, std::string, std::less<>>;

template <typename NodeT>
const NodeT* match(const NodeT* n, const std::vector<std::string_view>& segs, std::size_t i, Params& params) {
  if (i == segs.size()) {
    if (!n->handlers.empty()) return n;
    if (n->rest && !n->rest->handlers.empty()) {
      params[n->rest_name] = "";
      return n->rest.get();
    }
    return nullptr;
  }
  if (auto it = n->literals.find(segs[i]); it != n->literals.end())
    if (auto* m = match(it->second.get(), segs, i + 1, params)) return m;
  if (n->param) {
    if (auto* m = match(n->param.get(), segs, i + 1, params)) {
      params[n->param_name] = std::string(segs[i]);
      return m;
    }
  }
  if (n->rest && !n->rest->handlers.empty()) {
    std::string rest;
    for (std::size_t k = i; k < segs.size(); ++k) {
      if (k > i) rest.push_back('/');
      rest.append(segs[k]);
    }
    params[n->rest_name] = std::move(rest);
    return n->rest.get();
  }
  return nullptr;
}

}  // namespace

bool Router::is_inline(const Request& req) const {
  Params params;
  const Node* n = match(root_.get(), segments(req.path), 0, params);
  if (!n) return false;
  Method m = req.method == Method::head && !n->handlers.count(Method::head) ? Method::get : req.method;
  auto it = n->inline_safe.find(m);
  return it != n->inline_safe.end() && it->second;
}

Router::Node* Router::find(Method method, std::string_view pattern) const {
  Node* n = root_.get();
  for (auto s : segments(pattern)) {
    if (is_parameter(s)) {
      n = s[1] == '*' ? n->rest.get() : n->param.get();
    } else {
      auto it = n->literals.find(s);
      n = it == n->literals.end() ? nullptr : it->second.get();
    }
    if (!n) break;
  }
  if (!n || !n->handlers.count(method)) throw std::logic_error("route not registered: " + std::string(pattern));
  return n;
}

void Router::add_fast_path(Method method, std::string_view pattern, FastHandler fast) {
  find(method, pattern)->fast[method] = std::move(fast);
}

void Router::limit_concurrency(Method method, std::string_view pattern, unsigned max_in_flight,
                               unsigned retry_after_seconds) {
  Node* n = find(method, pattern);
  auto gate = std::make_shared<util::ConcurrencyGate>(max_in_flight);
  n->handlers[method] = [inner = std::move(n->handlers[method]), gate, retry_after_seconds](Request& req) {
    auto slot = gate->try_enter();
    if (!slot) {
      Response r = Response::error(503, "Too many of these requests at once; try again shortly");
      r.headers.set("Retry-After", std::to_string(retry_after_seconds));
      return r;
    }
    return inner(req);
  };
}

std::optional<Response> Router::try_fast(Request& req) const {
  Params params;
  const Node* n = match(root_.get(), segments(req.path), 0, params);
  if (!n || n->fast.empty()) return std::nullopt;
  Method m = req.method == Method::head && !n->handlers.count(Method::head) ? Method::get : req.method;
  auto it = n->fast.find(m);
  if (it == n->fast.end()) return std::nullopt;
  req.path_params = std::move(params);
  return it->second(req);
}

Response Router::dispatch(Request& req) const {
  Params params;
  const Node* n = match(root_.get(), segments(req.path), 0, params);
  if (!n) {
    if (fallback_) return fallback_(req);
    return Response::error(404, "Not found");
  }
  auto it = n->handlers.find(req.method);
  if (it == n->handlers.end() && req.method == Method::head) it = n->handlers.find(Method::get);
  if (it == n->handlers.end()) {
    std::string allow;
    for (const auto& [m, h] : n->handlers) {
      if (!allow.empty()) allow += ", ";
      allow += to_string(m);
      if (m == Method::get) allow += ", HEAD";
    }
    Response r = Response::error(405, "Method not allowed");
    r.headers.set("Allow", allow);
    return r;
  }
  req.path_params = std::move(params);
  return it->second(req);
}

}  // namespace st::http
