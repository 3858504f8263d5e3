/* ISC license. */

/* Unit test: utls_pin_scan (the three pin forms of tlsc --pin). */

#include <stdio.h>
#include <string.h>
#include <utls/utls.h>

#define UNIT_NAME "pin"
#include "unit.h"

/* SHA-256 of "abc", as 32 bytes, base64 and hex. */
static unsigned char const want[32] =
{
  0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
  0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad
};
#define B64 "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
#define HEX "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void check (char const *s, int ok)
{
  unsigned char out[32];
  int r;
  memset(out, 0x55, sizeof out);
  r = utls_pin_scan(s, out);
  if (r != ok || (ok && memcmp(out, want, 32)))
    failf("utls_pin_scan(\"%s\") = %d, wanted %d%s", s, r, ok, r && ok ? " (wrong bytes)" : "");
}

int main (void)
{
  check("sha256//" B64, 1);
  check("SHA256:" HEX, 1);
  check("sha256:" HEX, 1);
  check(HEX, 1);
  check("SHA256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", 1);
  check("sha256//" "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0", 0);   /* no padding */
  check("sha256//" "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa1=", 0);  /* non-zero pad bits */
  check("sha256//" "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0==", 0); /* too long */
  check("sha256//" "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAF!0=", 0);  /* bad character */
  check("sha1//" B64, 0);
  check("", 0);
  check("SHA256:", 0);
  check(HEX "00", 0);
  check("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a", 0);
  check("xa7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 0);
  check("sha256//", 0);
  if (failures) return 1;
  return 0;
}
