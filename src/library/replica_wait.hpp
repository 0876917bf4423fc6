#pragma once
// Waiting for a replicated track's bytes on behalf of one HTTP request (REST and Subsonic alike): a slot
// among the requests waiting on peers at once, a deadline, and no more waiting once the client has gone.
// The fetch itself goes on in the P2P node, so that the next request for the same track finds it.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "library/p2p_service.hpp"
#include "util/concurrency_gate.hpp"

namespace st::library {

struct ReplicaWait {
  util::ConcurrencyGate* gate = nullptr;  // none: unbounded (tests)
  std::chrono::milliseconds max_wait{30'000};
  std::function<bool()> client_gone;  // none: the client is assumed to stay
};

// The local file holding the replica's verified bytes. Throws model::DomainError (unavailable, with a
// retry_after_seconds when it is worth asking again: no free slot, or still on its way at the deadline)
// like P2pService::materialize.
std::string wait_for_replica(P2pService& p2p, std::string_view content_hash, const ReplicaWait& how);

}  // namespace st::library
