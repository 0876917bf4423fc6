#pragma once
// A Subsonic response body as one tree that is written either as XML (scalars as attributes, lists as
// repeated elements, text as element content) or as JSON (scalars as fields, lists as arrays, text as
// "value"), so both formats always carry the same data.
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace st::subsonic {

using Scalar = std::variant<std::string, std::int64_t, double, bool>;

struct Node;

// A node's contents written once per format and shared by every response that carries them unchanged
// (getArtists' index of every artist, 1.2 MB of JSON at 10,000 artists): `build` makes the node the first
// time a format is asked for.
class Prerendered {
 public:
  explicit Prerendered(std::function<Node()> build) : build_(std::move(build)) {}
  const std::string& json_members() const;  // the members without braces
  const std::string& xml_attrs() const;     // each with its leading space
  const std::string& xml_children() const;

 private:
  std::function<Node()> build_;
  mutable std::once_flag json_once_, xml_once_;
  mutable std::string json_, xml_attrs_, xml_children_;
};

struct Node {
  std::vector<std::pair<std::string, Scalar>> attrs;
  // Lists, not vectors: what object(), list() and scalars() return stays valid as siblings are added; and
  // not deques, which allocate two blocks (about 600 bytes) even when empty, for every node of a response.
  std::list<std::pair<std::string, Node>> objects;                // single child elements
  std::list<std::pair<std::string, std::vector<Node>>> lists;     // repeated child elements
  std::list<std::pair<std::string, std::vector<Scalar>>> values;  // repeated scalar elements
  std::optional<std::string> text;
  // When set, the node's contents are these (and nothing else is set).
  std::shared_ptr<const Prerendered> prerendered;

  Node& set(std::string name, std::string v) { return put(std::move(name), std::move(v)); }
  Node& set(std::string name, const char* v) { return put(std::move(name), std::string(v)); }
  Node& set(std::string name, std::string_view v) { return put(std::move(name), std::string(v)); }
  Node& set(std::string name, bool v) { return put(std::move(name), v); }
  Node& set(std::string name, double v) { return put(std::move(name), v); }
  Node& set(std::string name, std::int64_t v) { return put(std::move(name), v); }
  Node& set(std::string name, int v) { return put(std::move(name), static_cast<std::int64_t>(v)); }
  template <typename T>
  Node& set(std::string name, const std::optional<T>& v) {
    if (v) set(std::move(name), *v);
    return *this;
  }
  // The child element `name` (created empty).
  Node& object(std::string name) { return objects.emplace_back(std::move(name), Node{}).second; }
  // The list of `name` elements (created empty; written as [] in JSON even when empty).
  std::vector<Node>& list(std::string name) { return lists.emplace_back(std::move(name), std::vector<Node>{}).second; }
  std::vector<Scalar>& scalars(std::string name) {
    return values.emplace_back(std::move(name), std::vector<Scalar>{}).second;
  }

 private:
  // The scalar is built in place (a moved variant trips GCC 12's -Wmaybe-uninitialized).
  template <typename T>
  Node& put(std::string name, T&& v) {
    attrs.emplace_back(std::piecewise_construct, std::forward_as_tuple(std::move(name)),
                       std::forward_as_tuple(std::in_place_type<std::decay_t<T>>, std::forward<T>(v)));
    return *this;
  }
};

struct Envelope {
  bool ok = true;
  std::string server_version;
};

// A written response as consecutive pieces: prerendered contents of 16 kB or more are pieces of their own,
// shared with the Prerendered that holds them rather than copied into each response.
using Pieces = std::vector<std::shared_ptr<const std::string>>;

// <subsonic-response xmlns=... status=... version=... type=... serverVersion=... openSubsonic=...> + body.
std::string to_xml(const Envelope& e, const Node& body);
Pieces to_xml_pieces(const Envelope& e, const Node& body);
// {"subsonic-response": {"status":..., ..., <body>}}
std::string to_json(const Envelope& e, const Node& body);
Pieces to_json_pieces(const Envelope& e, const Node& body);

// XML 1.0 cannot carry some characters at all (most C0 controls, U+FFFE, U+FFFF) nor invalid UTF-8: each
// becomes U+FFFD, so that one bad title cannot make a whole answer ill-formed.
std::string xml_escape(std::string_view s);

}  // namespace st::subsonic
