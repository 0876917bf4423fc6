// The S3 client against a scripted store on loopback: what it sends (signed, encoded, in parts) and how it
// takes what comes back (retries, error kinds, stalls, aborted uploads). The real store is radosgw in
// tests/integration/test_radosgw.py.
#include "lib/s3/client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lib/sodium/sodium.hpp"

using namespace st::lib::s3;

namespace {

const bool kSodiumReady = (st::lib::sodium::init(), true);

struct Seen {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower case
  std::string body;

  std::string header(const std::string& name) const {
    for (const auto& [n, v] : headers)
      if (n == name) return v;
    return {};
  }
};

// One request per connection; `answer` returns the raw HTTP response, or "" to stall (read, never answer).
class FakeStore {
 public:
  explicit FakeStore(std::function<std::string(const Seen&, int index)> answer) : answer_(std::move(answer)) {
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
  ~FakeStore() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  void run() {
    int index = 0;
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      Seen req;
      if (read_request(c, req)) {
        {
          std::lock_guard lock(mu_);
          seen_.push_back(req);
        }
        std::string out = answer_(req, index++);
        if (out.empty()) {  // stall until the client gives up and closes
          char b;
          while (::recv(c, &b, 1, 0) > 0) {
          }
        } else {
          ::send(c, out.data(), out.size(), MSG_NOSIGNAL);
        }
      }
      ::close(c);
    }
  }

  static bool read_request(int c, Seen& req) {
    std::string in;
    char buf[65536];
    std::size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return false;
      in.append(buf, n);
    }
    std::string head = in.substr(0, end);
    std::string body = in.substr(end + 4);
    auto line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    req.method = first.substr(0, first.find(' '));
    req.target = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
    std::size_t pos = line_end + 2;
    std::size_t length = 0;
    while (pos < head.size()) {
      auto next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      auto colon = line.find(':');
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      std::string value = line.substr(colon + 2);
      if (name == "content-length") length = std::stoul(value);
      req.headers.emplace_back(name, value);
      pos = next + 2;
    }
    while (body.size() < length) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return false;
      body.append(buf, n);
    }
    req.body = body;
    return true;
  }

  std::function<std::string(const Seen&, int)> answer_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<Seen> seen_;
};

std::string http(int status, const std::string& body = "", const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n" + extra + "\r\n" + body;
}

std::string error_body(const std::string& code) {
  return "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>m</Message></Error>";
}

Config config(const FakeStore& store) {
  Config c;
  c.endpoint = store.endpoint();
  c.bucket = "music";
  c.access_key = "AK";
  c.secret_key = "SK";
  c.prefix = "st/";
  c.part_size = 5 * 1024 * 1024;
  return c;
}

Error::Kind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind;
  }
  ADD_FAILURE() << "no Error thrown";
  return Error::Kind::Refused;
}

}  // namespace

TEST(S3Client, SignsEncodesAndHashesWhatItSends) {
  FakeStore store([](const Seen&, int) { return http(200, "", "ETag: \"e\"\r\n"); });
  Client(config(store)).put("a b/\xC3\xBC.flac", "payload", "audio/flac");
  auto seen = store.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].target, "/music/st/a%20b/%C3%BC.flac");
  EXPECT_EQ(seen[0].body, "payload");
  EXPECT_EQ(seen[0].header("x-amz-content-sha256"), sha256_hex("payload"));
  EXPECT_EQ(seen[0].header("content-type"), "audio/flac");
  EXPECT_EQ(seen[0].header("host"), store.endpoint().substr(7));
  EXPECT_TRUE(seen[0].header("authorization").starts_with("AWS4-HMAC-SHA256 Credential=AK/"));
  EXPECT_NE(seen[0].header("authorization").find("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date"),
            std::string::npos);
}

TEST(S3Client, ATransient503IsTriedAgain) {
  FakeStore store([](const Seen&, int i) { return i == 0 ? http(503, error_body("SlowDown")) : http(200, "hello"); });
  EXPECT_EQ(Client(config(store)).get_all("k", 100), "hello");
  EXPECT_EQ(store.seen().size(), 2u);
}

TEST(S3Client, ErrorsHaveKinds) {
  FakeStore store([](const Seen& r, int) {
    if (r.target.find("/gone") != std::string::npos) return http(404, error_body("NoSuchKey"));
    if (r.target.find("/secret") != std::string::npos) return http(403, error_body("AccessDenied"));
    return http(503, "<html>busy</html>");
  });
  Client client(config(store));
  EXPECT_EQ(kind_of([&] { client.get_all("gone", 10); }), Error::Kind::NotFound);
  EXPECT_FALSE(client.head("gone"));
  try {
    client.get_all("secret", 10);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind, Error::Kind::Refused);
    EXPECT_EQ(e.status, 403);
    EXPECT_EQ(e.code, "AccessDenied");
    EXPECT_NE(std::string(e.what()).find("AccessDenied"), std::string::npos);
  }
  std::size_t before = store.seen().size();
  EXPECT_EQ(kind_of([&] { client.get_all("busy", 10); }), Error::Kind::Unavailable);
  EXPECT_EQ(store.seen().size() - before, 3u);  // tried three times, then told
}

TEST(S3Client, AStalledOrAbsentStoreIsUnavailableNotAHang) {
  FakeStore store([](const Seen&, int) { return std::string(); });
  Config c = config(store);
  c.stall_seconds = 1;
  try {
    Client(c).remove("k");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind, Error::Kind::Unavailable);
    EXPECT_EQ(e.status, 0);
  }
  c.endpoint = "http://127.0.0.1:9";  // discard: nothing listens
  EXPECT_EQ(kind_of([&] { Client(c).remove("k"); }), Error::Kind::Unavailable);
}

