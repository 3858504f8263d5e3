# ISC license.
#
# ha-common.sh: sourced by the tests that run a real HAProxy (62, 64).
#
# haproxy_start NAME SERVER-LINE...: an HAProxy in mode tcp on a free port
# of 127.0.0.1, round robin over a backend whose lines are the arguments
# ("server s1 127.0.0.1:PORT send-proxy-v2 ..."); its configuration is
# checked first. Sets NAME_PORT, NAME_PID, NAME_ERR (start_on_free_port).

haproxy_start() {
  _ha=$1
  shift
  {
    printf '%s\n' global '    maxconn 200' defaults '    mode tcp' '    timeout connect 10s' \
      '    timeout client 60s' '    timeout server 60s' frontend\ fe '    bind "127.0.0.1:${PORT}"' \
      '    default_backend be' backend\ be '    balance roundrobin'
    for _l; do printf '    %s\n' "$_l"; done
  } >"$T/$_ha.cfg"
  PORT=1 haproxy -c -f "$T/$_ha.cfg" >"$T/$_ha.check" 2>&1 || fail "haproxy rejects its configuration: $(cat "$T/$_ha.check")"
  start_on_free_port "$_ha" '' haproxy -db -f "$T/$_ha.cfg"
}
