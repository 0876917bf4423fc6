// Two ICE sessions in one process over 127.0.0.1 (no STUN, no TURN: nothing leaves loopback).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <future>
#include <random>
#include <thread>

#include "p2p/transport/ice/ice_session.hpp"

using namespace st::p2p::ice;
using namespace std::chrono_literals;

namespace {

IceOptions loopback(bool controlling) {
  IceOptions o;
  o.controlling = controlling;
  o.local_addresses = {"127.0.0.1"};
  o.gather_timeout = 5s;
  o.connect_timeout = 30s;  // a safety net only
  return o;
}

struct Pair {
  int a = -1, b = -1;
  PathInfo path_a, path_b;
};

Pair connect_pair() {
  IceSession a(loopback(true)), b(loopback(false));
  auto da = a.local_description();
  auto db = b.local_description();
  a.set_remote(db);
  b.set_remote(da);
  auto fa = std::async(std::launch::async, [&] { return a.wait_connected(); });
  Pair p;
  p.b = b.wait_connected();
  p.a = fa.get();
  p.path_a = a.path();
  p.path_b = b.path();
  return p;  // both sessions are destroyed here: the bridges must keep running without them
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    auto v = rng();
    std::memcpy(&s[i], &v, 8);
  }
  return s;
}

bool wait_fd(int fd, short events) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, 60000) > 0;  // a safety net: a stuck bridge fails the test instead of hanging it
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(std::size_t(n));
      continue;
    }
    ASSERT_TRUE(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) << std::strerror(errno);
    ASSERT_TRUE(wait_fd(fd, POLLOUT)) << "writer stuck";
  }
}

// Reads until EOF or `limit` bytes; `eof` tells which ended it.
std::string read_up_to(int fd, std::size_t limit, bool& eof) {
  std::string out;
  char buf[65536];
  eof = false;
  while (out.size() < limit) {
    auto n = ::read(fd, buf, std::min(sizeof buf, limit - out.size()));
    if (n > 0) {
      out.append(buf, std::size_t(n));
    } else if (n == 0) {
      eof = true;
      break;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_fd(fd, POLLIN)) break;
    } else {
      break;
    }
  }
  return out;
}

}  // namespace

TEST(IceSession, LoopbackPairCarries8MiBEachWayAndCloses) {
  auto p = connect_pair();
  ASSERT_GE(p.a, 0);
  ASSERT_GE(p.b, 0);
  EXPECT_EQ(p.path_a.kind, PathKind::direct);
  EXPECT_EQ(p.path_a.local_type, "host");
  EXPECT_EQ(p.path_a.local.rfind("127.0.0.1:", 0), 0u) << p.path_a.local;
  EXPECT_EQ(p.path_b.remote.rfind("127.0.0.1:", 0), 0u) << p.path_b.remote;

  const std::size_t n = 8u << 20;
  auto from_a = random_bytes(n, 1), from_b = random_bytes(n, 2);
  bool eof_a = false, eof_b = false;
  std::string got_at_a, got_at_b;
  std::thread wa([&] { write_all(p.a, from_a); });
  std::thread wb([&] { write_all(p.b, from_b); });
  std::thread ra([&] { got_at_a = read_up_to(p.a, n, eof_a); });
  std::thread rb([&] { got_at_b = read_up_to(p.b, n, eof_b); });
  wa.join();
  wb.join();
  ra.join();
  rb.join();
  ASSERT_EQ(got_at_b.size(), n);
  ASSERT_EQ(got_at_a.size(), n);
  EXPECT_TRUE(got_at_b == from_a);
  EXPECT_TRUE(got_at_a == from_b);

  // Closing one end: the other reads EOF.
  ::close(p.a);
  auto rest = read_up_to(p.b, 1, eof_b);
  EXPECT_TRUE(rest.empty());
  EXPECT_TRUE(eof_b);
  ::close(p.b);
}

TEST(IceSession, CloseRightAfterWritingDeliversEverythingThenEof) {
  auto p = connect_pair();
  const std::size_t n = 3u << 20;
  auto data = random_bytes(n, 3);
  std::thread w([&] {
    write_all(p.a, data);
    ::close(p.a);  // the bridge still holds bytes: they must all arrive before the EOF
  });
  bool eof = false;
  auto got = read_up_to(p.b, n + 1, eof);
  w.join();
  EXPECT_TRUE(eof);
  ASSERT_EQ(got.size(), n);
  EXPECT_TRUE(got == data);
  ::close(p.b);
}

