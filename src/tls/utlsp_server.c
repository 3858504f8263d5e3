/* ISC license. */

#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include <bearssl.h>

#include <skalibs/strerr.h>
#include <skalibs/env.h>
#include <skalibs/posixplz.h>

#include "tls-internal.h"

/*
 * The server's TLS state. One connection per process, so it is static:
 * no allocation once the files are loaded.
 */

/*
 * The order is for memory: an idle connection keeps every page it ever
 * wrote to. GCC lays these out in reverse order, so the small variables
 * share the pages of sc, and entries[0] (the only entry without SNI)
 * starts right after ibuf instead of straddling two pages of its own.
 * Another compiler's layout costs a page or two, nothing else.
 */
static br_ssl_server_context sc;
static utls_policy policy;
static size_t nentries = 0;
static char const *entry_files[UTLS_SNI_MAX + 1][2];  /* CERTFILE, KEYFILE */
static utls_x509 xc;
static utls_anchors anchors = UTLS_ANCHORS_ZERO;
static utls_certentry entries[UTLS_SNI_MAX + 1];
static unsigned char ibuf[BR_SSL_BUFSIZE_INPUT];
static unsigned char obuf[BR_SSL_BUFSIZE_OUTPUT];

static void die_load (int r, char const *what, char const *file)
{
  if (r < 0) strerr_diefusys(UTLS_EXIT_CONFIG, "read ", what, " ", file);
  strerr_diefu(UTLS_EXIT_CONFIG, "use ", what, " ", file, ": ", utls_error_str(r));
}

static void load_entry (char const *name, char const *certfile, char const *keyfile)
{
  utls_certentry *e = entries + nentries;
  int r;
  if (nentries > UTLS_SNI_MAX) strerr_dief(UTLS_EXIT_USAGE, "too many SNI certificates (the limit is 64)");
  e->name = name;
  e->chain = (utls_chain)UTLS_CHAIN_ZERO;
  e->key = (utls_skey)UTLS_SKEY_ZERO;
  r = utls_chain_readfile(&e->chain, certfile);
  if (r) die_load(r, "certificate file", certfile);
  r = utls_skey_readfile(&e->key, keyfile);
  if (r) die_load(r, "key file", keyfile);
  /* The cheap check (key type, RSA modulus, EC curve): every connection
     pays for it. An EC key of the right curve but the wrong value is
     found when a handshake that used it fails (key_mismatch). */
  r = utls_skey_fits_chain(&e->key, &e->chain);
  if (r) strerr_dief(UTLS_EXIT_CONFIG, "key ", keyfile, " does not match certificate ", certfile, ": ", utls_error_str(r));
  entry_files[nentries][0] = certfile;
  entry_files[nentries][1] = keyfile;
  nentries++;
}

/* A host name, or "*." followed by one; what SNI can carry. */
static int sni_name_ok (char const *s)
{
  size_t i = 0, len = strlen(s);
  if (!len || len > UTLS_NAME_MAX) return 0;
  if (s[0] == '*') { if (s[1] != '.' || !s[2]) return 0; i = 2; }
  for (; s[i]; i++)
  {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
      return 0;
  }
  return 1;
}

