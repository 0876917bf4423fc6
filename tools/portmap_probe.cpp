// portmap_probe: asks the router for a TCP port mapping with PCP, NAT-PMP or UPnP (or each in turn),
// prints one JSON line per event, and removes the mapping again. For home networks and test namespaces
// only: it talks to the default gateway, and UPnP discovery multicasts on the LAN.
//
//   portmap_probe [options] map      map, print, (with --hold: wait for a line or EOF on stdin,) unmap
//   portmap_probe [options] mapper   run the background PortMapper until stdin has a line or closes
//
// Options: --protocol pcp|natpmp|upnp|all (default all), --port N (internal, 11204), --external-port N,
// --lifetime S, --gateway IP, --internal-address IP, --timeout-ms N, --server-port N, --upnp-url URL,
// --allow-reserved, --hold.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "p2p/portmap/port_mapper.hpp"

using namespace st::p2p::portmap;

namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c < 0x20) out += fmt::format("\\u{:04x}", c);
    else out += static_cast<char>(c);
  }
  return out + "\"";
}

void emit(const std::string& line) {
  std::cout << line << std::endl;  // flushed: a test reads it while we wait
}

std::string mapped_line(const Mapping& m) {
  return fmt::format(
      R"({{"event":"mapped","protocol":{},"external_ip":{},"external_port":{},"lifetime":{},"internal":{},"gateway":{},"double_nat":{}}})",
      json_string(m.protocol), json_string(m.external_ip), m.external_port, m.lifetime.count(),
      json_string(fmt::format("{}:{}", m.internal_ip, m.internal_port)), json_string(m.gateway),
      is_double_nat_external(m.external_ip) ? "true" : "false");
}

std::string status_line(const char* event, const PortMapStatus& s) {
  return fmt::format(R"({{"event":{},"active":{},"protocol":{},"external":{},"double_nat":{},"renewals":{},"last_error":{}}})",
                     json_string(event), s.active ? "true" : "false", json_string(s.protocol),
                     json_string(s.external), s.double_nat ? "true" : "false", s.renewals, json_string(s.last_error));
}

int usage(const std::string& what) {
  std::cerr << "portmap_probe: " << what
            << "\nusage: portmap_probe [--protocol pcp|natpmp|upnp|all] [--port N] [--external-port N] [--lifetime S]\n"
               "       [--gateway IP] [--internal-address IP] [--timeout-ms N] [--server-port N] [--upnp-url URL]\n"
               "       [--allow-reserved] [--hold] map|mapper\n";
  return 2;
}

bool number(const std::string& s, long long lo, long long hi, long long& out) {
  char* end = nullptr;
  out = std::strtoll(s.c_str(), &end, 10);
  return !s.empty() && end && *end == '\0' && out >= lo && out <= hi;
}

int run_map(const PortMapOptions& o, const std::string& protocol, bool hold) {
  std::vector<std::string> order = protocol == "all" ? o.protocols : std::vector<std::string>{protocol};
  std::optional<Mapping> got;
  for (const auto& p : order) {
    std::string why;
    if (p == "pcp") got = map_pcp(o, why);
    else if (p == "natpmp") got = map_natpmp(o, why);
    else if (p == "upnp") got = map_upnp(o, why);
    else why = "unknown protocol";
    if (got) break;
    emit(fmt::format(R"({{"event":"failed","protocol":{},"why":{}}})", json_string(p), json_string(why)));
  }
  if (!got) return 1;
  emit(mapped_line(*got));
  if (hold) {
    std::string line;
    std::getline(std::cin, line);
  }
  bool ok = unmap(*got, o);
  emit(fmt::format(R"({{"event":"unmapped","protocol":{},"ok":{}}})", json_string(got->protocol), ok ? "true" : "false"));
  return ok ? 0 : 1;
}

int run_mapper(const PortMapOptions& o) {
  PortMapper m(o);
  std::mutex mu;
  m.on_change([&](const std::optional<Mapping>& x) {
    std::lock_guard l(mu);
    if (x) emit(mapped_line(*x));
    else emit(R"({"event":"lost"})");
  });
  m.start();
  // A status line whenever it changes (mapped, renewed, failed), so a caller can follow the mapper.
  std::atomic<bool> done{false};
  std::thread watch([&] {
    PortMapStatus last;
    bool first = true;
    while (!done) {
      auto s = m.status();
      if (first || s.active != last.active || s.renewals != last.renewals || s.last_error != last.last_error ||
          s.external != last.external) {
        if (!first || s.active || !s.last_error.empty()) {
          std::lock_guard l(mu);
          emit(status_line("status", s));
        }
        if (s.active || !s.last_error.empty()) first = false;
        last = s;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::string line;
  std::getline(std::cin, line);
  done = true;
  watch.join();
  auto before = m.status();
  m.stop();
  std::lock_guard l(mu);
  emit(status_line("stopped", before));
  return before.active ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("portmap"));  // stdout carries the JSON lines
  PortMapOptions o;
  std::string protocol = "all", command;
  bool hold = false;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    std::string v;
    long long n = 0;
    if (a == "--protocol") {
      if (!value(protocol)) return usage("--protocol needs a value");
    } else if (a == "--port") {
      if (!value(v) || !number(v, 1, 65535, n)) return usage("--port needs 1..65535");
      o.internal_port = static_cast<std::uint16_t>(n);
    } else if (a == "--external-port") {
      if (!value(v) || !number(v, 0, 65535, n)) return usage("--external-port needs 0..65535");
      o.external_port = static_cast<std::uint16_t>(n);
    } else if (a == "--lifetime") {
      if (!value(v) || !number(v, 1, 86400 * 7, n)) return usage("--lifetime needs seconds");
      o.lifetime = std::chrono::seconds(n);
    } else if (a == "--timeout-ms") {
      if (!value(v) || !number(v, 50, 60000, n)) return usage("--timeout-ms needs 50..60000");
      o.timeout = std::chrono::milliseconds(n);
    } else if (a == "--server-port") {
      if (!value(v) || !number(v, 1, 65535, n)) return usage("--server-port needs 1..65535");
      o.server_port = static_cast<std::uint16_t>(n);
    } else if (a == "--gateway") {
      if (!value(o.gateway)) return usage("--gateway needs an address");
    } else if (a == "--internal-address") {
      if (!value(o.internal_address)) return usage("--internal-address needs an address");
    } else if (a == "--upnp-url") {
      if (!value(o.upnp_root_url)) return usage("--upnp-url needs a URL");
    } else if (a == "--allow-reserved") {
      o.allow_reserved_external = true;
    } else if (a == "--hold") {
      hold = true;
    } else if (command.empty() && (a == "map" || a == "mapper")) {
      command = a;
    } else {
      return usage("unknown argument " + a);
    }
  }
  if (protocol != "all" && protocol != "pcp" && protocol != "natpmp" && protocol != "upnp")
    return usage("--protocol is pcp, natpmp, upnp or all");
  if (protocol != "all") o.protocols = {protocol};
  if (command == "map") return run_map(o, protocol, hold);
  if (command == "mapper") return run_mapper(o);
  return usage("say map or mapper");
}
