#include "lib/s3/client.hpp"

#include <charconv>
#include <ctime>
#include <thread>
#include <vector>

#include "lib/curl/transfer.hpp"
#include "lib/s3/xml.hpp"

namespace st::lib::s3 {

std::string amz_date(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

namespace {

using curl::TransferReply;

constexpr int kMaxParts = 10000;
constexpr int kAttempts = 3;  // for requests that may be repeated

std::uint64_t to_u64(const std::string* text) {
  std::uint64_t v = 0;
  if (!text) return 0;
  std::from_chars(text->data(), text->data() + text->size(), v);
  return v;
}

bool transient_status(long status) { return status == 500 || status == 502 || status == 503 || status == 504; }

Error error_from(const TransferReply& r, const std::string& what) {
  std::string code, message;
  if (!r.body.empty()) {
    try {
      if (auto doc = parse_error(r.body)) code = doc->code, message = doc->message;
    } catch (const XmlError&) {
      // not an S3 error document (a proxy's HTML page): the status says enough
    }
  }
  std::string text = "object storage: " + what + " answered HTTP " + std::to_string(r.status);
  if (!code.empty()) text += " " + code;
  if (!message.empty()) text += ": " + message;
  Error::Kind kind = r.status == 404                                 ? Error::Kind::NotFound
                     : transient_status(r.status) || code == "SlowDown" ? Error::Kind::Unavailable
                                                                        : Error::Kind::Refused;
  return Error(kind, r.status, code, text);
}

Error unreachable(const std::string& what, const std::exception& e) {
  return Error(Error::Kind::Unavailable, 0, "", "object storage: " + what + " got no answer: " + e.what());
}

ObjectInfo info_from(const TransferReply& r) {
  ObjectInfo info;
  info.status = r.status;
  info.length = to_u64(r.header("content-length"));
  info.size = info.length;
  if (const std::string* range = r.header("content-range")) {
    auto slash = range->rfind('/');
    if (slash != std::string::npos && range->substr(slash + 1) != "*") {
      std::string total = range->substr(slash + 1);
      info.size = to_u64(&total);
    }
  }
  if (const std::string* etag = r.header("etag")) info.etag = *etag;
  if (const std::string* type = r.header("content-type")) info.content_type = *type;
  return info;
}

struct Request {
  std::string method;
  std::string key;  // full key; empty for the bucket itself
  Pairs query;
  Pairs headers;
  std::string_view body;
  std::function<bool(std::string_view)> sink;
  bool head = false;
  bool repeatable = true;
  long timeout_seconds = 0;
  std::size_t max_body = 1024 * 1024;
};

}  // namespace

Client::Client(Config config) : config_(std::move(config)) {
  std::string_view ep = config_.endpoint;
  while (ep.ends_with('/')) ep.remove_suffix(1);
  auto sep = ep.find("://");
  if (sep == std::string_view::npos) throw std::invalid_argument("S3_ENDPOINT must start with http:// or https://");
  scheme_ = std::string(ep.substr(0, sep));
  if (scheme_ != "http" && scheme_ != "https")
    throw std::invalid_argument("S3_ENDPOINT must start with http:// or https://");
  authority_ = std::string(ep.substr(sep + 3));
  if (authority_.empty() || authority_.find_first_of("/?#@ ") != std::string::npos)
    throw std::invalid_argument("S3_ENDPOINT must be scheme://host[:port] without a path");
  if (config_.bucket.empty() || config_.bucket.find_first_of("/?# ") != std::string::npos)
    throw std::invalid_argument("S3_BUCKET must be a bucket name");
  if (config_.part_size < 5 * 1024 * 1024) throw std::invalid_argument("the S3 part size must be at least 5 MiB");
  credentials_ = {config_.access_key, config_.secret_key, config_.region, "s3"};
}

Client::Target Client::target(std::string_view key, const Pairs& query) const {
  Target t;
  if (config_.path_style) {
    t.host = authority_;
    t.path = "/" + config_.bucket + (key.empty() ? "" : "/" + std::string(key));
  } else {
    t.host = config_.bucket + "." + authority_;
    t.path = "/" + std::string(key);
  }
  t.url = scheme_ + "://" + t.host + uri_encode(t.path, false);
  char sep = '?';
  for (const auto& [name, value] : query) {
    t.url += sep + uri_encode(name, true) + "=" + uri_encode(value, true);
    sep = '&';
  }
  return t;
}

std::string Client::relative(const std::string& key) const {
  return key.starts_with(config_.prefix) ? key.substr(config_.prefix.size()) : key;
}

namespace {

// Signs and sends; a repeatable request is sent again (twice at most, after a short pause) when no
// answer came or the store answered 5xx, unless the sink already received part of the body.
TransferReply send(const Config& config, const Credentials& creds, const std::string& url, const std::string& host,
                   const std::string& path, const Request& r, const std::string& what) {
  std::string payload_hash = sha256_hex(r.body);
  bool delivered = false;
  std::function<bool(std::string_view)> sink;
  if (r.sink) sink = [&](std::string_view piece) {
    delivered = true;
    return r.sink(piece);
  };
  for (int attempt = 1;; ++attempt) {
    std::string date = amz_date(std::chrono::system_clock::now());
    SignedRequest signed_request{r.method, path, r.query, r.headers, payload_hash};
    signed_request.headers.emplace_back("host", host);
    signed_request.headers.emplace_back("x-amz-date", date);
    signed_request.headers.emplace_back("x-amz-content-sha256", payload_hash);
    curl::Transfer t;
    t.method = r.method;
    t.url = url;
    t.headers = signed_request.headers;
    t.headers.emplace_back("authorization", authorization(creds, signed_request, date));
    t.body = r.body;
    t.sink = sink;
    t.head = r.head;
    t.max_body = r.max_body;
    t.connect_timeout_seconds = config.connect_timeout_seconds;
    t.stall_seconds = config.stall_seconds;
    t.timeout_seconds = r.timeout_seconds;
    bool last = !r.repeatable || attempt == kAttempts;
    // `delivered` is read after the transfer: the sink may have had part of this attempt's body.
    try {
      TransferReply reply = curl::transfer(t);
      if (!transient_status(reply.status) || last || delivered) return reply;
    } catch (const curl::Stopped&) {
      throw;
    } catch (const curl::TransportError& e) {
      if (last || delivered) throw unreachable(what, e);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
  }
}

}  // namespace

template <typename Req>
auto Client::call(const Req& r, const std::string& what) const {
  Target t = target(r.key, r.query);
  return send(config_, credentials_, t.url, t.host, t.path, r, what);
}

void Client::check_bucket() const {
  Request r{"HEAD", "", {}, {}, {}, {}, true, true, config_.request_timeout_seconds};
  TransferReply reply = call(r, "the bucket check");
  if (reply.status != 200) throw error_from(reply, "the bucket check of " + config_.bucket);
}

void Client::create_bucket() const {
  Request r{"PUT", "", {}, {}, {}, {}, false, true, config_.request_timeout_seconds};
  TransferReply reply = call(r, "creating the bucket");
  if (reply.status == 200) return;
  Error e = error_from(reply, "creating bucket " + config_.bucket);
  if (e.code != "BucketAlreadyOwnedByYou") throw e;
}

void Client::put(std::string_view key, std::string_view body, std::string_view content_type) const {
  Request r{"PUT", full_key(key), {}, {{"content-type", std::string(content_type)}}, body};
  r.timeout_seconds = 0;  // a large body: the stall limit bounds it
  TransferReply reply = call(r, "storing " + std::string(key));
  if (reply.status != 200) throw error_from(reply, "storing " + std::string(key));
}

std::string Client::create_upload(const std::string& key, std::string_view content_type) const {
  Request r{"POST", key, {{"uploads", ""}}, {{"content-type", std::string(content_type)}}, {}, {}, false, false,
            config_.request_timeout_seconds};
  TransferReply reply = call(r, "starting an upload");
  if (reply.status != 200) throw error_from(reply, "starting an upload of " + relative(key));
  try {
    return parse_upload_id(reply.body);
  } catch (const XmlError& e) {
    throw Error(Error::Kind::Refused, reply.status, "", "object storage: a malformed upload answer: " + std::string(e.what()));
  }
}

std::string Client::put_part(const std::string& key, const std::string& upload_id, int number,
                             std::string_view data) const {
  Request r{"PUT", key, {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}}, {}, data};
  TransferReply reply = call(r, "storing a part");
  if (reply.status != 200) throw error_from(reply, "storing part " + std::to_string(number) + " of " + relative(key));
  const std::string* etag = reply.header("etag");
  if (!etag || etag->empty())
    throw Error(Error::Kind::Refused, reply.status, "", "object storage: a part was stored without an ETag");
  return *etag;
}

void Client::complete_upload(const std::string& key, const std::string& upload_id,
                             const std::vector<std::pair<int, std::string>>& parts) const {
  std::string body = complete_multipart_body(parts);
  Request r{"POST", key, {{"uploadId", upload_id}}, {{"content-type", "application/xml"}}, body, {}, false, false};
  r.timeout_seconds = 0;  // the store may take a while assembling a large object (it sends spaces meanwhile)
  TransferReply reply = call(r, "completing an upload");
  if (reply.status != 200) throw error_from(reply, "completing the upload of " + relative(key));
  // A 200 may still carry an <Error> when assembling failed after the answer began.
  std::optional<ErrorDocument> failed;
  try {
    failed = parse_error(reply.body);
  } catch (const XmlError&) {
    throw Error(Error::Kind::Unavailable, reply.status, "", "object storage: a malformed answer completing an upload");
  }
  if (failed) {
    TransferReply as_error = reply;
    as_error.status = failed->code == "InternalError" || failed->code == "SlowDown" ? 503 : 400;
    throw error_from(as_error, "completing the upload of " + relative(key));
  }
}

void Client::abort_upload(std::string_view key, std::string_view upload_id) const {
  Request r{"DELETE", std::string(key), {{"uploadId", std::string(upload_id)}}, {}, {}, {}, false, true,
            config_.request_timeout_seconds};
  TransferReply reply = call(r, "aborting an upload");
  if (reply.status != 204 && reply.status != 200 && reply.status != 404)
    throw error_from(reply, "aborting the upload of " + relative(std::string(key)));
}

std::uint64_t Client::put_stream(std::string_view key, const std::function<std::size_t(char*, std::size_t)>& read,
                                 std::string_view content_type) const {
  std::vector<char> buf(config_.part_size);
  auto fill = [&]() {
    std::size_t used = 0;
    while (used < buf.size()) {
      std::size_t n = read(buf.data() + used, buf.size() - used);
      if (n == 0) break;
      used += n;
    }
    return used;
  };
  std::size_t used = fill();
  if (used < buf.size()) {
    put(key, std::string_view(buf.data(), used), content_type);
    return used;
  }
  std::string full = full_key(key);
  std::string upload_id = create_upload(full, content_type);
  std::uint64_t total = 0;
  try {
    std::vector<std::pair<int, std::string>> parts;
    while (used > 0) {
      if (static_cast<int>(parts.size()) == kMaxParts)
        throw Error(Error::Kind::Refused, 0, "", "object storage: the file is larger than 10,000 parts");
      int number = static_cast<int>(parts.size()) + 1;
      parts.emplace_back(number, put_part(full, upload_id, number, std::string_view(buf.data(), used)));
      total += used;
      used = fill();
    }
    complete_upload(full, upload_id, parts);
  } catch (...) {
    try {
      abort_upload(full, upload_id);
    } catch (const std::exception&) {
      // pending_uploads() finds it later; the first failure is the one to report
    }
    throw;
  }
  return total;
}

std::optional<ObjectInfo> Client::head(std::string_view key) const {
  Request r{"HEAD", full_key(key), {}, {}, {}, {}, true, true, config_.request_timeout_seconds};
  TransferReply reply = call(r, "reading " + std::string(key));
  if (reply.status == 404) return std::nullopt;
  if (reply.status != 200) throw error_from(reply, "reading " + std::string(key));
  return info_from(reply);
}

ObjectInfo Client::get(std::string_view key, std::optional<std::pair<std::uint64_t, std::uint64_t>> range,
                       const std::function<bool(std::string_view)>& sink) const {
  Request r{"GET", full_key(key)};
  if (range) r.headers.emplace_back("range", "bytes=" + std::to_string(range->first) + "-" + std::to_string(range->second));
  r.sink = sink;
  r.max_body = 64 * 1024;  // an error document
  TransferReply reply;
  try {
    reply = call(r, "reading " + std::string(key));
  } catch (const curl::Stopped&) {
    return ObjectInfo{};  // the reader has what it wanted
  }
  if (reply.status != 200 && reply.status != 206) throw error_from(reply, "reading " + std::string(key));
  return info_from(reply);
}

std::string Client::get_all(std::string_view key, std::size_t max_bytes) const {
  std::string out;
  bool too_large = false;
  get(key, std::nullopt, [&](std::string_view piece) {
    if (out.size() + piece.size() > max_bytes) return !(too_large = true);
    out.append(piece);
    return true;
  });
  if (too_large) throw Error(Error::Kind::Refused, 0, "", "object storage: " + std::string(key) + " is too large to read whole");
  return out;
}

void Client::remove(std::string_view key) const {
  Request r{"DELETE", full_key(key), {}, {}, {}, {}, false, true, config_.request_timeout_seconds};
  TransferReply reply = call(r, "deleting " + std::string(key));
  if (reply.status != 204 && reply.status != 200 && reply.status != 404)
    throw error_from(reply, "deleting " + std::string(key));
}

ObjectList Client::list(std::string_view prefix, std::string_view continuation, int max_keys) const {
  Request r{"GET", "", {{"list-type", "2"}, {"max-keys", std::to_string(max_keys)}, {"prefix", full_key(prefix)}}};
  if (!continuation.empty()) r.query.emplace_back("continuation-token", std::string(continuation));
  r.timeout_seconds = config_.request_timeout_seconds;
  r.max_body = 8 * 1024 * 1024;
  TransferReply reply = call(r, "listing");
  if (reply.status != 200) throw error_from(reply, "listing " + std::string(prefix));
  try {
    ObjectList page = parse_object_list(reply.body);
    for (auto& o : page.objects) o.key = relative(o.key);
    return page;
  } catch (const XmlError& e) {
    throw Error(Error::Kind::Refused, reply.status, "", "object storage: a malformed list: " + std::string(e.what()));
  }
}

UploadList Client::pending_uploads(std::string_view prefix) const {
  Request r{"GET", "", {{"uploads", ""}, {"prefix", full_key(prefix)}}};
  r.timeout_seconds = config_.request_timeout_seconds;
  r.max_body = 8 * 1024 * 1024;
  TransferReply reply = call(r, "listing uploads");
  if (reply.status != 200) throw error_from(reply, "listing pending uploads");
  try {
    return parse_upload_list(reply.body);
  } catch (const XmlError& e) {
    throw Error(Error::Kind::Refused, reply.status, "", "object storage: a malformed upload list: " + std::string(e.what()));
  }
}

std::string Client::presigned_get(std::string_view key, std::chrono::seconds expires) const {
  Target t = target(full_key(key), {});
  std::string date = amz_date(std::chrono::system_clock::now());
  return t.url + "?" + presigned_query(credentials_, "GET", t.path, t.host, date, expires.count());
}

}  // namespace st::lib::s3
