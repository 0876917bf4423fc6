"""A minimal pkarr relay (pkarr design/relays.md) for the NAT lab: PUT /<z-base-32 key> stores the body
(signature ‖ timestamp ‖ DNS packet, at most 1072 bytes), GET /<key> answers it or 404. It checks nothing
else on purpose: the nodes must verify what a relay hands them.

    python3 pkarr_relay.py HOST PORT"""
import http.server
import re
import sys

STORE = {}
KEY = re.compile(r"^/[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$")


class Relay(http.server.BaseHTTPRequestHandler):
    def _answer(self, code, body=b""):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        if not KEY.match(self.path):
            return self._answer(400)
        n = int(self.headers.get("Content-Length") or 0)
        if n > 1072:
            return self._answer(413)
        body = self.rfile.read(n)
        if len(body) < 72:
            return self._answer(400)
        STORE[self.path] = body
        self._answer(204)

    def do_GET(self):
        if self.path in STORE:
            return self._answer(200, STORE[self.path])
        self._answer(404 if KEY.match(self.path) else 400)

    def log_message(self, fmt, *args):
        sys.stderr.write("relay: " + fmt % args + "\n")


if __name__ == "__main__":
    http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Relay).serve_forever()
