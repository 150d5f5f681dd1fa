#!/bin/sh
# Scans the two apps that setup.sh installed, before and after login, and prints a
# one-screen summary per scan. Never run in CI.
#   COOKIESCAN   the binary (default: bin/cookiescan of this repository; `make build`)
#   OUT          where the reports go (default /tmp/realapps-reports)
#   TRUSTED=1    trust the CA through an NSS database instead of --ca-cert, so
#                Chromium honours HSTS as on a real site (see README)
#   ONLY="wp-login tomcat-login"  run only these scans
#   COOKIESCAN_PASSWORD  default: setup.sh's default password
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=${COOKIESCAN:-$ROOT/bin/cookiescan}
OUT=${OUT:-/tmp/realapps-reports}
TLS=/etc/realapps-tls
export COOKIESCAN_PASSWORD="${COOKIESCAN_PASSWORD:-correct horse battery staple}"
mkdir -p "$OUT"
[ -x "$B" ] || { echo "no $B: run make build first" >&2; exit 2; }

export COMMENT_TEXT=""
run() { # name, url, extra flags...
  name=$1 url=$2; shift 2
  case " ${ONLY:-$name} " in *" $name "*) ;; *) return 0 ;; esac
  if [ "${TRUSTED:-}" = 1 ]; then
    env HOME=$TLS/nsshome SSL_CERT_FILE=$TLS/nsshome/bundle.pem \
      timeout 600 "$B" scan "$url" --fail-on none -o "$OUT/$name.json" -o "$OUT/$name.txt" "$@" 2>"$OUT/$name.log"
  else
    timeout 600 "$B" scan "$url" --ca-cert $TLS/ca.pem --fail-on none -o "$OUT/$name.json" -o "$OUT/$name.txt" "$@" 2>"$OUT/$name.log"
  fi
  echo "== $name (exit $?): $(head -1 "$OUT/$name.txt")"
  if command -v python3 >/dev/null; then python3 - "$OUT/$name.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for e in r.get("errors") or []:
    print("   error", e.get("stage"), e.get("message"))
for c in r.get("cookies") or []:
    print("   cookie %-10s %-26.26s path=%-20s %s%s ss=%-6s %-10s stored=%s %s %s" % (
        c["phase"], c["name"], c["path"], "S" if c["secure"] else "-", "H" if c["httpOnly"] else "-",
        c["sameSite"] or "-", "session" if c["session"] else "maxAge=%s" % c["maxAge"],
        c["stored"], c.get("blockedReasons") or "", "session-like: " + c["sessionSignal"] if c.get("sessionLike") else ""))
for f in r.get("findings") or []:
    rem = f.get("remediation") or {}
    print("   finding %-7s %-36s %s %s" % (f["severity"], f["rule"], f.get("cookie") or f.get("url") or "",
        "[fix: %s: %s]" % (rem["framework"], rem["fix"]) if rem.get("framework") else ""))
PY
  fi
}

cd "$HERE"
run tomcat-pre      https://tomcat.test/examples/
run tomcat-login    https://tomcat.test/examples/ --login tomcat-login.yaml
run tomcat-rotated  https://tomcat.test/examples/servlets/servlet/SessionExample --login tomcat-login.yaml --depth 0
run tomcat-norotate https://tomcat.test/examples-norotate/servlets/servlet/SessionExample --login tomcat-login-norotate.yaml --depth 0
run tomcat-recorder https://tomcat.test/examples/ --login tomcat-login.recorder.json --depth 0
AUTH=$(printf 'alice:%s' "$COOKIESCAN_PASSWORD" | base64 -w0)
run tomcat-manager  https://tomcat.test/manager/html --header "Authorization: Basic $AUTH" --depth 1 --max-pages 8
run wp-pre          https://wp.test/
run wp-login        https://wp.test/ --login wp-login.yaml
run wp-remember     https://wp.test/ --login wp-login-remember.yaml
run wp-loginpage    https://wp.test/wp-login.php --login wp-login.yaml --depth 0
COMMENT_TEXT="cookiescan comment $(date +%s)"  # WordPress refuses a duplicate comment
run wp-comment       https://wp.test/ --login wp-comment-then-login.yaml --depth 0
echo "reports: $OUT"
