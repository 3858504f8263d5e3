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
 * key: utls_chain_readfile, utls_skey_readfile, utls_skey_fits_chain
 * (the per-connection check), utls_skey_matches_chain (the full one), and
 * for reference what they no longer do per call: br_x509_decoder on the
 * end-entity certificate, br_skey_decoder on the key (DER keys only); and
 * br_rsa_compute_modulus, which both checks do for RSA.
 * anchors: what tlsc does with CAFILE per connection: utls_cabundle_readfile
 * at start (out of PEM, no X.509 decoding), utls_cabundle_select at
 * handshake time (one wanted subject: ONECA's), each also alone; and for
 * comparison the two walks tlsc made before (utls_anchors_readfile_for
 * without names, then with ONECA's subject) and the full decode of every
 * certificate.
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

/* us per br_skey_decoder run on a DER key file, as utls_skey_readfile used to do; -1 if PEM. */
static double skey_decoder_cost (char const *keyfile, int n)
{
  static unsigned char buf[UTLS_KEYFILE_MAX];
  br_skey_decoder_context d;
  double t0;
  size_t len;
  int i;
  FILE *f = fopen(keyfile, "rb");
  if (!f) return -1;
  len = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  if (utlsp_load_ispem(buf, len)) return -1;
  t0 = now();
  for (i = 0; i < n; i++)
  {
    br_skey_decoder_init(&d);
    br_skey_decoder_push(&d, buf, len);
  }
  return (now() - t0) / n * 1e6;
}

static int key (char const *chainfile, char const *keyfile, int n)
{
  utls_chain c = UTLS_CHAIN_ZERO;
  utls_skey k = UTLS_SKEY_ZERO;
  br_x509_decoder_context d;
  unsigned char m[512];
  double t0, t1, t2, t3, t4, t5, t6, skey_decoder;
  char skey_decoder_str[32] = "n/a (PEM)";
  int i, r = 0;
  if (utls_chain_readfile(&c, chainfile) || utls_skey_readfile(&k, keyfile)) { fprintf(stderr, "loadcost: cannot load\n"); return 1; }
  t0 = now();
  for (i = 0; i < n; i++) { utls_chain c2 = UTLS_CHAIN_ZERO; r |= utls_chain_readfile(&c2, chainfile); utls_chain_free(&c2); }
  t1 = now();
  for (i = 0; i < n; i++) { utls_skey k2 = UTLS_SKEY_ZERO; r |= utls_skey_readfile(&k2, keyfile); utls_skey_wipe(&k2); }
  t2 = now();
  for (i = 0; i < n; i++) r |= utls_skey_fits_chain(&k, &c);
  t3 = now();
  for (i = 0; i < n; i++) r |= utls_skey_matches_chain(&k, &c);
  t4 = now();
  for (i = 0; i < n; i++) r |= utlsp_load_x509(&d, c.certs[0].data, c.certs[0].data_len, 0, 0);
  t5 = now();
  if (k.type == BR_KEYTYPE_RSA)
    for (i = 0; i < n; i++) (*br_rsa_compute_modulus_get_default())(m, &k.key.rsa);
  t6 = now();
  skey_decoder = skey_decoder_cost(keyfile, n);
  if (skey_decoder >= 0) snprintf(skey_decoder_str, sizeof(skey_decoder_str), "%.1f us", skey_decoder);
  printf("%s: chain_readfile %.1f us, skey_readfile %.1f us, skey_fits_chain %.1f us, skey_matches_chain %.1f us"
    " (for reference: EE x509 decode %.1f us, br_skey_decoder %s, RSA modulus %.1f us) r=%d\n",
    keyfile, (t1 - t0) / n * 1e6, (t2 - t1) / n * 1e6, (t3 - t2) / n * 1e6, (t4 - t3) / n * 1e6,
    (t5 - t4) / n * 1e6, skey_decoder_str, (t6 - t5) / n * 1e6, r);
  utls_skey_wipe(&k);
  utls_chain_free(&c);
  return 0;
}

static int anchors (char const *cafile, char const *onecafile, int n)
{
  utls_chain ca = UTLS_CHAIN_ZERO;
  utls_x509_info info;
  utls_der name;
  double t0, t1, t2, t3, t4, t5, t6;
  size_t n1 = 0, n2 = 0, n3 = 0, n4 = 0, n5 = 0;
  int i, r = 0;
  if (utls_chain_readfile(&ca, onecafile) || utls_x509_parse(&info, ca.certs[0].data, ca.certs[0].data_len)) { fprintf(stderr, "loadcost: cannot load %s\n", onecafile); return 1; }
  name = info.subject;
  t0 = now();
  for (i = 0; i < n; i++)
  {
    utls_cabundle b = UTLS_CABUNDLE_ZERO;
    utls_anchors a = UTLS_ANCHORS_ZERO;
    r |= utls_cabundle_readfile(&b, cafile);
    n1 = b.n;
    r |= utls_cabundle_select(&a, &b, &name, 1);
    n2 = a.n;
    utls_cabundle_free(&b);
    utls_anchors_free(&a);
  }
  t1 = now();
  for (i = 0; i < n; i++) { utls_cabundle b = UTLS_CABUNDLE_ZERO; r |= utls_cabundle_readfile(&b, cafile); utls_cabundle_free(&b); }
  t2 = now();
  {
    utls_cabundle b = UTLS_CABUNDLE_ZERO;
    r |= utls_cabundle_readfile(&b, cafile);
    for (i = 0; i < n; i++) { utls_anchors a = UTLS_ANCHORS_ZERO; r |= utls_cabundle_select(&a, &b, &name, 1); utls_anchors_free(&a); }
    utls_cabundle_free(&b);
  }
  t3 = now();
  for (i = 0; i < n; i++) { utls_anchors a = UTLS_ANCHORS_ZERO; r |= utls_anchors_readfile_for(&a, cafile, 0, 0); n3 = a.n; utls_anchors_free(&a); }
  t4 = now();
  for (i = 0; i < n; i++) { utls_anchors a = UTLS_ANCHORS_ZERO; r |= utls_anchors_readfile_for(&a, cafile, &name, 1); n4 = a.n; utls_anchors_free(&a); }
  t5 = now();
  for (i = 0; i < n; i++) { utls_anchors a = UTLS_ANCHORS_ZERO; r |= utls_anchors_readfile(&a, cafile); n5 = a.n; utls_anchors_free(&a); }
  t6 = now();
  printf("%s: per connection %.0f us (%zu certificates, %zu anchors for 1 subject): read at start %.0f us + select at handshake %.0f us\n",
    cafile, (t1 - t0) / n * 1e6, n1, n2, (t2 - t1) / n * 1e6, (t3 - t2) / n * 1e6);
  printf("%s: for comparison, two walks (before R5): %.0f us (%zu kept) + %.0f us (%zu kept); full decode %.0f us (%zu anchors) r=%d\n",
    cafile, (t4 - t3) / n * 1e6, n3, (t5 - t4) / n * 1e6, n4, (t6 - t5) / n * 1e6, n5, r);
  return 0;
}

int main (int argc, char **argv)
{
  if (argc == 5 && !strcmp(argv[1], "key")) return key(argv[2], argv[3], atoi(argv[4]));
  if (argc == 5 && !strcmp(argv[1], "anchors")) return anchors(argv[2], argv[3], atoi(argv[4]));
  fprintf(stderr, "usage: loadcost key CHAIN KEY N | anchors CAFILE ONECA N\n");
  return 100;
}
