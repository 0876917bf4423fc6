#pragma once
// Copies the P2P layer's log events (messages starting "p2p:") into a ring buffer for the admin's
// /api/admin/p2p/logs view, besides the normal log output.
#include <memory>

#include "util/log_ring.hpp"

namespace st::app {

// Adds the sink to the default logger; call before any thread logs.
void attach_p2p_log_sink(std::shared_ptr<util::LogRing> ring);

}  // namespace st::app
