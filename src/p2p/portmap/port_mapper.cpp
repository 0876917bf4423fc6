#include "p2p/portmap/port_mapper.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "p2p/portmap/attempt.hpp"
#include "p2p/portmap/gateway.hpp"

namespace st::p2p::portmap {

namespace detail {

std::string gateway_for(const PortMapOptions& o, std::string& why) {
  std::string gw = o.gateway.empty() ? default_gateway() : o.gateway;
  if (gw.empty()) why = "no default route: this machine has no router to ask for a port mapping";
  return gw;
}

}  // namespace detail

namespace {

using Clock = std::chrono::steady_clock;

std::string display_name(const std::string& protocol) {
  if (protocol == "pcp") return "PCP";
  if (protocol == "natpmp") return "NAT-PMP";
  if (protocol == "upnp") return "UPnP";
  return protocol;
}

detail::Attempt attempt(const std::string& protocol, const PortMapOptions& o, const Mapping* renew) {
  try {
    if (protocol == "pcp") return detail::pcp_map(o, renew);
    if (protocol == "natpmp") return detail::natpmp_map(o, renew);
    if (protocol == "upnp") return detail::upnp_map(o, renew);
    detail::Attempt a;
    a.why = fmt::format("unknown port mapping protocol '{}' (pcp, natpmp, upnp)", protocol);
    return a;
  } catch (const std::exception& e) {  // allocation failures and the like: never out of a one-shot
    detail::Attempt a;
    a.why = fmt::format("{} failed: {}", display_name(protocol), e.what());
    return a;
  }
}

std::optional<Mapping> one_shot(const std::string& protocol, const PortMapOptions& o, std::string& why,
                                const Mapping* renew) {
  auto a = attempt(protocol, o, renew);
  why = a.mapping ? std::string() : a.why;
  return std::move(a.mapping);
}

std::string external_of(const Mapping& m) { return fmt::format("{}:{}", m.external_ip, m.external_port); }

}  // namespace

std::optional<Mapping> map_pcp(const PortMapOptions& o, std::string& why, const Mapping* renew) {
  return one_shot("pcp", o, why, renew);
}
std::optional<Mapping> map_natpmp(const PortMapOptions& o, std::string& why, const Mapping* renew) {
  return one_shot("natpmp", o, why, renew);
}
std::optional<Mapping> map_upnp(const PortMapOptions& o, std::string& why, const Mapping* renew) {
  return one_shot("upnp", o, why, renew);
}

bool unmap(const Mapping& m, const PortMapOptions& o) {
  try {
    if (m.protocol == "pcp") return detail::pcp_unmap(m, o);
    if (m.protocol == "natpmp") return detail::natpmp_unmap(m, o);
    if (m.protocol == "upnp") return detail::upnp_unmap(m, o);
  } catch (const std::exception& e) {
    spdlog::info("port mapping: removing the {} mapping failed: {}", display_name(m.protocol), e.what());
  }
  return false;
}

struct PortMapper::Impl {
  PortMapOptions opts;
  mutable std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread thread;
  PortMapStatus status;
  std::optional<Mapping> current;
  std::function<void(const std::optional<Mapping>&)> on_change;

  void notify(const std::optional<Mapping>& m) {
    std::function<void(const std::optional<Mapping>&)> f;
    {
      std::lock_guard lock(mu);
      f = on_change;
    }
    if (f) {
      try {
        f(m);
      } catch (const std::exception& e) {
        spdlog::warn("port mapping: the change callback threw: {}", e.what());
      }
    }
  }

  // Every protocol in order; the first mapping wins. The summary says what a user can do about it.
  std::optional<Mapping> try_all(std::string& why) {
    std::vector<std::string> reasons;
    bool anyone = false;
    std::vector<std::string> names;
    std::vector<std::string> unknown;
    for (const auto& p : opts.protocols) {
      {
        std::lock_guard lock(mu);
        if (stopping) return std::nullopt;
      }
      if (p != "pcp" && p != "natpmp" && p != "upnp") {
        unknown.push_back(fmt::format("unknown port mapping protocol '{}' (pcp, natpmp, upnp)", p));
        continue;
      }
      auto a = attempt(p, opts, nullptr);
      if (a.mapping) return std::move(a.mapping);
      anyone = anyone || a.answered;
      names.push_back(display_name(p));
      reasons.push_back(fmt::format("{}: {}", display_name(p), a.why));
      spdlog::debug("port mapping: {}: {}", display_name(p), a.why);
    }
    if (!unknown.empty() || names.empty()) {
      why = names.empty() ? "no port mapping protocol is enabled" : "";
      for (const auto& u : unknown) why += (why.empty() ? "" : "; ") + u;
      for (const auto& r : reasons) why += "; " + r;
    } else if (!anyone) {
      std::string list;
      for (std::size_t i = 0; i < names.size(); ++i)
        list += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
      why = fmt::format("no router answered {} (turn on UPnP or NAT-PMP/PCP in the router, or forward the port "
                        "{} by hand)", list, opts.internal_port);
    } else {
      why = "the router did not map the port: ";
      for (std::size_t i = 0; i < reasons.size(); ++i) why += (i ? "; " : "") + reasons[i];
    }
    return std::nullopt;
  }

