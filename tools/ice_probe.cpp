// ice_probe: one side of an ICE session, signalled through files (the rendezvous stand-in of the lab).
//   ice_probe --role controlling|controlled [--stun h:p] [--turn user:pass@h:p]... [--turn-tcp]
//             [--local IP]... [--ice-tcp | --tcp-only] --signal-dir DIR [--bytes N] [--connect-ms MS]
// Each side writes DIR/<role>.desc (write, then rename) and waits for the other's. Once connected, the
// controlling side sends N bytes of a fixed pseudo-random stream; the controlled side checks every byte
// and answers "OK\n"; the controlling side times the whole exchange. Both print one JSON line: RESULT {...}.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "p2p/transport/ice/ice_session.hpp"

using namespace st::p2p::ice;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& why) {
  std::cerr << "ice_probe: " << why << "\n";
  std::cout << "RESULT {\"ok\": false, \"error\": \"" << why << "\"}" << std::endl;
  std::exit(1);
}

std::pair<std::string, std::uint16_t> host_port(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos) die("expected host:port, got " + s);
  return {s.substr(0, colon), std::uint16_t(std::stoul(s.substr(colon + 1)))};
}

// The byte stream both sides agree on (xorshift64, refilled per 64 KiB block).
struct Pattern {
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  void fill(char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 8) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      std::memcpy(p + i, &x, std::min<std::size_t>(8, n - i));
    }
  }
};

void wait_fd(int fd, short ev) {
  pollfd p{fd, ev, 0};
  if (::poll(&p, 1, 120000) <= 0) die("stalled for 120 s");
}

void write_all(int fd, const char* p, std::size_t n) {
  while (n) {
    auto w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w > 0) {
      p += w;
      n -= std::size_t(w);
    } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      wait_fd(fd, POLLOUT);
    } else {
      die(std::string("write: ") + std::strerror(errno));
    }
  }
}

std::size_t read_some(int fd, char* p, std::size_t n) {
  while (true) {
    auto r = ::read(fd, p, n);
    if (r >= 0) return std::size_t(r);
    if (errno != EAGAIN && errno != EWOULDBLOCK) die(std::string("read: ") + std::strerror(errno));
    wait_fd(fd, POLLIN);
  }
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  IceOptions o;
  std::string role, dir;
  std::uint64_t bytes = 8u << 20;
  bool turn_tcp = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--role") role = next();
    else if (a == "--stun") std::tie(o.stun_host, o.stun_port) = host_port(next());
    else if (a == "--turn") {
      auto v = next();
      auto at = v.rfind('@'), colon = v.find(':');
      if (at == std::string::npos || colon == std::string::npos || colon > at) die("--turn wants user:pass@host:port");
      TurnServer t;
      t.username = v.substr(0, colon);
      t.password = v.substr(colon + 1, at - colon - 1);
      std::tie(t.host, t.port) = host_port(v.substr(at + 1));
      o.turn.push_back(t);
    } else if (a == "--turn-tcp") turn_tcp = true;
    else if (a == "--local") o.local_addresses.push_back(next());
    else if (a == "--ice-tcp") o.ice_tcp = true;
    else if (a == "--tcp-only") o.ice_tcp = true, o.ice_udp = false;
    else if (a == "--signal-dir") dir = next();
    else if (a == "--bytes") bytes = std::stoull(next());
    else if (a == "--connect-ms") o.connect_timeout = std::chrono::milliseconds(std::stoll(next()));
    else die("unknown option " + a);
  }
  if ((role != "controlling" && role != "controlled") || dir.empty()) die("need --role controlling|controlled and --signal-dir");
  for (auto& t : o.turn) t.tcp = turn_tcp;
  o.controlling = role == "controlling";
  std::string other = o.controlling ? "controlled" : "controlling";

  auto t0 = Clock::now();
  auto ms_since = [&](Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); };
  int fd = -1;
  PathInfo path;
  double gather_ms = 0, connect_ms = 0;
  try {
    IceSession s(o);
    auto mine = s.local_description();
    gather_ms = ms_since(t0);
    {
      std::ofstream f(dir + "/" + role + ".tmp");
      f << encode_description(mine);
    }
    std::rename((dir + "/" + role + ".tmp").c_str(), (dir + "/" + role + ".desc").c_str());
    std::string text;
    auto deadline = Clock::now() + std::chrono::seconds(60);
    while (true) {
      std::ifstream f(dir + "/" + other + ".desc");
      if (f) {
        std::stringstream ss;
        ss << f.rdbuf();
        text = ss.str();
        break;
      }
      if (Clock::now() > deadline) die("no description from the " + other + " side");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::string why;
    auto theirs = decode_description(text, why);
    if (!theirs) die("bad description: " + why);
    s.set_remote(*theirs);
    fd = s.wait_connected();
    connect_ms = ms_since(t0);
    path = s.path();
  } catch (const IceError& e) {
    die(std::string("ICE: ") + e.what());
  }

  // The transfer.
  std::vector<char> buf(64 * 1024), want(64 * 1024);
  Pattern pat;
  bool ok = true;
  double transfer_ms = 0;
  auto t1 = Clock::now();
  if (o.controlling) {
    for (std::uint64_t left = bytes; left;) {
      auto n = std::min<std::uint64_t>(left, buf.size());
      pat.fill(buf.data(), n);
      write_all(fd, buf.data(), n);
      left -= n;
    }
    char ack[3] = {};
    std::size_t got = 0;
    while (got < 3) {
      auto r = read_some(fd, ack + got, 3 - got);
      if (r == 0) break;
      got += r;
    }
    ok = got == 3 && std::memcmp(ack, "OK\n", 3) == 0;
    transfer_ms = ms_since(t1);
  } else {
    // Whole 64 KiB blocks, as the sender generated them.
    for (std::uint64_t left = bytes; left && ok;) {
      auto n = std::size_t(std::min<std::uint64_t>(left, buf.size()));
      std::size_t have = 0;
      while (have < n) {
        auto r = read_some(fd, buf.data() + have, n - have);
        if (r == 0) break;
        have += r;
      }
      pat.fill(want.data(), n);
      ok = have == n && std::memcmp(buf.data(), want.data(), n) == 0;
      left -= n;
    }
    transfer_ms = ms_since(t1);
    if (ok) write_all(fd, "OK\n", 3);
    else write_all(fd, "NO\n", 3);
    pollfd p{fd, POLLIN, 0};
    (void)::poll(&p, 1, 10000);  // the peer closes once it has the answer
  }
  ::close(fd);
  double mbs = transfer_ms > 0 ? double(bytes) / 1e6 / (transfer_ms / 1000.0) : 0;
  std::printf(
      "RESULT {\"ok\": %s, \"role\": \"%s\", \"kind\": \"%s\", \"transport\": \"%s\", \"local\": \"%s\", \"local_type\": \"%s\", "
      "\"remote\": \"%s\", \"remote_type\": \"%s\", \"gather_ms\": %.0f, \"connect_ms\": %.0f, \"bytes\": %llu, "
      "\"transfer_ms\": %.0f, \"mb_per_s\": %.2f}\n",
      ok ? "true" : "false", role.c_str(), path.kind == PathKind::relayed ? "relayed" : "direct", path.transport.c_str(),
      json_escape(path.local).c_str(), path.local_type.c_str(), json_escape(path.remote).c_str(), path.remote_type.c_str(),
      gather_ms, connect_ms, static_cast<unsigned long long>(bytes), transfer_ms, mbs);
  std::fflush(stdout);
  shutdown();
  return ok ? 0 : 1;
}
