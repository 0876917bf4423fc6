#include "p2p/reach/address_book.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/time.hpp"

namespace st::p2p {

namespace json = boost::json;

namespace {

constexpr AddressSource kSources[] = {AddressSource::configured, AddressSource::mapped, AddressSource::dht,
                                      AddressSource::record,     AddressSource::lan,    AddressSource::observed};

std::optional<AddressSource> parse_source(std::string_view s) {
  for (auto x : kSources)
    if (s == source_name(x)) return x;
  return std::nullopt;
}

// Lower sorts first: dial these before the others.
auto rank(const AddressCandidate& c) {
  bool worked = c.last_ok > 0 && c.failures == 0;
  return std::make_tuple(c.failures >= 3, !worked, worked ? -c.last_ok : 0, static_cast<int>(c.source), c.failures,
                         -c.seen_at);
}

}  // namespace

const char* source_name(AddressSource s) {
  switch (s) {
    case AddressSource::configured: return "configured";
    case AddressSource::mapped: return "mapped";
    case AddressSource::dht: return "dht";
    case AddressSource::record: return "record";
    case AddressSource::lan: return "lan";
    case AddressSource::observed: return "observed";
  }
  return "record";
}

AddressBook::AddressBook(std::string path) : path_(std::move(path)) {
  if (path_.empty() || !std::filesystem::exists(path_)) return;
  try {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    auto v = json::parse(ss.str());
    for (const auto& [node, list] : v.as_object()) {
      if (peers_.size() >= kMaxPeers) break;
      auto& out = peers_[std::string(node)];
      for (const auto& e : list.as_array()) {
        if (out.size() >= kMaxPerPeer) break;
        const auto& o = e.as_object();
        auto src = parse_source(o.at("source").as_string());
        if (!src) continue;
        AddressCandidate c;
        c.address = std::string(o.at("address").as_string());
        c.source = *src;
        c.seen_at = o.at("seen_at").to_number<std::int64_t>();
        c.last_ok = o.at("last_ok").to_number<std::int64_t>();
        c.failures = o.at("failures").to_number<int>();
        out.push_back(std::move(c));
      }
    }
  } catch (const std::exception& e) {
    spdlog::warn("p2p: ignoring the address book {}: {}", path_, e.what());
    peers_.clear();
  }
}

bool AddressBook::add(const std::string& node, const std::string& address, AddressSource source) {
  std::lock_guard l(mu_);
  auto it = peers_.find(node);
  if (it == peers_.end()) {
    if (peers_.size() >= kMaxPeers) return false;
    it = peers_.emplace(node, std::vector<AddressCandidate>{}).first;
  }
  auto& list = it->second;
  auto now = util::now_micros();
  for (auto& c : list) {
    if (c.address != address) continue;
    if (static_cast<int>(source) < static_cast<int>(c.source)) {  // the better source wins
      c.source = source;
      dirty_ = true;
    }
    c.seen_at = now;  // (not worth a write of its own)
    return true;
  }
  if (list.size() >= kMaxPerPeer) {
    auto worst = std::max_element(list.begin(), list.end(), [](const auto& a, const auto& b) { return rank(a) < rank(b); });
    if (worst->source == AddressSource::configured) return false;  // only configured ones left: keep them
    list.erase(worst);
  }
  AddressCandidate c;
  c.address = address;
  c.source = source;
  c.seen_at = now;
  list.push_back(std::move(c));
  dirty_ = true;
  return true;
}

void AddressBook::replace_source(const std::string& node, AddressSource source, const std::vector<std::string>& addresses) {
  {
    std::lock_guard l(mu_);
    auto it = peers_.find(node);
    if (it != peers_.end()) {
      auto n = it->second.size();
      std::erase_if(it->second, [&](const AddressCandidate& c) {
        return c.source == source && c.last_ok == 0 &&
               std::find(addresses.begin(), addresses.end(), c.address) == addresses.end();
      });
      dirty_ = dirty_ || n != it->second.size();
    }
  }
  for (const auto& a : addresses) add(node, a, source);
}

void AddressBook::succeeded(const std::string& node, const std::string& address) {
  std::lock_guard l(mu_);
  auto it = peers_.find(node);
  if (it == peers_.end()) return;
  for (auto& c : it->second)
    if (c.address == address) {
      c.last_ok = util::now_micros();
      c.failures = 0;
      dirty_ = true;
    }
}

void AddressBook::failed(const std::string& node, const std::string& address) {
  std::lock_guard l(mu_);
  auto it = peers_.find(node);
  if (it == peers_.end()) return;
  for (auto& c : it->second)
    if (c.address == address) {
      c.last_failed = util::now_micros();
      ++c.failures;
      dirty_ = true;
    }
}

std::vector<AddressCandidate> AddressBook::candidates(const std::string& node) const {
  std::lock_guard l(mu_);
  auto it = peers_.find(node);
  if (it == peers_.end()) return {};
  auto out = it->second;
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return rank(a) < rank(b); });
  return out;
}

void AddressBook::forget(const std::string& node) {
  std::lock_guard l(mu_);
  if (peers_.erase(node)) dirty_ = true;
}

std::size_t AddressBook::size() const {
  std::lock_guard l(mu_);
  return peers_.size();
}

void AddressBook::save() {
  json::object root;
  {
    std::lock_guard l(mu_);
    if (!dirty_ || path_.empty()) return;
    dirty_ = false;
    for (const auto& [node, list] : peers_) {
      json::array a;
      for (const auto& c : list)
        a.push_back(json::object{{"address", c.address}, {"source", source_name(c.source)}, {"seen_at", c.seen_at},
                                 {"last_ok", c.last_ok}, {"failures", c.failures}});
      root[node] = std::move(a);
    }
  }
  auto tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << json::serialize(root);
    if (!out) {
      spdlog::warn("p2p: cannot write {}", tmp);
      return;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path_, ec);
  if (ec) spdlog::warn("p2p: cannot save the address book: {}", ec.message());
}

}  // namespace st::p2p
