// lib/curl's streaming transfers keep their connection for the next request of the same thread (a ranged
// read of the object store is then one request, not a handshake and a request), and a server that closes
// a kept connection costs nothing but a new one.
#include "lib/curl/transfer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

// Answers every request "ok"; keeps each connection open for the next request unless close_each.
class KeepAliveServer {
 public:
  explicit KeepAliveServer(bool close_each) : close_each_(close_each) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { run(); });
  }
  ~KeepAliveServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    std::lock_guard l(mu_);
    for (int c : open_) ::shutdown(c, SHUT_RDWR);  // kept connections: their threads end
    for (auto& t : served_) t.join();
    for (int c : open_) ::close(c);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/x"; }
  int connections() const { return accepted_; }
  int requests() const { return requests_; }

 private:
  void run() {
    for (;;) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      ++accepted_;
      std::lock_guard l(mu_);
      open_.push_back(c);
      served_.emplace_back([this, c] { serve(c); });
    }
  }

  void serve(int c) {
    {
      std::string in;
      char buf[4096];
      for (bool open = true; open;) {
        std::size_t end;
        while ((end = in.find("\r\n\r\n")) == std::string::npos) {
          ssize_t n = ::recv(c, buf, sizeof buf, 0);
          if (n <= 0) {
            open = false;
            break;
          }
          in.append(buf, static_cast<std::size_t>(n));
        }
        if (!open) break;
        std::string head = in.substr(0, end);
        in.erase(0, end + 4);
        std::size_t length = 0;
        if (auto at = head.find("Content-Length: "); at != std::string::npos) length = std::stoul(head.substr(at + 16));
        while (in.size() < length) {
          ssize_t n = ::recv(c, buf, sizeof buf, 0);
          if (n <= 0) break;
          in.append(buf, static_cast<std::size_t>(n));
        }
        in.erase(0, std::min(length, in.size()));
        ++requests_;
        std::string out = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        ::send(c, out.data(), out.size(), MSG_NOSIGNAL);
        if (close_each_) break;
      }
    }
    ::shutdown(c, SHUT_RDWR);
  }

  bool close_each_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0}, requests_{0};
  std::thread thread_;
  std::mutex mu_;
  std::vector<int> open_;  // shut down, then closed, by the destructor
  std::vector<std::thread> served_;
};

st::lib::curl::TransferReply get(const std::string& url, std::string_view body = {}) {
  st::lib::curl::Transfer t;
  t.url = url;
  if (!body.empty()) {
    t.method = "PUT";
    t.body = body;
  }
  std::string got;
  t.sink = [&](std::string_view piece) {
    got.append(piece);
    return true;
  };
  auto reply = st::lib::curl::transfer(t);
  reply.body = got;
  return reply;
}

// Two GETs and two PUTs with a body, alternating, each answered "ok".
void four_requests(const KeepAliveServer& server) {
  for (int i = 0; i < 4; ++i) {
    auto r = get(server.url(), i % 2 ? "a body" : "");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "ok");
  }
}

}  // namespace

TEST(CurlTransfer, AThreadKeepsItsConnectionForTheNextRequest) {
  KeepAliveServer server(false);
  four_requests(server);
  EXPECT_EQ(server.requests(), 4);
  EXPECT_EQ(server.connections(), 1);
  // Another thread has a handle (and a connection) of its own.
  std::thread([&] { EXPECT_EQ(get(server.url()).status, 200); }).join();
  EXPECT_EQ(server.connections(), 2);
}

TEST(CurlTransfer, AServerThatClosesEachConnectionStillAnswersEveryRequest) {
  KeepAliveServer server(true);
  four_requests(server);
  EXPECT_EQ(server.requests(), 4);
}
