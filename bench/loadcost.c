/* ISC license. */

/*
 * bench/loadcost.c: per-call cost of what tlsd and tlsc do once per
 * connection before the handshake (they run once per connection, so
 * "once per process" is "once per connection"). Links with libutls.a.
 *
 *   cc -O2 -Isrc/include -Isrc/libutls -o /tmp/loadcost bench/loadcost.c \
 *     libutls.a -Wl,-Bstatic -lbearssl -lskarnet -Wl,-Bdynamic
 *   taskset -c 0 /tmp/loadcost key CHAIN KEY N
 *   taskset -c 0 /tmp/loadcost anchors CAFILE ONECA.pem N
 *
 * key: utls_chain_readfile, utls_skey_readfile, utls_skey_matches_chain,
 * and the parts of the last (the X.509 decode of the end-entity
 * certificate; br_rsa_compute_modulus).
 * anchors: what tlsc does with CAFILE: the walk at start (no decoding),
 * the filtered load at handshake time (one wanted subject: ONECA's), and
 * for comparison the full decode of every certificate.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bearssl.h>
#include <utls/utls.h>
#include "load-internal.h"

static double now (void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int key (char const *chainfile, char const *keyfile, int n)
{
  utls_chain c = UTLS_CHAIN_ZERO;
  utls_skey k = UTLS_SKEY_ZERO;
  br_x509_decoder_context d;
  unsigned char m[512];
  double t0, t1, t2, t3, t4, t5;
  int i, r = 0;
  if (utls_chain_readfile(&c, chainfile) || utls_skey_readfile(&k, keyfile)) { fprintf(stderr, "loadcost: cannot load\n"); return 1; }
  t0 = now();
  for (i = 0; i < n; i++) { utls_chain c2 = UTLS_CHAIN_ZERO; r |= utls_chain_readfile(&c2, chainfile); utls_chain_free(&c2); }
  t1 = now();
  for (i = 0; i < n; i++) { utls_skey k2 = UTLS_SKEY_ZERO; r |= utls_skey_readfile(&k2, keyfile); utls_skey_wipe(&k2); }
  t2 = now();
  for (i = 0; i < n; i++) r |= utls_skey_matches_chain(&k, &c);
  t3 = now();
  for (i = 0; i < n; i++) r |= utlsp_load_x509(&d, c.certs[0].data, c.certs[0].data_len, 0, 0);
  t4 = now();
  if (k.type == BR_KEYTYPE_RSA)
    for (i = 0; i < n; i++) (*br_rsa_compute_modulus_get_default())(m, &k.key.rsa);
  t5 = now();
  printf("%s: chain_readfile %.1f us, skey_readfile %.1f us, skey_matches_chain %.1f us (of which EE x509 decode %.1f us, RSA modulus %.1f us) r=%d\n",
    keyfile, (t1 - t0) / n * 1e6, (t2 - t1) / n * 1e6, (t3 - t2) / n * 1e6, (t4 - t3) / n * 1e6, (t5 - t4) / n * 1e6, r);
  return 0;
}

static int anchors (char const *cafile, char const *onecafile, int n)
{
  utls_chain ca = UTLS_CHAIN_ZERO;
  utls_x509_info info;
  utls_der name;
  double t0, t1, t2, t3;
  size_t n1 = 0, n2 = 0, n3 = 0;
  int i, r = 0;
  if (utls_chain_readfile(&ca, onecafile) || utls_x509_parse(&info, ca.certs[0].data, ca.certs[0].data_len)) { fprintf(stderr, "loadcost: cannot load %s\n", onecafile); return 1; }
  name = info.subject;
  t0 = now();
  for (i = 0; i < n; i++) { utls_anchors a = UTLS_ANCHORS_ZERO; r |= utls_anchors_readfile_for(&a, cafile, 0, 0); n1 = a.n; utls_anchors_free(&a); }
  t1 = now();
  for (i = 0; i < n; i++) { utls_anchors a = UTLS_ANCHORS_ZERO; r |= utls_anchors_readfile_for(&a, cafile, &name, 1); n2 = a.n; utls_anchors_free(&a); }
  t2 = now();
  for (i = 0; i < n; i++) { utls_anchors a = UTLS_ANCHORS_ZERO; r |= utls_anchors_readfile(&a, cafile); n3 = a.n; utls_anchors_free(&a); }
  t3 = now();
  printf("%s: start walk %.0f us (%zu kept), handshake load for 1 subject %.0f us (%zu kept), full decode %.0f us (%zu anchors) r=%d\n",
    cafile, (t1 - t0) / n * 1e6, n1, (t2 - t1) / n * 1e6, n2, (t3 - t2) / n * 1e6, n3, r);
  return 0;
}

int main (int argc, char **argv)
{
  if (argc == 5 && !strcmp(argv[1], "key")) return key(argv[2], argv[3], atoi(argv[4]));
  if (argc == 5 && !strcmp(argv[1], "anchors")) return anchors(argv[2], argv[3], atoi(argv[4]));
  fprintf(stderr, "usage: loadcost key CHAIN KEY N | anchors CAFILE ONECA N\n");
  return 100;
}