  void set_mapped(const Mapping& m) {
    std::lock_guard lock(mu);
    current = m;
    status.active = true;
    status.protocol = m.protocol;
    status.external = external_of(m);
    status.double_nat = is_double_nat_external(m.external_ip);
    status.last_error = status.double_nat
                            ? fmt::format("the router's external address {} is private: another NAT is in front of it "
                                          "(double NAT or carrier-grade NAT), so the mapping does not reach the internet",
                                          m.external_ip)
                            : std::string();
  }

  void set_unmapped(const std::string& why) {
    std::lock_guard lock(mu);
    current.reset();
    status.active = false;
    status.protocol.clear();
    status.external.clear();
    status.double_nat = false;
    status.last_error = why;
  }

  static std::chrono::seconds renew_after(const Mapping& m) {
    return std::max(std::chrono::seconds(1), m.lifetime / 2);
  }

  void run() {
    std::chrono::seconds backoff = opts.retry_min;
    for (;;) {
      std::optional<Mapping> held;
      {
        std::lock_guard lock(mu);
        if (stopping) break;
        held = current;
      }
      Clock::time_point next;
      if (held) {
        auto a = attempt(held->protocol, opts, &*held);
        if (a.mapping) {
          bool moved = external_of(*a.mapping) != external_of(*held);
          set_mapped(*a.mapping);
          {
            std::lock_guard lock(mu);
            ++status.renewals;
          }
          if (moved) notify(a.mapping);
          next = Clock::now() + renew_after(*a.mapping);
        } else {
          // The renewal failed: another protocol may still work before we tell anyone it is gone.
          spdlog::info("port mapping: renewing via {} failed: {}", display_name(held->protocol), a.why);
          std::string why;
          auto m = try_all(why);
          if (m) {
            bool moved = external_of(*m) != external_of(*held);
            set_mapped(*m);
            if (moved) notify(m);
            backoff = opts.retry_min;
            next = Clock::now() + renew_after(*m);
          } else {
            set_unmapped(why);
            notify(std::nullopt);
            next = Clock::now() + backoff;
            backoff = std::min(backoff * 2, opts.retry_max);
          }
        }
      } else {
        std::string why;
        auto m = try_all(why);
        if (m) {
          spdlog::info("port mapping: {} mapped {} to {}:{} for {} s", display_name(m->protocol), external_of(*m),
                       m->internal_ip, m->internal_port, m->lifetime.count());
          set_mapped(*m);
          notify(m);
          backoff = opts.retry_min;
          next = Clock::now() + renew_after(*m);
        } else {
          {
            std::lock_guard lock(mu);
            if (stopping) break;
          }
          spdlog::info("port mapping: {}; next try in {} s", why, backoff.count());
          set_unmapped(why);
          next = Clock::now() + backoff;
          backoff = std::min(backoff * 2, opts.retry_max);
        }
      }
      std::unique_lock lock(mu);
      cv.wait_until(lock, next, [this] { return stopping; });
    }
    std::optional<Mapping> held;
    {
      std::lock_guard lock(mu);
      held = current;
    }
    if (held) {
      bool ok = unmap(*held, opts);
      spdlog::info("port mapping: {} mapping {} {}", display_name(held->protocol), external_of(*held),
                   ok ? "removed" : "not confirmed removed (it expires with its lease)");
      set_unmapped("");
      notify(std::nullopt);
    }
  }
};

PortMapper::PortMapper(PortMapOptions o) : impl_(std::make_unique<Impl>()) {
  if (o.retry_min.count() < 1) o.retry_min = std::chrono::seconds(1);
  if (o.retry_max < o.retry_min) o.retry_max = o.retry_min;
  impl_->opts = std::move(o);
}

PortMapper::~PortMapper() { stop(); }

void PortMapper::start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->thread.joinable() || impl_->stopping) return;
  impl_->thread = std::thread([this] { impl_->run(); });
}

void PortMapper::stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

PortMapStatus PortMapper::status() const {
  std::lock_guard lock(impl_->mu);
  return impl_->status;
}

std::optional<Mapping> PortMapper::mapping() const {
  std::lock_guard lock(impl_->mu);
  return impl_->current;
}

void PortMapper::on_change(std::function<void(const std::optional<Mapping>&)> f) {
  std::lock_guard lock(impl_->mu);
  impl_->on_change = std::move(f);
}

}  // namespace st::p2p::portmap
