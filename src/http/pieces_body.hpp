#pragma once
// A Beast body type over http::SharedPieces: the serializer writes the header and every piece as one buffer
// sequence (one gathering write), without copying the pieces.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstdint>
#include <utility>
#include <vector>

#include "http/response.hpp"

namespace st::http {

struct PiecesBody {
  using value_type = SharedPieces;

  static std::uint64_t size(const value_type& v) { return v.size(); }

  class writer {
   public:
    using const_buffers_type = std::vector<boost::asio::const_buffer>;

    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body) : body_(body) {}

    void init(boost::beast::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
      ec = {};
      if (done_) return boost::none;
      done_ = true;
      const_buffers_type out;
      out.reserve(body_.parts.size());
      for (const auto& p : body_.parts)
        if (p && !p->empty()) out.emplace_back(p->data(), p->size());
      if (out.empty()) return boost::none;
      return std::make_pair(std::move(out), false);
    }

   private:
    const value_type& body_;
    bool done_ = false;
  };
};

}  // namespace st::http
