# Shared helpers for the bench scripts (sourced).
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {  # url
  for _ in $(seq 200); do curl -sf "$1" >/dev/null && return 0; sleep 0.05; done
  echo "not answering: $1" >&2
  return 1
}
now() { date +%s.%N; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else 'n/a')" "$1" "$2"; }
