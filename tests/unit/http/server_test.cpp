// The server on a real loopback socket: file ranges (sendfile), pull sources (chunked, sized, growing in a
// file), HEAD, keep-alive, worker-pool handlers and graceful stop with a request in flight.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "http/range.hpp"
#include "http/server.hpp"

using namespace st::http;

namespace {

std::string raw_exchange(std::uint16_t port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  ::send(fd, request.data(), request.size(), 0);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string body_of(const std::string& response) {
  auto p = response.find("\r\n\r\n");
  return p == std::string::npos ? "" : response.substr(p + 4);
}

class CountingSource : public PullSource {
 public:
  CountingSource(std::size_t total, bool sized) : total_(total), sized_(sized) {}
  std::size_t read(char* buf, std::size_t n) override {
    std::size_t k = std::min(n, total_ - pos_);
    for (std::size_t i = 0; i < k; ++i) buf[i] = static_cast<char>('a' + (pos_ + i) % 26);
    pos_ += k;
    return k;
  }
  std::optional<std::uint64_t> size() const override {
    return sized_ ? std::optional<std::uint64_t>(total_) : std::nullopt;
  }

 private:
  std::size_t total_;
  std::size_t pos_ = 0;
  bool sized_;
};

// A body written to a file while it is sent, as a P2P download is verified range by range: the server
// sends what is in the file with sendfile and waits for more. Fails at `fail_at` when given.
class GrowingFile : public PullSource {
 public:
  GrowingFile(const std::string& path, std::string content, std::size_t fail_at = std::string::npos)
      : content_(std::move(content)), fail_at_(fail_at) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    writer_ = std::thread([this] {
      for (std::size_t at = 0; at < content_.size();) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        std::size_t n = std::min<std::size_t>(7000, content_.size() - at);
        std::lock_guard l(mu_);
        if (at + n > fail_at_) {
          failed_ = true;
          break;
        }
        ::pwrite(fd_, content_.data() + at, n, static_cast<off_t>(at));
        ready_ = at += n;
        cv_.notify_all();
      }
      std::lock_guard l(mu_);
      done_ = true;
      cv_.notify_all();
    });
  }
  ~GrowingFile() override {
    writer_.join();
    ::close(fd_);
  }
  std::size_t read(char*, std::size_t) override {
    ++reads;
    throw std::runtime_error("read() is not how a growing file is sent");
  }
  std::optional<std::uint64_t> size() const override { return content_.size(); }
  std::optional<FileWindow> file_window(std::uint64_t pos, bool wait) override {
    std::unique_lock l(mu_);
    if (wait) cv_.wait(l, [&] { return ready_ > pos || done_; });
    if (ready_ > pos) return FileWindow{fd_, ready_ - pos};
    if (failed_) throw std::runtime_error("the download failed");
    return FileWindow{fd_, 0};
  }
  static inline std::atomic<int> reads{0};

 private:
  std::string content_;
  std::size_t fail_at_;
  int fd_ = -1;
  std::thread writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t ready_ = 0;
  bool done_ = false, failed_ = false;
};