/* Every CERTFILE:name=... with its KEYFILE:name. */
static void load_sni (void)
{
  static char keyvar[9 + UTLS_NAME_MAX + 2] = "KEYFILE:";
  char const *const *envp = (char const *const *)environ;
  for (; *envp; envp++)
  {
    char const *eq;
    char const *keyfile;
    char *name;
    size_t namelen;
    if (strncmp(*envp, "CERTFILE:", 9)) continue;
    eq = strchr(*envp, '=');
    if (!eq) continue;
    namelen = eq - *envp - 9;
    if (!namelen || namelen > UTLS_NAME_MAX) strerr_dief(UTLS_EXIT_USAGE, "invalid SNI variable: ", *envp);
    name = malloc(namelen + 1);
    if (!name) strerr_diefusys(UTLS_EXIT_SYS, "allocate memory");
    memcpy(name, *envp + 9, namelen);
    name[namelen] = 0;
    if (!sni_name_ok(name)) strerr_dief(UTLS_EXIT_USAGE, "invalid name in SNI variable: ", *envp);
    memcpy(keyvar + 8, name, namelen + 1);
    keyfile = getenv(keyvar);
    if (!keyfile) strerr_dief(UTLS_EXIT_USAGE, "CERTFILE:", name, " is set but ", keyvar, " is not");
    load_entry(name, eq + 1, keyfile);
  }
  /* The other way round: a key without its certificate is a mistake too. */
  for (envp = (char const *const *)environ; *envp; envp++)
  {
    char const *eq = strchr(*envp, '=');
    size_t namelen;
    if (strncmp(*envp, "KEYFILE:", 8) || !eq) continue;
    namelen = eq - *envp - 8;
    if (namelen > UTLS_NAME_MAX) strerr_dief(UTLS_EXIT_USAGE, "invalid SNI variable: ", *envp);
    memcpy(keyvar, "CERTFILE:", 9);
    memcpy(keyvar + 9, *envp + 8, namelen);
    keyvar[9 + namelen] = 0;
    if (!getenv(keyvar)) strerr_dief(UTLS_EXIT_USAGE, "KEYFILE:", keyvar + 9, " is set but ", keyvar, " is not");
    memcpy(keyvar, "KEYFILE:", 8);
  }
}

static void load_anchors (void)
{
  char const *cafile = getenv("CAFILE");
  char const *cadir = getenv("CADIR");
  int r;
  if (!cafile && !cadir) strerr_dief(UTLS_EXIT_USAGE, "client certificates (-Y or -y) need CAFILE or CADIR");
  if (cafile)
  {
    r = utls_anchors_readfile(&anchors, cafile);
    if (r) die_load(r, "CA file", cafile);
  }
  if (cadir)
  {
    r = utls_anchors_readdir(&anchors, cadir);
    if (r) die_load(r, "CA directory", cadir);
  }
}

static void load_all (utlsp_opts const *opts, unsigned int *snilevel)
{
  char const *certfile = getenv("CERTFILE");
  char const *keyfile = getenv("KEYFILE");
  if (!certfile != !keyfile)
    strerr_dief(UTLS_EXIT_USAGE, certfile ? "CERTFILE is set but KEYFILE is not" : "KEYFILE is set but CERTFILE is not");
  if (certfile) load_entry(0, certfile, keyfile);
  if (opts->snilevel) load_sni();
  *snilevel = opts->snilevel >= 0 ? (unsigned int)opts->snilevel : nentries > (certfile ? 1u : 0u) ? UTLS_SNI_FALLBACK : UTLS_SNI_OFF;
  if (!nentries || (*snilevel == UTLS_SNI_OFF && !certfile))
    strerr_dief(UTLS_EXIT_USAGE, "no certificate: set CERTFILE and KEYFILE (or CERTFILE:name and KEYFILE:name with -k 1 or -k 2)");
  if (opts->clientcert) load_anchors();
}

