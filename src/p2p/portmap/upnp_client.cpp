// UPnP IGD through miniupnpc: SSDP discovery (multicast on the LAN, so never outside a home network or
// a test namespace), then AddPortMapping with a lease on the IGD found at the gateway.
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "p2p/portmap/attempt.hpp"
#include "p2p/portmap/gateway.hpp"

namespace st::p2p::portmap::detail {

namespace {

using Clock = std::chrono::steady_clock;

// The IGD's URLs and service, freed on scope exit.
struct Igd {
  UPNPUrls urls{};
  IGDdatas data{};
  char lanaddr[64] = {};
  Igd() = default;
  Igd(const Igd&) = delete;
  Igd& operator=(const Igd&) = delete;
  ~Igd() {
    FreeUPNPUrls(&urls);  // frees what the lookup filled; null pointers are fine
  }
};

std::string upnp_error(int code) {
  const char* s = strupnperror(code);
  return s ? fmt::format("{} ({})", code, s) : std::to_string(code);
}

bool url_at_host(const char* url, const std::string& host) {
  if (!url) return false;
  std::string_view u(url);
  auto p = u.find("://");
  if (p == std::string_view::npos) return false;
  u.remove_prefix(p + 3);
  return u.substr(0, host.size()) == host && u.size() > host.size() && (u[host.size()] == ':' || u[host.size()] == '/');
}

// Loads the IGD: from the configured URL, else by SSDP discovery, preferring devices at the gateway
// (a stranger on the LAN can answer SSDP too). Returns the UPNP_GetValidIGD status (1 connected,
// 2 not connected) or 0 with why.
int load_igd(const PortMapOptions& o, const std::string& gateway, Igd& igd, std::string& why) {
  if (!o.upnp_root_url.empty()) {
    if (UPNP_GetIGDFromUrl(o.upnp_root_url.c_str(), &igd.urls, &igd.data, igd.lanaddr, sizeof igd.lanaddr) != 1) {
      why = fmt::format("no UPnP IGD answered at {}", o.upnp_root_url);
      return 0;
    }
    return UPNPIGD_IsConnected(&igd.urls, &igd.data) ? 1 : 2;
  }
  auto gw = parse_ipv4(gateway);
  if (gw && classify_ipv4(*gw) == AddressKind::loopback) {
    why = "UPnP discovery is never run toward a loopback gateway (SSDP would multicast)";
    return 0;
  }
  std::string ifaddr = o.internal_address.empty() ? local_address_toward(gateway) : o.internal_address;
  int err = 0;
  int delay = static_cast<int>(std::clamp<long long>(o.timeout.count(), 100, 5000));
  UPNPDev* list = upnpDiscover(delay, ifaddr.empty() ? nullptr : ifaddr.c_str(), nullptr, UPNP_LOCAL_PORT_ANY, 0, 2, &err);
  if (!list) {
    why = "no UPnP IGD answered the SSDP discovery";
    return 0;
  }
  // Keep only the devices at the gateway for the IGD choice, then restore the chain to free it.
  std::vector<UPNPDev*> all;
  for (UPNPDev* d = list; d && all.size() < 256; d = d->pNext) all.push_back(d);
  std::vector<UPNPDev*> at_gw;
  for (auto* d : all)
    if (url_at_host(d->descURL, gateway)) at_gw.push_back(d);
  auto& use = at_gw.empty() ? all : at_gw;
  std::vector<UPNPDev*> saved_next;
  for (auto* d : all) saved_next.push_back(d->pNext);
  for (std::size_t i = 0; i < use.size(); ++i) use[i]->pNext = i + 1 < use.size() ? use[i + 1] : nullptr;
  int r = UPNP_GetValidIGD(use.front(), &igd.urls, &igd.data, igd.lanaddr, sizeof igd.lanaddr);
  for (std::size_t i = 0; i < all.size(); ++i) all[i]->pNext = saved_next[i];
  freeUPNPDevlist(list);
  if (r == 1 || r == 2) return r;
  if (r == 3) {
    why = "a UPnP device answered, but it is not an internet gateway (IGD)";
  } else {
    why = "no UPnP IGD found on the LAN";
  }
  return 0;
}

}  // namespace

Attempt upnp_map(const PortMapOptions& o, const Mapping* renew) {
  Attempt a;
  std::string gateway = renew ? renew->gateway : gateway_for(o, a.why);
  if (gateway.empty() && o.upnp_root_url.empty()) return a;
  PortMapOptions opts = o;
  if (renew && opts.upnp_root_url.empty()) opts.upnp_root_url = renew->igd_url;  // no new discovery
  Igd igd;
  int status = load_igd(opts, gateway, igd, a.why);
  if (status == 0) return a;
  a.answered = true;
  const char* control = igd.urls.controlURL;
  const char* service = igd.data.first.servicetype;
  char ext_ip[40] = {};
  int r = UPNP_GetExternalIPAddress(control, service, ext_ip);
  if (r != UPNPCOMMAND_SUCCESS || !ext_ip[0])
    return a.why = "the router's UPnP IGD does not tell its external address: " + upnp_error(r), a;
  auto ext = parse_ipv4(ext_ip);
  if (!ext) return a.why = fmt::format("the router's UPnP IGD gives '{}' as its external address", ext_ip), a;
  // miniupnpc calls an IGD "not connected" when it is, or when its external address is reserved. A
  // private/CGNAT address is accepted (the mapper flags double NAT); the lab's benchmark range only on request.
  auto kind = classify_ipv4(*ext);
  bool usable = (kind == AddressKind::global && status == 1) || kind == AddressKind::private_rfc1918 ||
                kind == AddressKind::cgnat || (kind == AddressKind::reserved_benchmark && o.allow_reserved_external);
  if (!usable)
    return a.why = fmt::format("the router's UPnP IGD reports it is not connected to the internet (external address {})", ext_ip), a;
  std::string client = o.internal_address.empty() ? std::string(igd.lanaddr) : o.internal_address;
  if (client.empty()) return a.why = "cannot tell our own LAN address for the UPnP mapping", a;
  std::uint16_t ext_port = renew ? renew->external_port : (o.external_port ? o.external_port : o.internal_port);
  std::string in_port = std::to_string(o.internal_port);
  std::string lease = std::to_string(std::max<std::int64_t>(1, o.lifetime.count()));
  auto lifetime = std::chrono::seconds(std::max<std::int64_t>(1, o.lifetime.count()));
  std::string out_port = std::to_string(ext_port);
  r = UPNP_AddPortMapping(control, service, out_port.c_str(), in_port.c_str(), client.c_str(), "SoundTime P2P",
                          "TCP", nullptr, lease.c_str());
  if (r == 725) {  // OnlyPermanentLeasesSupported: a permanent one, renewed and deleted by us all the same
    r = UPNP_AddPortMapping(control, service, out_port.c_str(), in_port.c_str(), client.c_str(), "SoundTime P2P",
                            "TCP", nullptr, "0");
  }
  if (r == 718 && !renew) {  // ConflictInMappingEntry: someone holds that port; ask for any
    char reserved[8] = {};
    r = UPNP_AddAnyPortMapping(control, service, out_port.c_str(), in_port.c_str(), client.c_str(),
                               "SoundTime P2P", "TCP", nullptr, lease.c_str(), reserved);
    if (r == UPNPCOMMAND_SUCCESS) {
      auto p = std::atoi(reserved);
      if (p <= 0 || p > 65535) return a.why = "the router's UPnP IGD gave an invalid external port", a;
      out_port = reserved;
      ext_port = static_cast<std::uint16_t>(p);
    } else {
      return a.why = "the external port is taken on the router (UPnP 718 ConflictInMappingEntry)", a;
    }
  }
  if (r != UPNPCOMMAND_SUCCESS) return a.why = "the router refused the UPnP mapping: " + upnp_error(r), a;
  Mapping m;
  m.protocol = "upnp";
  m.external_ip = ext_ip;
  m.external_port = ext_port;
  m.lifetime = lifetime;
  m.gateway = gateway;
  m.internal_ip = client;
  m.internal_port = o.internal_port;
  m.igd_url = igd.urls.rootdescURL ? igd.urls.rootdescURL : opts.upnp_root_url;
  m.answered_at = Clock::now();
  a.mapping = std::move(m);
  return a;
}

bool upnp_unmap(const Mapping& m, const PortMapOptions& o) {
  if (m.igd_url.empty()) return false;
  PortMapOptions opts = o;
  opts.upnp_root_url = m.igd_url;
  Igd igd;
  std::string why;
  if (load_igd(opts, m.gateway, igd, why) == 0) {
    spdlog::info("port mapping: removing the UPnP mapping failed: {}", why);
    return false;
  }
  std::string port = std::to_string(m.external_port);
  int r = UPNP_DeletePortMapping(igd.urls.controlURL, igd.data.first.servicetype, port.c_str(), "TCP", nullptr);
  if (r != UPNPCOMMAND_SUCCESS) {
    spdlog::info("port mapping: removing the UPnP mapping failed: {}", upnp_error(r));
    return false;
  }
  return true;
}

}  // namespace st::p2p::portmap::detail
