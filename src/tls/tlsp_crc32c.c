/* ISC license. */

#include <stdint.h>

#include "proxy-internal.h"

/* Reflected Castagnoli polynomial; the table is built on first use. */
uint32_t tlsp_crc32c (uint32_t crc, unsigned char const *s, size_t len)
{
  static uint32_t table[256];
  static int ready = 0;
  if (!ready)
  {
    uint32_t i = 0;
    for (; i < 256; i++)
    {
      uint32_t c = i;
      unsigned int k = 0;
      for (; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
      table[i] = c;
    }
    ready = 1;
  }
  crc = ~crc;
  while (len--) crc = table[(crc ^ *s++) & 0xff] ^ (crc >> 8);
  return ~crc;
}