TEST(S3Client, RangesReportTheWholeSize) {
  FakeStore store([](const Seen&, int) { return http(206, "2345", "Content-Range: bytes 2-5/10\r\nETag: \"x\"\r\n"); });
  std::string got;
  ObjectInfo info = Client(config(store)).get("k", std::pair<std::uint64_t, std::uint64_t>{2, 5}, [&](std::string_view p) {
    got += p;
    return true;
  });
  EXPECT_EQ(got, "2345");
  EXPECT_EQ(info.status, 206);
  EXPECT_EQ(info.length, 4u);
  EXPECT_EQ(info.size, 10u);
  EXPECT_EQ(store.seen()[0].header("range"), "bytes=2-5");
}

namespace {

std::string multipart_answer(const Seen& r, bool fail_completion) {
  if (r.method == "POST" && r.target.ends_with("?uploads="))
    return http(200, "<InitiateMultipartUploadResult><UploadId>u-1</UploadId></InitiateMultipartUploadResult>");
  if (r.method == "PUT") {
    auto n = r.target.substr(r.target.find("partNumber=") + 11, 1);
    return http(200, "", "ETag: \"p" + n + "\"\r\n");
  }
  if (r.method == "POST")
    return http(200, fail_completion ? error_body("InternalError") : "<CompleteMultipartUploadResult/>");
  return http(204);
}

std::function<std::size_t(char*, std::size_t)> bytes(std::size_t total, std::size_t throw_after = SIZE_MAX) {
  auto sent = std::make_shared<std::size_t>(0);
  return [=](char* buf, std::size_t room) -> std::size_t {
    if (*sent >= throw_after) throw std::runtime_error("the client went away");
    std::size_t n = std::min({room, total - *sent, std::size_t{65536}});
    std::fill(buf, buf + n, 'x');
    *sent += n;
    return n;
  };
}

}  // namespace

TEST(S3Client, ALargeBodyGoesInPartsThenCompletes) {
  FakeStore store([](const Seen& r, int) { return multipart_answer(r, false); });
  EXPECT_EQ(Client(config(store)).put_stream("big.flac", bytes(11 * 1024 * 1024), "audio/flac"), 11u * 1024 * 1024);
  auto seen = store.seen();
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0].target, "/music/st/big.flac?uploads=");
  EXPECT_EQ(seen[1].target, "/music/st/big.flac?partNumber=1&uploadId=u-1");
  EXPECT_EQ(seen[1].body.size(), 5u * 1024 * 1024);
  EXPECT_EQ(seen[3].body.size(), 1u * 1024 * 1024);
  EXPECT_EQ(seen[4].target, "/music/st/big.flac?uploadId=u-1");
  EXPECT_EQ(seen[4].body,
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;p1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;p2&quot;</ETag></Part>"
            "<Part><PartNumber>3</PartNumber><ETag>&quot;p3&quot;</ETag></Part></CompleteMultipartUpload>");
}

TEST(S3Client, ASmallBodyIsOnePut) {
  FakeStore store([](const Seen& r, int) { return multipart_answer(r, false); });
  EXPECT_EQ(Client(config(store)).put_stream("small.mp3", bytes(1000), "audio/mpeg"), 1000u);
  auto seen = store.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].target, "/music/st/small.mp3");
}

TEST(S3Client, AFailedUploadIsAbortedAndLeavesNothing) {
  FakeStore store([](const Seen& r, int) { return multipart_answer(r, false); });
  EXPECT_THROW(Client(config(store)).put_stream("cut.flac", bytes(20 << 20, 6 << 20), "audio/flac"), std::runtime_error);
  auto seen = store.seen();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().method, "DELETE");
  EXPECT_EQ(seen.back().target, "/music/st/cut.flac?uploadId=u-1");
}

TEST(S3Client, ACompletionAnswered200WithAnErrorFails) {
  FakeStore store([](const Seen& r, int) { return multipart_answer(r, true); });
  EXPECT_EQ(kind_of([&] { Client(config(store)).put_stream("x.flac", bytes(6 << 20), "audio/flac"); }),
            Error::Kind::Unavailable);
  EXPECT_EQ(store.seen().back().method, "DELETE");
}

TEST(S3Client, ListsStripThePrefixAndPresignedUrlsCarryTheSignature) {
  FakeStore store([](const Seen&, int) {
    return http(200, "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>st/a/b.flac</Key>"
                     "<Size>3</Size></Contents></ListBucketResult>");
  });
  Client client(config(store));
  ObjectList page = client.list("a/");
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].key, "a/b.flac");
  EXPECT_EQ(store.seen()[0].target, "/music?list-type=2&max-keys=1000&prefix=st%2Fa%2F");
  std::string url = client.presigned_get("a/b c.flac", std::chrono::seconds(300));
  EXPECT_TRUE(url.starts_with(store.endpoint() + "/music/st/a/b%20c.flac?X-Amz-Algorithm=AWS4-HMAC-SHA256&")) << url;
  EXPECT_NE(url.find("&X-Amz-Expires=300&"), std::string::npos);
  EXPECT_NE(url.find("&X-Amz-Signature="), std::string::npos);
}

TEST(S3Client, ConfigurationMistakesAreNamed) {
  Config c;
  c.endpoint = "s3.example.org";
  c.bucket = "b";
  EXPECT_THROW(Client{c}, std::invalid_argument);
  c.endpoint = "https://s3.example.org/path";
  EXPECT_THROW(Client{c}, std::invalid_argument);
  c.endpoint = "https://s3.example.org/";
  EXPECT_NO_THROW(Client{c});
  c.bucket = "";
  EXPECT_THROW(Client{c}, std::invalid_argument);
}
