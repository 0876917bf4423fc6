#pragma once
// Internal: what one protocol's attempt gave, for the mapper's summary of why nothing worked.
#include <optional>
#include <string>

#include "p2p/portmap/port_mapper.hpp"

namespace st::p2p::portmap::detail {

struct Attempt {
  std::optional<Mapping> mapping;
  bool answered = false;  // some router answered (even with a refusal)
  std::string why;        // when no mapping
};

// The gateway to talk to: the option, else the default route's; "" and why when there is none.
std::string gateway_for(const PortMapOptions& o, std::string& why);

Attempt pcp_map(const PortMapOptions& o, const Mapping* renew);
bool pcp_unmap(const Mapping& m, const PortMapOptions& o);
Attempt natpmp_map(const PortMapOptions& o, const Mapping* renew);
bool natpmp_unmap(const Mapping& m, const PortMapOptions& o);
Attempt upnp_map(const PortMapOptions& o, const Mapping* renew);
bool upnp_unmap(const Mapping& m, const PortMapOptions& o);

}  // namespace st::p2p::portmap::detail
