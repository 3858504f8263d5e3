/* ISC license. */

#include <string.h>
#include <arpa/inet.h>

#include <skalibs/types.h>

#include <utls/utls.h>
#include <utls/remote.h>

/* One "IPv4:PORT", "[IPv6]:PORT" or "/path" of len bytes. Returns 1 if valid. */
static int parse_one (utls_mc_server *s, char const *p, size_t len)
{
  char buf[UTLS_MC_ID_MAX];
  char *colon;
  size_t n;
  uint16_t port;
  if (!len || len >= sizeof buf) return 0;
  memcpy(buf, p, len);
  buf[len] = 0;
  memcpy(s->id, buf, len + 1);
  s->fd = -1;
  if (buf[0] == '/')
  {
    /* sun_path holds 108 bytes with the NUL */
    s->kind = 0;
    return len < 108;
  }
  if (buf[0] == '[')
  {
    colon = strchr(buf, ']');
    if (!colon || colon[1] != ':') return 0;
    *colon++ = 0;
    if (inet_pton(AF_INET6, buf + 1, s->ip) != 1) return 0;
    s->kind = 6;
  }
  else
  {
    colon = strchr(buf, ':');
    if (!colon) return 0;
    *colon = 0;
    if (inet_pton(AF_INET, buf, s->ip) != 1) return 0;
    s->kind = 4;
  }
  n = uint16_scan(colon + 1, &port);
  if (!n || colon[1 + n] || !port) return 0;
  s->port = port;
  return 1;
}

/* Comma-separated: a socket path cannot hold a comma. */
int utls_mc_parse (utls_mc *mc, char const *spec)
{
  mc->n = 0;
  mc->why = 0;
  for (;;)
  {
    char const *comma = strchr(spec, ',');
    size_t len = comma ? (size_t)(comma - spec) : strlen(spec);
    if (mc->n >= UTLS_MC_SERVERS_MAX || !parse_one(mc->srv + mc->n, spec, len))
    {
      mc->n = 0;
      return UTLS_ERR_MCSPEC;
    }
    mc->n++;
    if (!comma) return 0;
    spec = comma + 1;
  }
}
