/* ISC license. */

#include <string.h>
#include <strings.h>

#include <skalibs/fmtscan.h>

#include <utls/utls.h>

static int b64val (char c)
{
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* 32 bytes from 43 base64 characters and one '=' (curl's --pinnedpubkey form). */
static int scan_b64 (char const *s, unsigned char *out)
{
  unsigned int i = 0, o = 0;
  uint32_t acc = 0;
  int bits = 0;
  if (strlen(s) != 44 || s[43] != '=') return 0;
  for (; i < 43; i++)
  {
    int v = b64val(s[i]);
    if (v < 0) return 0;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8)
    {
      bits -= 8;
      out[o++] = (unsigned char)(acc >> bits);
    }
  }
  /* The two leftover bits must be zero in a canonical encoding. */
  return o == 32 && !(acc & ((1U << bits) - 1));
}

/*
 * A SHA-256 public key pin: "sha256//BASE64" (as curl writes it),
 * "SHA256:HEX" (as SSL_PEER_CERT_HASH is written) or 64 hex digits.
 * Returns 1 and fills out[32], or 0.
 */
int utls_pin_scan (char const *s, unsigned char *out)
{
  if (!strncmp(s, "sha256//", 8)) return scan_b64(s + 8, out);
  if (!strncasecmp(s, "sha256:", 7)) s += 7;
  if (strlen(s) != 64) return 0;
  return ucharn_scan(s, (char *)out, 32) == 64;
}
