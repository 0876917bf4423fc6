#pragma once
// Every address a peer may be dialled at, with where it came from and how it fared. A newer record adds
// candidates instead of replacing the address that works, so a peer's address never flips between what
// it says and what we saw (issue: a public node alternated between a home's observed and private address).
// Kept in a file beside the peer records; bounded per peer and in total.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace st::p2p {

enum class AddressSource { configured, mapped, dht, record, lan, observed };
const char* source_name(AddressSource s);

struct AddressCandidate {
  std::string address;  // host:port
  AddressSource source = AddressSource::record;
  std::int64_t seen_at = 0;      // µs: last time a source named it
  std::int64_t last_ok = 0;      // µs: last successful dial, 0 = never
  std::int64_t last_failed = 0;  // µs
  int failures = 0;              // consecutive failed dials
};

class AddressBook {
 public:
  static constexpr std::size_t kMaxPerPeer = 12;
  static constexpr std::size_t kMaxPeers = 4096;

  explicit AddressBook(std::string path);  // "" keeps it in memory only; a bad file is logged and ignored
  // Adds a candidate or refreshes it (a configured address keeps that source). The least useful candidate
  // makes room when the peer has kMaxPerPeer; false when the book is full of other peers.
  bool add(const std::string& node, const std::string& address, AddressSource source);
  // A newer signed statement from the peer (its record): candidates of that source not in `addresses` go,
  // unless a dial through them worked.
  void replace_source(const std::string& node, AddressSource source, const std::vector<std::string>& addresses);
  void succeeded(const std::string& node, const std::string& address);
  void failed(const std::string& node, const std::string& address);
  // In dialling order: what worked last first, then configured, mapped, DHT, record, LAN, observed; repeated
  // failures last.
  std::vector<AddressCandidate> candidates(const std::string& node) const;
  void forget(const std::string& node);
  std::size_t size() const;
  void save();  // when something changed (temp file, then rename)

 private:
  std::string path_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<AddressCandidate>> peers_;
  bool dirty_ = false;
};

}  // namespace st::p2p
