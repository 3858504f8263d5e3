/* ISC license. */

#include <errno.h>
#include <string.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/error.h>
#include <skalibs/iopause.h>
#include <skalibs/types.h>

#include "mc-internal.h"

/*
 * Parses the first line of an answer to "get NAME" (the CRLF excluded).
 * Returns the value's length, -2 for END (a miss), -1 for anything else.
 */
static ssize_t first_line (char const *line, size_t len, char const *name, size_t max)
{
  size_t namelen = strlen(name), i, n;
  uint32_t flags;
  uint64_t bytes;
  if (len == 3 && !memcmp(line, "END", 3)) return -2;
  if (len < 6 + namelen + 4 || memcmp(line, "VALUE ", 6) || memcmp(line + 6, name, namelen) || line[6 + namelen] != ' ') return -1;
  i = 7 + namelen;
  n = uint32_scan(line + i, &flags);
  if (!n || line[i + n] != ' ') return -1;
  i += n + 1;
  n = uint64_scan(line + i, &bytes);
  if (!n || bytes > max) return -1;
  i += n;
  /* An optional CAS value, digits only. */
  if (i < len)
  {
    uint64_t cas;
    if (line[i] != ' ') return -1;
    n = uint64_scan(line + i + 1, &cas);
    if (!n || i + 1 + n != len) return -1;
  }
  return (ssize_t)bytes;
}

/*
 * The answer is read into buf, where the value stays: no copy between
 * the socket and the caller (utlsp_sc_remote_fetch unseals it there).
 */
int utlsp_mc_get (utls_mc *mc, char const *name, unsigned char *buf, size_t max, size_t *start, size_t *len, tain const *deadline)
{
  char cmd[UTLS_MC_NAME_LEN + 8];
  char *in = (char *)buf;
  size_t namelen = strlen(name), got = 0, want = 0, hdr = 0;
  ssize_t vlen = -1;
  utls_mc_server *s;
  if (namelen > UTLS_MC_NAME_LEN) { mc->why = "name too long"; return -1; }
  if (max > UTLS_MC_VALUE_MAX) max = UTLS_MC_VALUE_MAX;
  s = utls_mc_pick(mc, name);
  if (utlsp_mc_connect(mc, s, deadline) < 0) return -1;
  memcpy(cmd, "get ", 4);
  memcpy(cmd + 4, name, namelen);
  memcpy(cmd + 4 + namelen, "\r\n", 2);
  if (utlsp_mc_write(mc, s, cmd, namelen + 6, deadline) < 0) return -1;
  for (;;)
  {
    iopause_fd x = { .fd = s->fd, .events = IOPAUSE_READ };
    ssize_t r = fd_read(s->fd, in + got, UTLSP_MC_ANSWER_MAX - got);
    if (!r) return utlsp_mc_drop(mc, s, "the server closed the connection");
    if (r < 0)
    {
      if (!error_isagain(errno)) return utlsp_mc_drop(mc, s, "read failed");
      r = iopause_stamp(&x, 1, deadline, &STAMP);
      if (r < 0) return utlsp_mc_drop(mc, s, "poll failed");
      if (!r) return utlsp_mc_drop(mc, s, "read timed out");
      continue;
    }
    got += r;
    if (!hdr)
    {
      char const *crlf = 0;
      size_t i = 0;
      for (; i + 1 < got; i++) if (in[i] == '\r' && in[i + 1] == '\n') { crlf = in + i; break; }
      if (!crlf)
      {
        if (got > UTLSP_MC_LINE_MAX) return utlsp_mc_drop(mc, s, "garbage from the server");
        continue;
      }
      hdr = crlf - in + 2;
      vlen = first_line(in, crlf - in, name, max);
      if (vlen == -1) return utlsp_mc_drop(mc, s, "garbage from the server");
      want = vlen == -2 ? hdr : hdr + vlen + 7;
    }
    if (got < want) continue;
    /* Anything more than the answer would be out of step: drop it all. */
    if (got > want) return utlsp_mc_drop(mc, s, "garbage from the server");
    if (vlen == -2) return 0;
    if (memcmp(in + hdr + vlen, "\r\nEND\r\n", 7)) return utlsp_mc_drop(mc, s, "garbage from the server");
    *start = hdr;
    *len = vlen;
    return 1;
  }
}

int utls_mc_get (utls_mc *mc, char const *name, unsigned char *buf, size_t max, size_t *len, tain const *deadline)
{
  unsigned char answer[UTLSP_MC_ANSWER_MAX];
  size_t start;
  int r = utlsp_mc_get(mc, name, answer, max, &start, len, deadline);
  if (r > 0) memcpy(buf, answer + start, *len);
  return r;
}
