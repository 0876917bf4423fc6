#pragma once
// Port mapping: asks the home router to forward a TCP port from its external address to us, so that
// peers on the internet can dial this node. Tried in order: PCP (RFC 6887 MAP, our own client), NAT-PMP
// (RFC 6886, libnatpmp), UPnP IGD (miniupnpc). The mapping is renewed at half of the lifetime the router
// grants and removed on stop. Never switch this on outside a real home network or a test namespace:
// it talks to the default gateway, and UPnP discovery multicasts SSDP on the LAN.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace st::p2p::portmap {

struct PortMapOptions {
  std::uint16_t internal_port = 11204;  // the local TCP port to map
  std::uint16_t external_port = 0;      // suggested (0 = same as internal)
  std::chrono::seconds lifetime{3600};  // asked; renewed at half of what the router grants
  std::string gateway;                  // "" = the default route's gateway (from /proc/net/route)
  std::string internal_address;         // "" = our address on the route to the gateway
  std::vector<std::string> protocols{"pcp", "natpmp", "upnp"};  // tried in this order
  bool allow_reserved_external = false;  // lab: accept a reserved external address (198.18/15) from UPnP
  // How long one protocol may wait for the router's answers (retransmitting meanwhile).
  std::chrono::milliseconds timeout{3000};
  // Tests: the PCP/NAT-PMP server port (0 = 5351).
  std::uint16_t server_port = 0;
  // UPnP: the IGD's root description URL, skipping SSDP discovery ("" = discover by SSDP multicast).
  std::string upnp_root_url;
  // PortMapper's retry backoff when no protocol works: doubles from min to max.
  std::chrono::seconds retry_min{60};
  std::chrono::seconds retry_max{1800};
};

struct Mapping {
  std::string protocol;  // "pcp", "natpmp" or "upnp"
  std::string external_ip;
  std::uint16_t external_port = 0;
  std::chrono::seconds lifetime{0};  // granted
  // What renewing and removing it need.
  std::string gateway;
  std::string internal_ip;
  std::uint16_t internal_port = 0;
  std::array<std::uint8_t, 12> nonce{};  // PCP: the same nonce renews and deletes the mapping
  std::uint32_t epoch = 0;               // PCP/NAT-PMP: the router's epoch at its last answer
  std::string igd_url;                   // UPnP: the IGD's root description URL
  std::chrono::steady_clock::time_point answered_at{};  // when the router last confirmed it
};

struct PortMapStatus {
  bool active = false;
  std::string protocol;
  std::string external;  // "ip:port" when active
  bool double_nat = false;  // the router's external address is private/CGNAT (100.64/10, RFC 1918): do not publish
  std::string last_error;   // words a user can act on: "no router answered PCP, NAT-PMP or UPnP", ...
  std::int64_t renewals = 0;
};

// Background thread: map, renew at half-life, retry with backoff (retry_min .. retry_max) when none works.
class PortMapper {
 public:
  explicit PortMapper(PortMapOptions o);
  ~PortMapper();  // stop()
  PortMapper(const PortMapper&) = delete;
  PortMapper& operator=(const PortMapper&) = delete;

  void start();
  // Removes the mapping (PCP/NAT-PMP lifetime 0, UPnP DeletePortMapping), reports nullopt to on_change
  // when a mapping was held, and joins the thread.
  void stop();
  PortMapStatus status() const;
  std::optional<Mapping> mapping() const;
  // Called from the mapper thread whenever the mapping appears, changes address, or goes away (not for
  // renewals at the same address). Set it before start(); never call stop() from inside it.
  void on_change(std::function<void(const std::optional<Mapping>&)> f);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One-shot functions used by the mapper and the probe tool. Each throws nothing; on failure it returns
// nullopt and says why in words. `renew` (optional) is the mapping to refresh: PCP reuses its nonce.
std::optional<Mapping> map_pcp(const PortMapOptions& o, std::string& why, const Mapping* renew = nullptr);
std::optional<Mapping> map_natpmp(const PortMapOptions& o, std::string& why, const Mapping* renew = nullptr);
std::optional<Mapping> map_upnp(const PortMapOptions& o, std::string& why, const Mapping* renew = nullptr);
// Removes a mapping with the protocol that made it; true when the router confirmed.
bool unmap(const Mapping& m, const PortMapOptions& o);
// The IPv4 gateway of the default route (from /proc/net/route), "" when none.
std::string default_gateway();
// True for addresses that cannot be reached from the internet: RFC 1918 and CGNAT 100.64/10 (a router
// with such an external address sits behind another NAT), and loopback/link-local/unspecified.
bool is_double_nat_external(const std::string& ipv4);

}  // namespace st::p2p::portmap
