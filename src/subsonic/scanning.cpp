// Library scanning: startScan runs the same sync as the admin console; getScanStatus reports it.
#include "subsonic/sections.hpp"

namespace st::subsonic {

namespace {

Node status(Call& c) {
  auto s = c.d.tasks.state();
  bool sync = s.kind == "sync";
  Node body;
  auto& n = body.object("scanStatus");
  bool running = sync && s.status == library::TaskState::Status::running;
  n.set("scanning", running);
  // While scanning: files looked at so far; otherwise the songs in the library.
  n.set("count", running ? static_cast<std::int64_t>(s.scanned) : c.d.catalog.counts().tracks);
  return body;
}

}  // namespace

void add_scan_methods(MethodTable& t) {
  t.push_back({"getScanStatus", {[](Call& c) -> Reply { return status(c); }}});
  t.push_back({"startScan", {[](Call& c) -> Reply {
                 c.require_admin();
                 c.d.tasks.start_sync();  // false when a task already runs: its status is reported
                 return status(c);
               }}});
}

}  // namespace st::subsonic
