#include "library/replica_wait.hpp"

#include <algorithm>
#include <optional>

#include <spdlog/spdlog.h>

#include "model/errors.hpp"

namespace st::library {

std::string wait_for_replica(P2pService& p2p, std::string_view content_hash, const ReplicaWait& how) {
  std::optional<util::ConcurrencyGate::Slot> slot;
  if (how.gate && !(slot = how.gate->try_enter()))
    throw model::DomainError(model::ErrorKind::unavailable, "Too many tracks on their way from peers; try again shortly", 5);
  // Waits in slices so that a client that has gone stops holding its slot (and the worker) within one slice.
  constexpr auto kSlice = std::chrono::milliseconds(500);
  auto deadline = std::chrono::steady_clock::now() + how.max_wait;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    try {
      return p2p.materialize(content_hash, std::clamp(left, std::chrono::milliseconds(1), kSlice));
    } catch (const model::DomainError& e) {
      bool on_its_way = e.kind() == model::ErrorKind::unavailable && e.retry_after_seconds() > 0;
      if (!on_its_way || std::chrono::steady_clock::now() >= deadline) throw;
      if (how.client_gone && how.client_gone()) {
        spdlog::info("p2p: a client waiting for {} from peers has gone; the fetch goes on without it",
                     content_hash.substr(0, 12));
        throw;
      }
    }
  }
}

}  // namespace st::library