TEST(IceSession, SlowReaderGetsEverything) {
  // The reader starts late: the bridge must hold back (PseudoTCP's window closes) rather than drop or grow.
  auto p = connect_pair();
  const std::size_t n = 4u << 20;
  auto data = random_bytes(n, 4);
  std::thread w([&] { write_all(p.a, data); });
  std::this_thread::sleep_for(700ms);
  bool eof = false;
  auto got = read_up_to(p.b, n, eof);
  w.join();
  ASSERT_EQ(got.size(), n);
  EXPECT_TRUE(got == data);
  ::close(p.a);
  ::close(p.b);
}

TEST(IceSession, ReturnedFdIsNonBlockingCloexecUnixStream) {
  auto p = connect_pair();
  EXPECT_TRUE(::fcntl(p.a, F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(::fcntl(p.a, F_GETFD) & FD_CLOEXEC);
  int type = 0, domain = 0;
  socklen_t len = sizeof type;
  ASSERT_EQ(::getsockopt(p.a, SOL_SOCKET, SO_TYPE, &type, &len), 0);
  len = sizeof domain;
  ASSERT_EQ(::getsockopt(p.a, SOL_SOCKET, SO_DOMAIN, &domain, &len), 0);
  EXPECT_EQ(type, SOCK_STREAM);
  EXPECT_EQ(domain, AF_UNIX);
  ::close(p.a);
  ::close(p.b);
}

TEST(IceSession, UnreachableRemoteFailsWithIceError) {
  auto o = loopback(true);
  o.connect_timeout = 4s;
  IceSession a(o);
  (void)a.local_description();
  // Nobody answers on these ports: no pair can succeed.
  a.set_remote({"abcd", "abcdefghijklmnopqrstuv",
                {"candidate:1 1 UDP 2013266431 127.0.0.1 9 typ host", "candidate:2 1 UDP 2013266430 127.0.0.1 7 typ host"}});
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(a.wait_connected(), IceError);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, o.connect_timeout + 10s);  // safety net, not a speed check
}

TEST(IceSession, WaitWithoutRemoteDescriptionThrows) {
  IceSession a(loopback(false));
  EXPECT_THROW(a.wait_connected(), IceError);
}

TEST(IceSession, BadRemoteDescriptionThrows) {
  IceSession a(loopback(false));
  EXPECT_THROW(a.set_remote({"ab", "abcdefghijklmnopqrstuv", {}}), IceError);
  EXPECT_THROW(a.set_remote({"abcd", "abcdefghijklmnopqrstuv", {"candidate:1 1 UDP 1 example.com 9 typ host"}}), IceError);
}

TEST(IceSession, DestroyedMidGatheringOrConnectingDoesNotCrash) {
  for (int i = 0; i < 10; ++i) {
    auto o = loopback(i % 2 == 0);
    o.stun_host = "127.0.0.1";  // nobody answers: gathering keeps waiting for the STUN reply
    o.stun_port = 9;
    o.turn.push_back({"127.0.0.1", 7, "u", "p"});
    IceSession s(o);
    if (i % 3 == 1) s.set_remote({"abcd", "abcdefghijklmnopqrstuv", {"candidate:1 1 UDP 1 127.0.0.1 9 typ host"}});
  }
  {
    IceSession a(loopback(true)), b(loopback(false));
    a.set_remote(b.local_description());
    b.set_remote(a.local_description());
    // destroyed while checks run
  }
  auto p = connect_pair();  // the GLib thread is still healthy
  ::close(p.a);
  ::close(p.b);
}

TEST(IceSession, ShutdownClosesLiveSessionsAndRestarts) {
  auto p = connect_pair();
  auto s = std::make_unique<IceSession>(loopback(true));
  shutdown();  // closes the bridge of p and the pending session
  bool eof = false;
  (void)read_up_to(p.a, 1, eof);
  EXPECT_TRUE(eof);
  EXPECT_THROW(s->local_description(), IceError);
  s.reset();
  ::close(p.a);
  ::close(p.b);
  auto q = connect_pair();  // a new GLib thread
  ::close(q.a);
  ::close(q.b);
  shutdown();
}
