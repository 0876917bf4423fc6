#pragma once
// LAN discovery (off unless P2P_LAN_DISCOVERY=true): a small signed announcement sent by UDP multicast
// to an administratively scoped IPv4 group (239.0.0.0/8, TTL 1) every interval, and the announcements
// of other nodes heard on it. Hearing one only proposes a peer: the node checks its policy and pings
// the peer (the TLS link pins its key) before adding it. When Avahi's command-line tools are installed
// and `avahi-publish` can register with an Avahi daemon (over the system D-Bus, DBUS_SYSTEM_BUS_ADDRESS
// honoured), the node is also published and browsed as the mDNS service _soundtime-p2p._tcp.
// The avahi-publish / avahi-browse children are started by the discovery thread, read without blocking
// it, and killed and reaped when discovery stops (and sent SIGTERM by the kernel if the thread dies).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

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
  bool multicast = true;  // our own announcements (off: mDNS only)
  bool use_avahi = true;  // when avahi-publish / avahi-browse are installed and a daemon answers
};

// How a node was heard: our own multicast announcement, or an mDNS service resolved through Avahi.
enum class LanVia { multicast, mdns };

// "239.x.y.z:port"; nothing when not an administratively scoped IPv4 group with a port.
std::optional<std::pair<std::string, std::uint16_t>> parse_lan_group(std::string_view text);

class LanDiscovery {
 public:
  using OnPeer = std::function<void(const std::string& node_id, const std::string& address, LanVia via)>;
  // Opens the socket and joins the group unless multicast is off (throws std::runtime_error saying why it
  // cannot), then runs its own thread (which starts the Avahi tools) until stop().
  LanDiscovery(const crypto::Identity& id, std::uint16_t p2p_port, LanOptions options, OnPeer on_peer);
  ~LanDiscovery();
  void stop();
  std::uint64_t sent() const { return sent_; }
  std::uint64_t heard() const { return heard_; }
  // The service is published through Avahi (avahi-publish said so and still runs).
  bool avahi() const { return mdns_; }
  // Services of other nodes resolved through Avahi (each browse counts them again).
  std::uint64_t mdns_heard() const { return mdns_heard_; }

 private:
  struct Child {  // a command-line tool we started: its process and the read end of its output
    int pid = -1, fd = -1;
    std::string pending;  // output not yet ending in a newline
    std::size_t lines = 0;
  };
  // Starts `path args...` (stdin /dev/null, stdout and, when `with_stderr`, stderr to a pipe; no other
  // descriptor inherited; SIGTERM when this thread ends); pid -1 and errno set when it cannot.
  static Child spawn_child(const std::string& path, const std::vector<std::string>& args, bool with_stderr);
  // Reads what is there without blocking, one call per complete line; false at end of output.
  static bool read_lines(Child& c, const std::function<void(std::string_view)>& on_line);
  // Closes the pipe, asks the process to end (SIGTERM, then SIGKILL after 2 s) and reaps it.
  static void end_child(Child& c);
  void run();
  void announce();
  void receive();
  void start_publish();
  void publish_output();
  void start_browse();
  void browse_output();

  const crypto::Identity& id_;
  std::uint16_t p2p_port_;
  LanOptions opts_;
  OnPeer on_peer_;
  int fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> sent_{0}, heard_{0}, mdns_heard_{0};
  // Avahi, touched by the discovery thread only (but mdns_).
  std::string publish_path_, browse_path_;  // "" when avahi-utils are not installed
  Child publish_, browse_;
  std::string publish_said_;  // avahi-publish's last line (why it ended)
  std::chrono::steady_clock::time_point publish_retry_{}, browse_deadline_{};
  std::chrono::seconds publish_backoff_{0};
  bool avahi_reported_ = false;  // "not available" is logged once
  std::atomic<bool> mdns_{false};
  std::map<std::string, std::uint64_t> last_heard_;  // newest timestamp per node (replays are ignored)
  std::thread thread_;
};

}  // namespace st::p2p
