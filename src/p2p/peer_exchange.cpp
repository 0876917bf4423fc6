#include "p2p/peer_exchange.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "p2p/transport/transport.hpp"
#include "util/host_port.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace st::p2p {

namespace {

std::string with_port(const std::string& host, std::uint16_t port) {
  return util::format_host_port(host, port);
}

}  // namespace

std::string peer_record_signing_bytes(const SignedPeerRecord& r) {
  std::string s = "soundtime-peer-record/1\n" + r.node_id + "\n" + std::to_string(r.timestamp) + "\n";
  for (const auto& a : r.addresses) s += a + "\n";
  return s;
}

SignedPeerRecord sign_peer_record(const crypto::Identity& id, std::vector<std::string> addresses,
                                  std::uint64_t timestamp) {
  SignedPeerRecord r;
  r.node_id = id.node_id();
  r.addresses = std::move(addresses);
  if (r.addresses.size() > kRecordMaxAddresses) r.addresses.resize(kRecordMaxAddresses);
  r.timestamp = timestamp;
  auto sig = id.sign(peer_record_signing_bytes(r));
  r.signature = util::to_hex(sig.data(), sig.size());
  return r;
}

std::string check_peer_record(const SignedPeerRecord& r, std::uint64_t now) {
  auto key = crypto::parse_node_id(r.node_id);
  if (!key || crypto::node_id_of(*key) != r.node_id) return "node_id is not a lowercase NodeId";
  if (r.addresses.empty()) return "no address";
  if (r.addresses.size() > kRecordMaxAddresses) return "too many addresses";
  for (const auto& a : r.addresses)
    if (a.find('\n') != std::string::npos || !parse_peer_address(r.node_id + "@" + a)) return "bad address '" + a.substr(0, 80) + "'";
  if (r.timestamp > now + kRecordMaxFutureSeconds) return "timestamp in the future";
  auto sig = util::from_hex(r.signature);
  if (!sig || sig->size() != 64) return "signature is not 64 bytes of hex";
  std::array<std::uint8_t, 64> s{};
  std::copy(sig->begin(), sig->end(), reinterpret_cast<char*>(s.data()));
  if (!crypto::ed25519_verify(*key, peer_record_signing_bytes(r), s)) return "bad signature";
  return {};
}

std::vector<std::string> advertised_addresses(const std::vector<std::string>& configured, const std::string& bind_host,
                                              std::uint16_t port) {
  if (!configured.empty()) return configured;
  if (bind_host != "0.0.0.0" && bind_host != "::" && !bind_host.empty()) return {with_port(bind_host, port)};
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (auto* i = list; i && out.size() < kRecordMaxAddresses; i = i->ifa_next) {
    if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP)) continue;
    char buf[INET6_ADDRSTRLEN] = {};
    if (i->ifa_addr->sa_family == AF_INET) {
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, buf, sizeof buf);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      auto* a6 = &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr;
      if (IN6_IS_ADDR_LINKLOCAL(a6)) continue;  // needs a scope id nobody else can use
      ::inet_ntop(AF_INET6, a6, buf, sizeof buf);
    } else {
      continue;
    }
    out.push_back(with_port(buf, port));
  }
  ::freeifaddrs(list);
  return out;
}

std::vector<std::string> dialable_learned_addresses(const std::vector<std::string>& addresses, AddressScope from_scope,
                                                    bool allow_local) {
  std::vector<std::string> out;
  for (const auto& a : addresses) {
    auto h = host_of(a);
    if (!h) continue;
    auto sc = scope_of_ip(*h);
    bool name = h->find(':') == std::string::npos && h->find_first_not_of("0123456789.") != std::string::npos;
    bool ok = allow_local || (sc == AddressScope::invalid ? name : scope_fits(sc, from_scope));
    if (ok) out.push_back(a);
  }
  return out;
}

PeerRecordBook::PeerRecordBook(std::string path) : path_(std::move(path)) {
  if (path_.empty()) return;
  std::ifstream in(path_, std::ios::binary);
  if (!in) return;
  std::stringstream ss;
  ss << in.rdbuf();
  auto d = decode_message(ss.str());
  auto* px = d.message ? std::get_if<PeerExchange>(&*d.message) : nullptr;
  if (!px) {
    spdlog::warn("p2p: ignoring {}: {}", path_, d.message ? "not a record list" : d.error);
    return;
  }
  auto now = static_cast<std::uint64_t>(util::now_seconds());
  for (const auto& r : px->records)
    if (check_peer_record(r, now).empty()) records_[r.node_id] = r;
}

bool PeerRecordBook::offer(const SignedPeerRecord& r) {
  std::lock_guard l(mu_);
  auto it = records_.find(r.node_id);
  if (it != records_.end() && it->second.timestamp >= r.timestamp) return false;
  if (it == records_.end() && records_.size() >= kMaxRecords) return false;
  records_[r.node_id] = r;
  dirty_ = true;
  return true;
}

std::optional<SignedPeerRecord> PeerRecordBook::find(const std::string& node) const {
  std::lock_guard l(mu_);
  auto it = records_.find(node);
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

void PeerRecordBook::forget(const std::string& node) {
  std::lock_guard l(mu_);
  if (records_.erase(node)) dirty_ = true;
}

std::size_t PeerRecordBook::size() const {
  std::lock_guard l(mu_);
  return records_.size();
}

void PeerRecordBook::save() {
  PeerExchange px;
  {
    std::lock_guard l(mu_);
    if (!dirty_ || path_.empty()) return;
    dirty_ = false;
    for (const auto& [id, r] : records_) px.records.push_back(r);
  }
  auto tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << encode_message(px);
    if (!out) {
      spdlog::warn("p2p: cannot write {}", tmp);
      return;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path_, ec);
  if (ec) spdlog::warn("p2p: cannot replace {}: {}", path_, ec.message());
}

}  // namespace st::p2p
