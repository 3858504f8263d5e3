/* ISC license. */

/*
 * A peer certificate, as the engines see it: utls_x509_parse, every
 * SubjectAltName (utls_x509_san_next), its Extended Key Usage bits,
 * utls_dn_format and utls_dn_attr on its Names, and
 * utls_envblock_add_peer, whose block must still be well formed for the
 * application (tlsp_block_valid). Then utlsp_eku_scan on the raw input
 * as an extension value, and utls_dn_format and utls_dn_attr on it as a
 * Name, into output buffers of every small size, allocated to the byte
 * so that AddressSanitizer sees one byte too many.
 */

#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <utls/utls.h>
#include "der-internal.h"
#include "tls-internal.h"
#include "fuzz-common.h"

static unsigned char const oid_email[9] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 };

static void within (utls_der const *d, uint8_t const *data, size_t size)
{
  FUZZ_ASSERT(d->len == 0 || (d->s >= data && d->s + d->len <= data + size));
}

/* Formats name into a buffer of exactly max bytes; checks the result. */
static void format_exact (unsigned char const *name, size_t len, size_t max, int attr, unsigned char const *oid, size_t oidlen)
{
  char *out = malloc(max ? max : 1);
  size_t n;
  FUZZ_ASSERT(out);
  n = attr ? utls_dn_attr(max ? out : 0, max, name, len, oid, oidlen) : utls_dn_format(max ? out : 0, max, name, len);
  if (max)
  {
    FUZZ_ASSERT(n < max);
    if (n) FUZZ_ASSERT(out[n] == 0 && strlen(out) == n);
  }
  else FUZZ_ASSERT(!n);
  free(out);
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static utls_envblock block;
  utls_x509_info info;
  char buf[4096];
  if (!utls_x509_parse(&info, data, size))
  {
    size_t pos = 0;
    unsigned int type, count = 0;
    utls_der v;
    int r;
    within(&info.serial, data, size);
    within(&info.issuer, data, size);
    within(&info.subject, data, size);
    within(&info.spki, data, size);
    within(&info.san, data, size);
    within(&info.sigalg, data, size);
    FUZZ_ASSERT(!(info.eku & ~(unsigned int)(UTLS_EKU_PRESENT | UTLS_EKU_SERVER | UTLS_EKU_CLIENT | UTLS_EKU_ANY)));
    FUZZ_ASSERT(!info.eku || (info.eku & UTLS_EKU_PRESENT));
    if (!(info.eku & UTLS_EKU_PRESENT))
      FUZZ_ASSERT(utls_x509_eku_allows(&info, UTLS_EKU_SERVER) && utls_x509_eku_allows(&info, UTLS_EKU_CLIENT));
    while ((r = utls_x509_san_next(&info, &pos, &type, &v)) == 1)
    {
      FUZZ_ASSERT(++count <= size);
      within(&v, data, size);
      if (type == 2 && v.len) (void)utls_hostname_match((char const *)v.s, v.len, "a.wild.test");
    }
    FUZZ_ASSERT(r == 0 || r == -1);
    (void)utls_dn_format(buf, sizeof buf, info.subject.s, info.subject.len);
    (void)utls_dn_format(buf, sizeof buf, info.issuer.s, info.issuer.len);
    (void)utls_dn_attr(buf, sizeof buf, info.subject.s, info.subject.len, (unsigned char const *)UTLS_OID_CN, UTLS_OID_CN_LEN);
    (void)utls_dn_attr(buf, sizeof buf, info.subject.s, info.subject.len, oid_email, sizeof oid_email);
  }

  block.len = 0;
  block.overflow = 0;
  utls_envblock_add(&block, "SSL_PROTOCOL", "TLSv1.2");
  if (!utls_envblock_add_peer(&block, "SSL_CLIENT_", data, size) && utls_envblock_finish(&block))
    FUZZ_ASSERT(tlsp_block_valid(&block));

  /* The raw input as an Extended Key Usage value: what is read is well formed. */
  {
    utls_der value = { .s = data, .len = size };
    unsigned int eku = 0;
    if (utlsp_eku_scan(&value, &eku)) FUZZ_ASSERT((eku & UTLS_EKU_PRESENT) && size >= 4 && data[0] == 0x30);
    else FUZZ_ASSERT(!eku);
  }

  /* The raw input as a Name. */
  if (size)
  {
    size_t max = data[0] % 80;
    format_exact(data + 1, size - 1, max, 0, 0, 0);
    format_exact(data + 1, size - 1, max, 1, (unsigned char const *)UTLS_OID_CN, UTLS_OID_CN_LEN);
    format_exact(data + 1, size - 1, max, 1, oid_email, sizeof oid_email);
    format_exact(data + 1, size - 1, 4096, 0, 0, 0);
  }
  return 0;
}
