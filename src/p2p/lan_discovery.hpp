#pragma once
// LAN discovery (off unless P2P_LAN_DISCOVERY=true): a small signed announcement sent by UDP multicast
// to an administratively scoped IPv4 group (239.0.0.0/8, TTL 1) every interval, and the announcements
// of other nodes heard on it. Hearing one only proposes a peer: the node checks its policy and pings
// the peer (the TLS link pins its key) before adding it. When an Avahi daemon and its command-line
// tools are present, the node is also published and browsed as the mDNS service _soundtime-p2p._tcp.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "crypto/identity.hpp"

namespace st::p2p {

// The announcement: "STLA", version 1, the node's public key (32), its P2P port (u16 BE), a timestamp
// (Unix seconds, u64 BE), then an Ed25519 signature (64) of "soundtime-lan/1" followed by those 47 bytes.
inline constexpr std::size_t kLanAnnouncementSize = 111;
inline constexpr std::uint64_t kLanMaxSkewSeconds = 300;

struct LanAnnouncement {
  std::string node_id;
  std::uint16_t port = 0;
  std::uint64_t timestamp = 0;
};

std::string encode_lan_announcement(const crypto::Identity& id, std::uint16_t port, std::uint64_t timestamp);
// Checks size, magic, version, port, the timestamp against `now` (± kLanMaxSkewSeconds) and the
// signature; nothing (and the reason) for anything else.
std::optional<LanAnnouncement> decode_lan_announcement(std::string_view packet, std::uint64_t now, std::string* why);

// One line of `avahi-browse --parsable --resolve` output for our service: the peer it names
// (node_id from the TXT record, host and port); nothing for other lines or malformed ones.
struct MdnsPeer {
  std::string node_id, address;  // address: host:port
};
std::optional<MdnsPeer> parse_avahi_browse_line(std::string_view line);

struct LanOptions {
  std::string group = "239.255.41.204";
  std::uint16_t group_port = 11205;
  std::string interface_ip;  // IPv4 address of the interface to use; "" = the kernel's choice
  std::chrono::seconds interval{30};
  bool use_avahi = true;  // when avahi-publish / avahi-browse and the daemon's socket are present
};

// "239.x.y.z:port"; nothing when not an administratively scoped IPv4 group with a port.
std::optional<std::pair<std::string, std::uint16_t>> parse_lan_group(std::string_view text);

class LanDiscovery {
 public:
  using OnPeer = std::function<void(const std::string& node_id, const std::string& address)>;
  // Opens the socket and joins the group (throws std::runtime_error saying why it cannot), then runs
  // its own thread until stop().
  LanDiscovery(const crypto::Identity& id, std::uint16_t p2p_port, LanOptions options, OnPeer on_peer);
  ~LanDiscovery();
  void stop();
  std::uint64_t sent() const { return sent_; }
  std::uint64_t heard() const { return heard_; }
  bool avahi() const { return avahi_pid_ > 0; }

 private:
  void run();
  void announce();
  void receive();
  void start_avahi();
  void browse_avahi();

  const crypto::Identity& id_;
  std::uint16_t p2p_port_;
  LanOptions opts_;
  OnPeer on_peer_;
  int fd_ = -1;
  int avahi_pid_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> sent_{0}, heard_{0};
  std::map<std::string, std::uint64_t> last_heard_;  // newest timestamp per node (replays are ignored)
  std::thread thread_;
};

}  // namespace st::p2p