br_ssl_engine_context *utlsp_server_init (utlsp_opts const *opts)
{
  uint32_t flags = BR_OPT_ENFORCE_SERVER_PREFERENCES | BR_OPT_NO_RENEGOTIATION;
  unsigned int snilevel;
  load_all(opts, &snilevel);
  br_ssl_server_zero(&sc);
  utls_engine_algos(&sc.eng, 1);
  utls_policy_init(&policy, entries, nentries, snilevel);
  br_ssl_server_set_policy(&sc, &policy.vtable);
  br_ssl_engine_set_buffers_bidi(&sc.eng, ibuf, sizeof ibuf, obuf, sizeof obuf);
  if (opts->nalpn)
  {
    br_ssl_engine_set_protocol_names(&sc.eng, (char const **)opts->alpn, opts->nalpn);
    flags |= BR_OPT_FAIL_ON_ALPN_MISMATCH;
  }
  if (opts->clientcert)
  {
    utls_x509_init(&xc, anchors.tas, anchors.n, UTLS_X509_CLIENT_AUTH, 0);
    br_ssl_engine_set_x509(&sc.eng, &xc.vtable);
    br_ssl_server_set_trust_anchor_names_alt(&sc, anchors.tas, anchors.n);
    if (opts->clientcert == UTLSP_CLIENTCERT_OPTIONAL) flags |= BR_OPT_TOLERATE_NO_CLIENT_AUTH;
  }
  br_ssl_engine_set_all_flags(&sc.eng, flags);
  if (utls_engine_seed(&sc.eng) < 0) strerr_diefusys(UTLS_EXIT_SETUP, "get random bytes for the TLS engine");
  if (!br_ssl_server_reset(&sc))
    strerr_diefu(UTLS_EXIT_SETUP, "initialize the TLS engine: ", utls_error_str(br_ssl_engine_last_error(&sc.eng)));
  return &sc.eng;
}

void utlsp_server_wipe (void)
{
  utls_policy_wipe(&policy);
}

int utlsp_server_facts (utls_envblock *block, utlsp_opts const *opts)
{
  utls_envblock_add_session(block, &sc.eng, 0);
  if (!opts->clientcert || !xc.chain_seen)
  {
    if (opts->clientcert == UTLSP_CLIENTCERT_REQUIRED) return UTLS_ERR_NOCLIENTCERT;
    utls_envblock_add(block, "SSL_CLIENT_VERIFY", "NONE");
    return 0;
  }
  /* With -Y, BearSSL goes on after a chain it could not validate: such a
     certificate is refused here, only its absence is tolerated. */
  if (xc.err) return xc.err;
  utls_envblock_add(block, "SSL_CLIENT_VERIFY", "SUCCESS");
  return utls_envblock_add_peer(block, "SSL_CLIENT_", xc.ee, xc.ee_len);
}

/*
 * An EC key of the certificate's curve but another value is the one
 * mismatch the start-up check lets through (it would cost a scalar
 * multiplication on every connection). The signature in our first flight
 * then fails the client's check: when a handshake that had chosen a
 * certificate is refused by the client, its key is checked in full.
 */
static char const *key_mismatch (utls_engine const *e, int *failexit)
{
  size_t i;
  if (!policy.chosen) return 0;
  i = policy.chosen - entries;
  if (i >= nentries) return 0;
  return utlsp_key_mismatch(e, &entries[i].key, &entries[i].chain, entry_files[i][0], entry_files[i][1], failexit);
}

/* The engine's error, the key that did not match its certificate, or the
   SNI refusal with the name the client asked for. */
char const *utlsp_server_errstr (utls_engine const *e, int *failexit)
{
  static char buf[UTLS_NAME_MAX + 80];
  char const *name = br_ssl_engine_get_server_name(&sc.eng);
  char const *mismatch = key_mismatch(e, failexit);
  if (mismatch) return mismatch;
  if (!e->handshake_done && policy.refused_sni)
  {
    if (!name[0] || !sni_name_ok(name)) return "the client sent no usable server name (SNI), and -k 2 requires one";
    strcpy(buf, "no certificate for the server name the client asked for: ");
    strcat(buf, name);
    return buf;
  }
  /* The client's chain was refused: our validator knows the precise
     reason (SHA-1, short RSA key, Extended Key Usage...), BearSSL only
     has the code it was handed. */
  if (!e->handshake_done && xc.chain_seen && xc.err && e->err > BR_ERR_X509_OK && e->err <= BR_ERR_X509_NOT_TRUSTED)
    return utls_error_str(xc.err);
  return utlsp_engine_errstr(e);
}

utlsp_side const utlsp_server_side =
{
  .is_server = 1,
  .init = &utlsp_server_init,
  .facts = &utlsp_server_facts,
  .wipe = &utlsp_server_wipe,
  .errstr = &utlsp_server_errstr,
};
