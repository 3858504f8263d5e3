/* ISC license. */

#include <string.h>

#include <utls/utls.h>
#include <utls/setup.h>

/*
 * A strict reader: every length must fit in the one around it, as
 * BearSSL requires, and anything unexpected means "unknown" (0), which
 * costs at most a resumption. The name is taken the way BearSSL 0.6
 * keeps it: the last host_name (type 0) entry of 255 bytes or fewer, of
 * any server_name extension, "" when there is none.
 */

typedef struct rd_s rd;
struct rd_s
{
  unsigned char const *p;
  size_t n;
};

static int get (rd *r, size_t k, unsigned char const **out)
{
  if (r->n < k) return 0;
  *out = r->p;
  r->p += k;
  r->n -= k;
  return 1;
}

static int get8 (rd *r, size_t *v)
{
  unsigned char const *s;
  if (!get(r, 1, &s)) return 0;
  *v = s[0];
  return 1;
}

static int get16 (rd *r, size_t *v)
{
  unsigned char const *s;
  if (!get(r, 2, &s)) return 0;
  *v = (size_t)s[0] << 8 | s[1];
  return 1;
}

/* Opens an element of length len: sub is its inside, r goes past it. */
static int sub (rd *r, size_t len, rd *in)
{
  return get(r, len, &in->p) ? (in->n = len, 1) : 0;
}

static int sni_ext (rd *ext, char *name)
{
  rd list;
  size_t len;
  if (!get16(ext, &len) || !sub(ext, len, &list) || ext->n) return 0;
  while (list.n)
  {
    size_t type, nlen;
    unsigned char const *s;
    if (!get8(&list, &type) || !get16(&list, &nlen) || !get(&list, nlen, &s)) return 0;
    if (type || nlen > 255) continue;
    if (memchr(s, 0, nlen)) return 0;
    memcpy(name, s, nlen);
    name[nlen] = 0;
  }
  return 1;
}

int utls_clienthello_peek (unsigned char const *buf, size_t len, unsigned char *sid, size_t *sidlen, char *name)
{
  rd rec = { .p = buf, .n = len }, body, hs, exts;
  unsigned char const *s;
  size_t v, n;
  name[0] = 0;
  if (!get(&rec, 5, &s) || s[0] != 22 || s[1] != 3) return 0;
  if (!sub(&rec, (size_t)s[3] << 8 | s[4], &body)) return 0;
  if (!get(&body, 4, &s) || s[0] != 1) return 0;
  n = (size_t)s[1] << 16 | (size_t)s[2] << 8 | s[3];
  if (!sub(&body, n, &hs)) return 0;
  if (!get(&hs, 34, &s) || !get8(&hs, &v) || v > 32 || !get(&hs, v, &s)) return 0;
  memcpy(sid, s, v);
  *sidlen = v;
  if (!get16(&hs, &v) || !get(&hs, v, &s)) return 0;
  if (!get8(&hs, &v) || !get(&hs, v, &s)) return 0;
  if (!hs.n) return 1;
  if (!get16(&hs, &v) || !sub(&hs, v, &exts) || hs.n) return 0;
  while (exts.n)
  {
    size_t type;
    rd ext;
    if (!get16(&exts, &type) || !get16(&exts, &v) || !sub(&exts, v, &ext)) return 0;
    if (type == 0 && !sni_ext(&ext, name)) return 0;
  }
  return 1;
}
