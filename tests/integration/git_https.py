"""A local HTTPS git server for tests: `git http-backend` (smart HTTP, which libgit2 needs) behind a
Python HTTPS server on 127.0.0.1 with a throwaway self-signed certificate for "localhost"."""
import http.server
import os
import ssl
import subprocess
import tempfile
import threading


def make_cert(directory):
    """A self-signed certificate for localhost; returns (cert_path, key_path). The certificate is its own CA."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-addext", "basicConstraints=critical,CA:TRUE",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def git(cwd, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org", GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def make_repo(root, name, files, symlinks=()):
    """A bare repository root/<name>.git holding files {path: bytes} (and symlinks {path: target})."""
    work = tempfile.mkdtemp(prefix="theme-src-")
    git(work, "init", "-q", "-b", "main")
    for path, data in files.items():
        full = os.path.join(work, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)
    for path, target in dict(symlinks).items():
        os.symlink(target, os.path.join(work, path))
    git(work, "add", "-A")
    git(work, "commit", "-qm", "theme")
    bare = os.path.join(root, name + ".git")
    if os.path.exists(bare):
        subprocess.run(["rm", "-rf", bare], check=True)
    git(root, "clone", "-q", "--bare", work, bare)
    subprocess.run(["rm", "-rf", work], check=True)
    return bare


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length", "0") or 0)
        return self.rfile.read(n) if n else b""

    def _cgi(self):
        path, _, query = self.path.partition("?")
        body = self._body()
        env = {"GIT_PROJECT_ROOT": self.server.root, "GIT_HTTP_EXPORT_ALL": "1", "REQUEST_METHOD": self.command,
               "PATH_INFO": path, "QUERY_STRING": query, "CONTENT_TYPE": self.headers.get("Content-Type", ""),
               "CONTENT_LENGTH": str(len(body)), "REMOTE_ADDR": "127.0.0.1", "PATH": os.environ.get("PATH", ""),
               "GIT_CONFIG_NOSYSTEM": "1", "HOME": self.server.root}
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        self.server.requests.append(self.command + " " + self.path)
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = out.partition(b"\n\n")
        status = 200
        headers = []
        for line in head.decode(errors="replace").splitlines():
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.strip().split()[0])
            elif k:
                headers.append((k, v.strip()))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _cgi
    do_POST = _cgi


class GitHttpsServer:
    """Serves every bare repository under root at https://localhost:<port>/<name>.git"""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="git-https-")
        self.cert, key = make_cert(self.root)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.root = self.root
        self.httpd.requests = []
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def requests(self):
        return self.httpd.requests

    def url(self, name):
        return f"https://localhost:{self.port}/{name}.git"

    def add(self, name, files, symlinks=()):
        make_repo(self.root, name, files, symlinks)
        return self.url(name)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        subprocess.run(["rm", "-rf", self.root], check=False)
