/* ISC license. */

#include <string.h>
#include <sys/uio.h>

#include <skalibs/types.h>

#include "mc-internal.h"

/*
 * "set NAME 0 EXPTIME LEN noreply\r\n" VALUE "\r\n", in one write: the
 * server answers nothing (not even STORED), so a store costs the
 * handshake no round trip. A lost store only costs a resumption.
 */
int utls_mc_set (utls_mc *mc, char const *name, unsigned char const *value, size_t len, unsigned int exptime, tain const *deadline)
{
  char buf[UTLS_MC_NAME_LEN + 64 + UTLS_MC_VALUE_MAX];
  utls_mc_server *s;
  size_t n = 0, namelen = strlen(name);
  if (len > UTLS_MC_VALUE_MAX || namelen > UTLS_MC_NAME_LEN) { mc->why = "value too large"; return -1; }
  s = utls_mc_pick(mc, name);
  if (utlsp_mc_connect(mc, s, deadline) < 0) return -1;
  memcpy(buf, "set ", 4); n = 4;
  memcpy(buf + n, name, namelen); n += namelen;
  memcpy(buf + n, " 0 ", 3); n += 3;
  n += uint_fmt(buf + n, exptime);
  buf[n++] = ' ';
  n += uint64_fmt(buf + n, len);
  memcpy(buf + n, " noreply\r\n", 10); n += 10;
  memcpy(buf + n, value, len); n += len;
  buf[n++] = '\r'; buf[n++] = '\n';
  return utlsp_mc_write(mc, s, buf, n, deadline);
}
