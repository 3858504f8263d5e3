/* ISC license. */

#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <skalibs/bytestr.h>
#include <utls/utls.h>
#include "load-internal.h"

/*
 * Our own PEM reader. BearSSL's br_pem_decoder is an interpreted T0
 * machine that costs about 1400 instructions per input byte: 50 ms for a
 * system CA bundle, paid on every client connection. This one is a table
 * lookup per byte.
 *
 * Accepted text (RFC 7468 "strict", plus any whitespace inside the base64
 * and CRLF line ends): a line that starts with "-----BEGIN label-----",
 * base64 lines, and a line "-----END label-----" with the same label.
 * Boundary lines may end with spaces, tabs or a CR. Base64 must come in
 * complete quanta, with '=' padding only at the end and zero pad bits.
 * Lines outside objects are ignored, whatever they hold.
 */

#define PEM_LABEL_MAX 127

/* Classes of the decoding table, besides the digit values 0 to 63. */
#define S 64                    /* whitespace: skipped */
#define P 65                    /* '=' */
#define X 255                   /* anything else */

static unsigned char const b64_class[256] =
{
  X, X, X, X, X, X, X, X, X, S, S, S, S, S, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  S, X, X, X, X, X, X, X, X, X, X, 62, X, X, X, 63,
  52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, P, X, X,
  X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
  15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, X,
  X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
  41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X
};

#undef S
#undef P
#undef X
#define B64_SPACE 64
#define B64_PAD 65

typedef struct pem_reader_s pem_reader;
struct pem_reader_s
{
  unsigned char const *s;
  size_t len;
  size_t pos;                   /* at the start of a line between steps */
};

/* Index of the '\n' that ends the line at pos, or len. */
static size_t line_end (pem_reader const *p, size_t pos)
{
  unsigned char const *nl = memchr(p->s + pos, '\n', p->len - pos);
  return nl ? (size_t)(nl - p->s) : p->len;
}

static int starts_with (pem_reader const *p, char const *prefix, size_t n)
{
  return p->len - p->pos >= n && !memcmp(p->s + p->pos, prefix, n);
}

/*
 * Reads the boundary line at pos, whose first prefixlen bytes ("-----BEGIN "
 * or "-----END ") were checked: the label runs up to the first "-----",
 * and only spaces, tabs and a CR may follow. Copies the label into
 * label[PEM_LABEL_MAX + 1] and moves pos to the next line.
 */
static int boundary_line (pem_reader *p, size_t prefixlen, char *label)
{
  size_t end = line_end(p, p->pos);
  size_t start = p->pos + prefixlen;
  size_t i = start;
  for (; i + 5 <= end; i++)
    if (p->s[i] == '-' && !memcmp(p->s + i, "-----", 5)) break;
  if (i + 5 > end || i - start > PEM_LABEL_MAX) return UTLS_ERR_BADPEM;
  memcpy(label, p->s + start, i - start);
  label[i - start] = 0;
  for (; start < i; start++)
    if (p->s[start] < 0x20 || p->s[start] > 0x7e) return UTLS_ERR_BADPEM;
  for (i += 5; i < end; i++)
    if (p->s[i] != ' ' && p->s[i] != '\t' && p->s[i] != '\r') return UTLS_ERR_BADPEM;
  p->pos = end < p->len ? end + 1 : end;
  return 0;
}

/* Skips lines up to the next BEGIN line and reads it. *found is 0 at the end of the text. */
static int next_begin (pem_reader *p, char *label, int *found)
{
  static char const begin[] = "-----BEGIN ";
  *found = 0;
  while (p->pos < p->len)
  {
    if (starts_with(p, begin, sizeof(begin) - 1))
    {
      *found = 1;
      return boundary_line(p, sizeof(begin) - 1, label);
    }
    p->pos = line_end(p, p->pos);
    if (p->pos < p->len) p->pos++;
  }
  return 0;
}

/* The END line at pos must carry the BEGIN label. */
static int end_line (pem_reader *p, char const *label)
{
  static char const end[] = "-----END ";
  char endlabel[PEM_LABEL_MAX + 1];
  int r;
  if (!starts_with(p, end, sizeof(end) - 1)) return UTLS_ERR_BADPEM;
  r = boundary_line(p, sizeof(end) - 1, endlabel);
  if (r) return r;
  return strcmp(label, endlabel) ? UTLS_ERR_BADPEM : 0;
}

/*
 * The last quantum: nothing pending, or 2 digits and "==", or 3 digits
 * and "=", with the pad bits zero. Returns the bytes it yields, or -1.
 */
static int b64_last (uint32_t acc, unsigned int ndigits, unsigned int npad, unsigned char *out)
{
  if (!ndigits && !npad) return 0;
  if (ndigits + npad != 4) return -1;
  if (ndigits == 3)
  {
    if (acc & 0x3) return -1;
    out[0] = (unsigned char)(acc >> 10);
    out[1] = (unsigned char)(acc >> 2);
    return 2;
  }
  if (acc & 0xf) return -1;
  out[0] = (unsigned char)(acc >> 4);
  return 1;
}

/*
 * Decodes the base64 text at pos into out, up to the END line, which it
 * reads. *outlen is the count of bytes written, also on failure, so that
 * the caller can wipe them. An END line is only seen at the start of a
 * line; pos > 0 here, as a BEGIN line came first.
 */
static int pem_body (pem_reader *p, char const *label, unsigned char *out, size_t *outlen)
{
  unsigned char const *s = p->s;
  uint32_t acc = 0;
  unsigned int ndigits = 0, npad = 0;
  size_t n = 0, i = p->pos;
  int last;
  for (; i < p->len; i++)
  {
    unsigned int v = b64_class[s[i]];
    if (v < 64)
    {
      if (npad) break;
      acc = acc << 6 | v;
      if (++ndigits < 4) continue;
      out[n++] = (unsigned char)(acc >> 16);
      out[n++] = (unsigned char)(acc >> 8);
      out[n++] = (unsigned char)acc;
      acc = 0;
      ndigits = 0;
    }
    else if (v == B64_PAD)
    {
      if (ndigits < 2 || ndigits + ++npad > 4) break;
    }
    else if (v != B64_SPACE) break;
  }
  *outlen = n;
  if (i == p->len || s[i] != '-' || s[i - 1] != '\n') return UTLS_ERR_BADPEM;
  last = b64_last(acc, ndigits, npad, out + n);
  if (last < 0) return UTLS_ERR_BADPEM;
  *outlen = n + (size_t)last;
  p->pos = i;
  return end_line(p, label);
}

/*
 * Decoded bytes never outnumber 3/4 of the text, so one buffer of that
 * size holds any object. Each object's bytes are wiped once the callback
 * returns, or after a decoding error.
 */
int utlsp_load_pem (unsigned char const *data, size_t len, utlsp_pem_cb *cb, void *ctx)
{
  pem_reader p = { .s = data, .len = len, .pos = 0 };
  unsigned char *buf = malloc(len / 4 * 3 + 3);
  int r;
  if (!buf)
  {
    errno = ENOMEM;
    return -1;
  }
  for (;;)
  {
    char label[PEM_LABEL_MAX + 1];
    size_t n = 0;
    int found;
    r = next_begin(&p, label, &found);
    if (r || !found) break;
    r = pem_body(&p, label, buf, &n);
    if (!r) r = (*cb)(ctx, label, buf, n);
    byte_zzero((char *)buf, n);
    if (r) break;
  }
  free(buf);
  return r;
}
