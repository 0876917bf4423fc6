// dht_probe: publish or resolve a SoundTime node record on a Mainline DHT from the command line, printing
// one JSON object (used by the namespace lab test; handy against a real swarm too).
//   dht_probe put --seed-hex <64 hex> --bootstrap h:p[,h:p] [--addr ip:port]... [--rdv NodeId]... [--turn h:p]...
//                 [--seq N] [--bind ip] [--port N] [--timeout-ms N]
//   dht_probe get --node-id <64 hex> --bootstrap h:p[,h:p] [--bind ip] [--port N] [--timeout-ms N]
//   dht_probe encode --seed-hex <64 hex> [--addr ...]...   (the DNS packet in hex, for other implementations)
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/identity.hpp"
#include "p2p/dht/dht_client.hpp"
#include "util/strings.hpp"

using namespace st::p2p::dht;

namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string json_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + json_string(v[i]);
  return out + "]";
}

std::string hex(const void* p, std::size_t n) { return st::util::to_hex(static_cast<const unsigned char*>(p), n); }

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, ',');)
    if (!part.empty()) out.push_back(part);
  return out;
}

int usage() {
  std::cerr << "usage: dht_probe put --seed-hex H --bootstrap h:p[,h:p] [--addr ip:port]... [--rdv id]... [--turn h:p]...\n"
               "       dht_probe get --node-id H --bootstrap h:p[,h:p]\n"
               "       dht_probe encode --seed-hex H [--addr ip:port]...\n"
               "options: --bind ip --port n --timeout-ms n --seq n\n";
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string cmd = argv[1];
  std::multimap<std::string, std::string> args;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strncmp(argv[i], "--", 2) != 0) return usage();
    args.emplace(argv[i] + 2, argv[i + 1]);
  }
  auto one = [&](const std::string& k, std::string def = "") {
    auto it = args.find(k);
    return it == args.end() ? def : it->second;
  };
  auto all = [&](const std::string& k) {
    std::vector<std::string> out;
    for (auto [a, b] = args.equal_range(k); a != b; ++a) out.push_back(a->second);
    return out;
  };
  try {
    NodeRecord rec{all("addr"), all("rdv"), all("turn")};
    DhtOptions opt;
    opt.bind_host = one("bind", "0.0.0.0");
    opt.bind_port = static_cast<std::uint16_t>(std::stoi(one("port", "0")));
    opt.bootstrap = split(one("bootstrap"));
    opt.lookup_timeout = std::chrono::milliseconds(std::stoi(one("timeout-ms", "15000")));
    using Clock = std::chrono::steady_clock;

    if (cmd == "put" || cmd == "encode") {
      auto seed_hex = one("seed-hex");
      auto seed_raw = st::util::from_hex(seed_hex);
      if (!seed_raw || seed_raw->size() != 32) return usage();
      st::crypto::Ed25519Seed seed{};
      std::memcpy(seed.data(), seed_raw->data(), 32);
      st::crypto::Identity id(seed);
      auto key = *key_of_node_id(id.node_id());
      auto dns = encode_node_record(key, rec);
      if (cmd == "encode") {
        std::cout << "{\"node_id\":" << json_string(id.node_id()) << ",\"z32\":" << json_string(z32_encode(key))
                  << ",\"dns_hex\":" << json_string(hex(dns.data(), dns.size())) << "}\n";
        return 0;
      }
      auto seq = one("seq").empty() ? static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                                      std::chrono::system_clock::now().time_since_epoch())
                                                                      .count())
                                    : std::stoull(one("seq"));
      auto packet = sign_packet(id, dns, seq);
      DhtClient dht(opt);
      auto t0 = Clock::now();
      auto r = dht.put(packet);
      auto ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      auto s = dht.stats();
      std::cout << "{\"node_id\":" << json_string(id.node_id()) << ",\"z32\":" << json_string(z32_encode(key))
                << ",\"seq\":" << seq << ",\"stored\":" << r.stored << ",\"error\":" << json_string(r.error)
                << ",\"ms\":" << ms << ",\"queries\":" << s.queries_sent << ",\"responses\":" << s.responses
                << ",\"dropped\":" << s.messages_dropped << ",\"routing_table\":" << s.routing_table_size
                << ",\"dns_bytes\":" << dns.size() << "}\n";
      return r.stored > 0 ? 0 : 1;
    }
    if (cmd == "get") {
      auto key = key_of_node_id(one("node-id"));
      if (!key) return usage();
      DhtClient dht(opt);
      auto t0 = Clock::now();
      auto p = dht.get(*key);
      auto ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      auto s = dht.stats();
      std::cout << "{\"found\":" << (p ? "true" : "false") << ",\"ms\":" << ms << ",\"queries\":" << s.queries_sent
                << ",\"responses\":" << s.responses << ",\"dropped\":" << s.messages_dropped
                << ",\"items_rejected\":" << s.items_rejected << ",\"routing_table\":" << s.routing_table_size;
      if (p) {
        std::cout << ",\"seq\":" << p->timestamp_us << ",\"sig_hex\":" << json_string(hex(p->sig.data(), 64))
                  << ",\"dns_hex\":" << json_string(hex(p->dns.data(), p->dns.size()));
        std::string why;
        if (auto r = decode_node_record(*key, p->dns, why)) {
          std::cout << ",\"record\":{\"addresses\":" << json_list(r->addresses)
                    << ",\"rendezvous\":" << json_list(r->rendezvous) << ",\"turn\":" << json_list(r->turn) << "}";
        } else {
          std::cout << ",\"record_error\":" << json_string(why);
        }
      }
      std::cout << "}\n";
      return p ? 0 : 2;
    }
  } catch (const std::exception& e) {
    std::cerr << "dht_probe: " << e.what() << "\n";
    return 1;
  }
  return usage();
}