class LiveServer : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("st-http-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    file_ = (dir_ / "data.bin").string();
    std::ofstream(file_, std::ios::binary) << content();

    router_.get("/file", [this](Request& req) {
      FileOptions o;
      o.content_type = "audio/flac";
      return file_response(req, file_, o);
    });
    router_.get("/chunked", [](Request&) {
      Response r(200);
      r.body = std::shared_ptr<PullSource>(std::make_shared<CountingSource>(200'000, false));
      return r;
    });
    router_.get("/sized", [](Request&) {
      Response r(200);
      r.body = std::shared_ptr<PullSource>(std::make_shared<CountingSource>(100'000, true));
      return r;
    });
    router_.get("/pieces", [this](Request&) {
      Response r(200);
      SharedPieces p;
      p.parts = {std::make_shared<const std::string>("<"), shared_piece_, nullptr,
                 std::make_shared<const std::string>(""), std::make_shared<const std::string>(">")};
      r.body = std::move(p);
      return r;
    });
    router_.get("/growing", [this](Request& req) {
      Response r(200);
      auto fail_at = req.query("fail") ? std::size_t{50000} : std::string::npos;
      r.body = std::shared_ptr<PullSource>(std::make_shared<GrowingFile>((dir_ / "growing.bin").string(), content(), fail_at));
      return r;
    });
    router_.get("/slow", [this](Request&) {
      slow_started_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      return Response::text(200, "finished");
    });
    router_.get("/maybe/{what}", [this](Request& req) {
      ++handled_;
      return Response::text(200, "handler " + std::string(req.param("what")));
    });
    router_.add_fast_path(Method::get, "/maybe/{what}", [](Request& req) -> std::optional<Response> {
      if (req.param("what") == "throw") throw std::runtime_error("cannot tell");
      if (req.param("what") != "fast") return std::nullopt;
      return Response::text(200, "fast path");
    });
    ServerOptions opts;
    opts.fast_path = [this](Request& r) { return router_.try_fast(r); };
    opts.host = "127.0.0.1";
    opts.port = 0;
    opts.network_threads = 2;
    opts.worker_threads = 2;
    server_ = std::make_unique<Server>(opts, [this](Request& r) { return router_.dispatch(r); });
    server_->listen();
    port_ = server_->bound_port();
    thread_ = std::thread([this] { server_->run(); });
  }

  void TearDown() override {
    server_->stop();
    thread_.join();
    std::filesystem::remove_all(dir_);
  }

  static std::string content() {
    std::string s;
    for (int i = 0; i < 100'000; ++i) s.push_back(static_cast<char>(i * 7 % 251));
    return s;
  }

  std::string get(const std::string& path, const std::string& extra = "") {
    return raw_exchange(port_, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + extra + "\r\n");
  }

  Router router_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::filesystem::path dir_;
  std::string file_;
  std::shared_ptr<const std::string> shared_piece_ = std::make_shared<const std::string>(content());
  std::atomic<bool> slow_started_{false};
  std::atomic<int> handled_{0};
};

}  // namespace

TEST_F(LiveServer, WholeFile) {
  auto r = get("/file");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK", 0), 0u) << r.substr(0, 200);
  EXPECT_NE(r.find("Content-Length: 100000"), std::string::npos);
  EXPECT_NE(r.find("Accept-Ranges: bytes"), std::string::npos);
  EXPECT_EQ(body_of(r), content());
}

TEST_F(LiveServer, RangesAreServedExactly) {
  auto r = get("/file", "Range: bytes=1000-1999\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 206", 0), 0u);
  EXPECT_NE(r.find("Content-Range: bytes 1000-1999/100000"), std::string::npos);
  EXPECT_EQ(body_of(r), content().substr(1000, 1000));
  r = get("/file", "Range: bytes=-10\r\n");
  EXPECT_EQ(body_of(r), content().substr(99'990));
  r = get("/file", "Range: bytes=99999-\r\n");
  EXPECT_EQ(body_of(r), content().substr(99'999));
}

TEST_F(LiveServer, UnsatisfiableRangeIs416WithSize) {
  auto r = get("/file", "Range: bytes=100000-\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 416", 0), 0u);
  EXPECT_NE(r.find("Content-Range: bytes */100000"), std::string::npos);
}

TEST_F(LiveServer, ConditionalRequests) {
  auto first = get("/file");
  auto p = first.find("ETag: ");
  ASSERT_NE(p, std::string::npos);
  std::string etag = first.substr(p + 6, first.find("\r\n", p) - p - 6);
  auto r = get("/file", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 304", 0), 0u);
  EXPECT_EQ(body_of(r), "");
  // If-Range with a stale validator: the whole representation, not the range.
  r = get("/file", "Range: bytes=0-9\r\nIf-Range: \"stale\"\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200", 0), 0u);
  r = get("/file", "Range: bytes=0-9\r\nIf-Range: " + etag + "\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 206", 0), 0u);
}

TEST_F(LiveServer, PullSourceWithoutLengthIsChunked) {
  auto r = get("/chunked");
  EXPECT_NE(r.find("Transfer-Encoding: chunked"), std::string::npos);
  // De-chunk and compare.
  std::string body = body_of(r), out;
  std::size_t pos = 0;
  for (;;) {
    auto eol = body.find("\r\n", pos);
    ASSERT_NE(eol, std::string::npos);
    std::size_t n = std::stoul(body.substr(pos, eol - pos), nullptr, 16);
    if (n == 0) break;
    out += body.substr(eol + 2, n);
    pos = eol + 2 + n + 2;
  }
  ASSERT_EQ(out.size(), 200'000u);
  EXPECT_EQ(out[26], 'a');
  EXPECT_EQ(out[199'999], static_cast<char>('a' + 199'999 % 26));
}

TEST_F(LiveServer, PullSourceWithLengthIsSized) {
  auto r = get("/sized");
  EXPECT_NE(r.find("Content-Length: 100000"), std::string::npos);
  EXPECT_EQ(body_of(r).size(), 100'000u);
}

TEST_F(LiveServer, ABodyGrowingInAFileIsSentFromTheFileAsItGrows) {
  GrowingFile::reads = 0;
  auto r = get("/growing");
  EXPECT_NE(r.find("Content-Length: 100000"), std::string::npos);
  EXPECT_EQ(body_of(r), content());
  EXPECT_EQ(GrowingFile::reads, 0) << "sent with sendfile, not read()";
  // A source that fails midway ends the response short of its length (the client sees it cut).
  r = get("/growing?fail=1");
  EXPECT_NE(r.find("Content-Length: 100000"), std::string::npos);
  EXPECT_LE(body_of(r).size(), 50'000u);
  EXPECT_EQ(body_of(r), content().substr(0, body_of(r).size()));
}

TEST_F(LiveServer, APiecesBodyIsSentWholeWithItsLengthAndLeavesTheSharedPieceIntact) {
  auto expect = "<" + content() + ">";
  for (int i = 0; i < 2; ++i) {
    auto r = get("/pieces");
    EXPECT_NE(r.find("Content-Length: 100002"), std::string::npos);
    EXPECT_EQ(body_of(r), expect);
  }
  EXPECT_EQ(*shared_piece_, content());
  auto head = raw_exchange(port_, "HEAD /pieces HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(head.find("Content-Length: 100002"), std::string::npos);
  EXPECT_EQ(body_of(head), "");
  // Kept alive: a second request on the same connection is answered after the first body.
  auto two = raw_exchange(port_, "GET /pieces HTTP/1.1\r\nHost: x\r\n\r\nGET /pieces HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto second = two.find("HTTP/1.1 200", 10);
  ASSERT_NE(second, std::string::npos);
  EXPECT_EQ(body_of(two.substr(0, second)), expect);
  EXPECT_EQ(body_of(two.substr(second)), expect);
}

TEST_F(LiveServer, HeadSendsNoBody) {
  auto r = raw_exchange(port_, "HEAD /file HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(r.find("Content-Length: 100000"), std::string::npos);
  EXPECT_EQ(body_of(r), "");
}

TEST_F(LiveServer, KeepAlivePipelinedRequests) {
  std::string two = "GET /sized HTTP/1.1\r\nHost: x\r\n\r\nGET /file HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  auto r = raw_exchange(port_, two);
  EXPECT_EQ(r.size() > 200'000u, true);
  EXPECT_NE(r.find("HTTP/1.1 200", 10), std::string::npos);
}

TEST_F(LiveServer, StopLetsTheRequestInFlightFinish) {
  std::string reply;
  std::thread client([&] { reply = get("/slow"); });
  while (!slow_started_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server_->stop();
  client.join();
  EXPECT_EQ(body_of(reply), "finished");
  EXPECT_NE(reply.find("Connection: close"), std::string::npos);
}

// A quiet server has each of its threads give its heap cache back: every network and worker thread runs the
// function once (2 + 2 here), none of them twice, and the caller's own thread never.
TEST_F(LiveServer, EachThreadTakesOneTurn) {
  std::mutex mu;
  std::map<std::thread::id, int> turns;
  server_->on_each_thread(
      [&] {
        std::lock_guard lock(mu);
        ++turns[std::this_thread::get_id()];
      },
      std::chrono::seconds(30));
  std::lock_guard lock(mu);
  EXPECT_EQ(turns.size(), 4u);
  for (const auto& [id, n] : turns) {
    EXPECT_EQ(n, 1);
    EXPECT_NE(id, std::this_thread::get_id());
  }
}

// A worker busy with a long request holds nobody up past the given time: every turn is taken (the free
// worker takes the busy one's, or the busy one once free), and the server answers as before.
TEST_F(LiveServer, AWorkerBusyWithALongRequestHoldsNoTurnUp) {
  std::string reply;
  std::thread client([&] { reply = get("/slow"); });
  while (!slow_started_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::atomic<int> turns{0};
  server_->on_each_thread([&] { ++turns; }, std::chrono::milliseconds(1));
  client.join();
  EXPECT_EQ(body_of(reply), "finished");
  while (turns < 4) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_NE(get("/maybe/x").find("handler x"), std::string::npos);
}

TEST_F(LiveServer, FastPathAnswersWithoutTheHandlerAndDeclinesToIt) {
  auto r = get("/maybe/fast");
  EXPECT_NE(r.find("200 OK"), std::string::npos);
  EXPECT_NE(r.find("fast path"), std::string::npos);
  EXPECT_NE(r.find("X-Content-Type-Options"), std::string::npos) << "standard headers on fast answers too";
  EXPECT_EQ(handled_, 0);
  r = get("/maybe/slow");
  EXPECT_NE(r.find("handler slow"), std::string::npos);
  EXPECT_EQ(handled_, 1);
  r = get("/maybe/throw");
  EXPECT_NE(r.find("handler throw"), std::string::npos) << "an exception in the fast path is no answer";
  EXPECT_EQ(handled_, 2);
}
