/* ISC license. */

#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <time.h>

#include <bearssl.h>

#include <skalibs/strerr.h>
#include <skalibs/env.h>
#include <skalibs/posixplz.h>
#include <skalibs/bytestr.h>

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
static utls_verifier verifier;
static utls_anchors anchors = UTLS_ANCHORS_ZERO;
static utls_certentry entries[UTLS_SNI_MAX + 1];
static unsigned char ibuf[BR_SSL_BUFSIZE_INPUT];
static unsigned char obuf[BR_SSL_BUFSIZE_OUTPUT];

/*
 * The session cache (TLS_SESSION_CACHE). BearSSL calls load() with the
 * session ID of the ClientHello, and save() at the end of a full
 * handshake; a session is resumed when load() found it and no full
 * handshake followed (BearSSL may still refuse a loaded session, e.g.
 * for a version the client no longer offers, and then saves a new one).
 * save() only keeps the parameters: the entry is written once the
 * handshake facts are known and accepted (server_facts), so that a
 * session whose client certificate we refused after BearSSL's own checks
 * (-Y) is never resumable.
 */
typedef struct sccache_s sccache;
struct sccache_s
{
  br_ssl_session_cache_class const *vtable;
};
static utls_sesscache cache = UTLS_SESSCACHE_ZERO;
static sccache scc;
static tlsp_opts const *sopts;
static unsigned char anchors_digest[32];
static utls_sessentry sent;        /* the entry loaded, then the one to store */
static br_ssl_session_parameters pending;
static int sess_loaded = 0;
static int sess_saved = 0;
static int pending_ok = 0;
static unsigned char pending_bind[32];

static void load_entry (char const *name, char const *certfile, char const *keyfile)
{
  utls_certentry *e = entries + nentries;
  int r;
  if (nentries > UTLS_SNI_MAX) strerr_dief(UTLS_EXIT_USAGE, "too many SNI certificates (the limit is 64)");
  e->name = name;
  e->chain = (utls_chain)UTLS_CHAIN_ZERO;
  e->key = (utls_skey)UTLS_SKEY_ZERO;
  r = utls_chain_readfile(&e->chain, certfile);
  if (r) tlsp_load_die(r, "certificate file", certfile);
  r = utls_skey_readfile(&e->key, keyfile);
  if (r) tlsp_load_die(r, "key file", keyfile);
  /* The cheap check (key type, RSA modulus, EC curve): every connection
     pays for it. An EC key of the right curve but the wrong value is
     found when a handshake that used it fails (key_mismatch). */
  r = utls_skey_fits_chain(&e->key, &e->chain);
  if (r) strerr_dief(UTLS_EXIT_CONFIG, "key ", keyfile, " does not match certificate ", certfile, ": ", utls_error_str(r));
  entry_files[nentries][0] = certfile;
  entry_files[nentries][1] = keyfile;
  nentries++;
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
    if (!utls_hostname_check(name, 1)) strerr_dief(UTLS_EXIT_USAGE, "invalid name in SNI variable: ", *envp);
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
    if (r) tlsp_load_die(r, "CA file", cafile);
  }
  if (cadir)
  {
    r = utls_anchors_readdir(&anchors, cadir);
    if (r) tlsp_load_die(r, "CA directory", cadir);
  }
}

static void load_all (tlsp_opts const *opts, unsigned int *snilevel)
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
  if (opts->clientcert != TLSP_CLIENTCERT_NONE) load_anchors();
}

/* The client-certificate trust, for the session's binding: a session
   made under other anchors is not resumed under these. */
static void digest_anchors (void)
{
  br_sha256_context h;
  size_t i;
  br_sha256_init(&h);
  for (i = 0; i < anchors.n; i++)
  {
    br_x509_trust_anchor const *ta = anchors.tas + i;
    unsigned char len[8];
    uint64_t l = ta->dn.len;
    unsigned int j;
    for (j = 0; j < 8; j++) len[j] = (unsigned char)(l >> (8 * j));
    br_sha256_update(&h, len, 8);
    br_sha256_update(&h, ta->dn.data, ta->dn.len);
    if (ta->pkey.key_type == BR_KEYTYPE_RSA)
    {
      br_sha256_update(&h, ta->pkey.key.rsa.n, ta->pkey.key.rsa.nlen);
      br_sha256_update(&h, ta->pkey.key.rsa.e, ta->pkey.key.rsa.elen);
    }
    else br_sha256_update(&h, ta->pkey.key.ec.q, ta->pkey.key.ec.qlen);
  }
  br_sha256_out(&h, anchors_digest);
}

/*
 * What a session is bound to: the certificate that served it (its
 * end-entity DER: a new CERTFILE at the same path is another binding),
 * the client-certificate mode (a session from -Y without a certificate
 * must never satisfy -y), and the anchors that checked the client.
 */
static void session_bind (utls_certentry const *ce, unsigned char *out)
{
  static char const tag[] = "ucspi-tls server session v1";
  br_sha256_context h;
  unsigned char mode = (unsigned char)sopts->clientcert;
  br_sha256_init(&h);
  br_sha256_update(&h, tag, sizeof tag);
  br_sha256_update(&h, &mode, 1);
  br_sha256_update(&h, anchors_digest, sizeof anchors_digest);
  br_sha256_update(&h, ce->chain.certs[0].data, ce->chain.certs[0].data_len);
  br_sha256_out(&h, out);
}

/*
 * BearSSL looks the session up as soon as it has read the session ID,
 * before the rest of the ClientHello: the server name is not known to
 * it yet. So the first bytes from the network are read here, before
 * the engine gets them (utls_engine's on_first_input), for the name the
 * ClientHello carries; a ClientHello that does not fit in the first
 * read is simply not resumed. server_facts checks afterwards that
 * BearSSL read the same name.
 */
static int peek_ok = 0;
static unsigned char peek_sid[32];
static char peek_name[256];

static void first_input (unsigned char const *buf, size_t len)
{
  size_t sidlen;
  peek_ok = utls_clienthello_peek(buf, len, peek_sid, &sidlen, peek_name) && sidlen == 32;
}

/*
 * The guards: the ClientHello was read (first_input) and has this
 * session ID; same SNI name; the certificate that name gets now, the
 * client-certificate mode and anchors are those of the session
 * (binding); TLS 1.2 and a suite we know. BearSSL itself then checks
 * that the client still offers the suite and the version.
 */
static int sc_load (br_ssl_session_cache_class const **ctx, br_ssl_server_context *server_ctx, br_ssl_session_parameters *params)
{
  utls_certentry const *ce;
  unsigned char bind[32];
  (void)ctx;
  (void)server_ctx;
  if (!peek_ok || memcmp(peek_sid, params->session_id, 32)) return 0;
  if (!utls_sesscache_fetch(&cache, UTLS_SC_SERVER, params->session_id, (int64_t)time(0), &sent))
  {
    tlsp_cache_note(&cache, sopts);
    return 0;
  }
  if (strcasecmp(peek_name, sent.name)) goto no;
  ce = utls_policy_pick(&policy, peek_name);
  if (!ce) goto no;
  session_bind(ce, bind);
  if (memcmp(bind, sent.bind, 32)) goto no;
  if (sent.params.version != BR_TLS12 || !utls_suite_find(sent.params.cipher_suite)) goto no;
  if (sent.params.session_id_len != 32 || memcmp(sent.params.session_id, params->session_id, 32)) goto no;
  if (sopts->clientcert == TLSP_CLIENTCERT_REQUIRED && (sent.factslen < 26 || memcmp(sent.facts, "SSL_CLIENT_VERIFY=SUCCESS", 26))) goto no;
  *params = sent.params;
  byte_zzero((char *)&sent.params, sizeof sent.params);
  sess_loaded = 1;
  return 1;
 no:
  byte_zzero((char *)&sent, sizeof sent);
  return 0;
}

/* policy.chosen is the certificate of this full handshake; it is gone
   once the keys are wiped, so the binding is computed now. */
static void sc_save (br_ssl_session_cache_class const **ctx, br_ssl_server_context *server_ctx, br_ssl_session_parameters const *params)
{
  (void)ctx;
  (void)server_ctx;
  sess_saved = 1;
  if (!policy.chosen) return;
  pending = *params;
  session_bind(policy.chosen, pending_bind);
  pending_ok = 1;
}

static br_ssl_session_cache_class const sc_class =
{
  .context_size = sizeof(sccache),
  .save = &sc_save,
  .load = &sc_load,
};

/* After a full handshake that we accepted: the entry, with the client
   facts the application got (from start in the block). */
static void session_store (utls_envblock const *block, size_t start)
{
  char const *name = br_ssl_engine_get_server_name(&sc.eng);
  size_t namelen = strlen(name);
  if (!pending_ok || block->overflow || block->len - start > UTLS_SC_FACTS_MAX || namelen > UTLS_NAME_MAX || pending.session_id_len != 32) return;
  byte_zzero((char *)&sent, sizeof sent);
  memcpy(sent.id, pending.session_id, 32);
  memcpy(sent.bind, pending_bind, 32);
  sent.params = pending;
  sent.created = (int64_t)time(0);
  memcpy(sent.name, name, namelen + 1);
  sent.factslen = block->len - start;
  memcpy(sent.facts, block->buf + start, sent.factslen);
  utls_sesscache_store(&cache, UTLS_SC_SERVER, &sent, sent.created);
  tlsp_cache_note(&cache, sopts);
}

static br_ssl_engine_context *server_init (tlsp_opts const *opts)
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
  if (opts->clientcert != TLSP_CLIENTCERT_NONE)
  {
    utls_verifier_init(&verifier, anchors.tas, anchors.n, UTLS_VERIFY_CLIENT_AUTH, 0, 0);
    br_ssl_engine_set_x509(&sc.eng, &verifier.vtable);
    br_ssl_server_set_trust_anchor_names_alt(&sc, anchors.tas, anchors.n);
    if (opts->clientcert == TLSP_CLIENTCERT_OPTIONAL) flags |= BR_OPT_TOLERATE_NO_CLIENT_AUTH;
  }
  br_ssl_engine_set_all_flags(&sc.eng, flags);
  sopts = opts;
  if (tlsp_cache_open(&cache, opts))
  {
    if (opts->clientcert != TLSP_CLIENTCERT_NONE) digest_anchors();
    scc.vtable = &sc_class;
    br_ssl_server_set_cache(&sc, &scc.vtable);
  }
  if (utls_engine_seed(&sc.eng) < 0) strerr_diefusys(UTLS_EXIT_SETUP, "get random bytes for the TLS engine");
  if (!br_ssl_server_reset(&sc))
    strerr_diefu(UTLS_EXIT_SETUP, "initialize the TLS engine: ", utls_error_str(br_ssl_engine_last_error(&sc.eng)));
  return &sc.eng;
}

/* The private keys. The handover calls this before the facts, so the
   session material waits for server_errstr, which every end of
   connection calls. */
static void server_wipe (void)
{
  utls_policy_wipe(&policy);
}

/* SSL_CLIENT_VERIFY and the client certificate's facts. */
static int client_facts (utls_envblock *block, tlsp_opts const *opts)
{
  if (opts->clientcert == TLSP_CLIENTCERT_NONE || !verifier.chain_seen)
  {
    if (opts->clientcert == TLSP_CLIENTCERT_REQUIRED) return UTLS_ERR_NOCLIENTCERT;
    utls_envblock_add(block, "SSL_CLIENT_VERIFY", "NONE");
    return 0;
  }
  /* With -Y, BearSSL goes on after a chain it could not validate: such a
     certificate is refused here, only its absence is tolerated. */
  if (verifier.err) return verifier.err;
  utls_envblock_add(block, "SSL_CLIENT_VERIFY", "SUCCESS");
  return utls_envblock_add_peer(block, "SSL_CLIENT_", verifier.ee, verifier.ee_len);
}

/* A resumed session gets the client facts of its full handshake, as
   they were stored: no certificate is sent again on resumption. */
static int server_facts (utls_envblock *block, tlsp_opts const *opts)
{
  int resumed = sess_loaded && !sess_saved;
  size_t start;
  int r;
  utls_envblock_add_session(block, &sc.eng, 0, resumed);
  if (resumed)
  {
    if (strcasecmp(br_ssl_engine_get_server_name(&sc.eng), sent.name)) return UTLS_ERR_RESUMENAME;
    r = tlsp_block_append(block, sent.facts, sent.factslen) ? 0 : UTLS_ERR_ENVFULL;
    byte_zzero((char *)&sent, sizeof sent);
    return r;
  }
  start = block->len;
  r = client_facts(block, opts);
  if (!r && sess_saved && utls_sesscache_ready(&cache)) session_store(block, start);
  byte_zzero((char *)&pending, sizeof pending);
  byte_zzero((char *)&sent, sizeof sent);
  return r;
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
  return tlsp_key_mismatch(e, &entries[i].key, &entries[i].chain, entry_files[i][0], entry_files[i][1], failexit);
}

/* The engine's error, the key that did not match its certificate, or the
   SNI refusal with the name the client asked for. */
static char const *server_errstr (utls_engine const *e, int *failexit)
{
  static char buf[UTLS_NAME_MAX + 80];
  char const *name = br_ssl_engine_get_server_name(&sc.eng);
  char const *mismatch = key_mismatch(e, failexit);
  byte_zzero((char *)&pending, sizeof pending);
  byte_zzero((char *)&sent, sizeof sent);
  if (mismatch) return mismatch;
  if (!e->handshake_done && policy.refused_sni)
  {
    if (!name[0] || !utls_hostname_check(name, 1)) return "the client sent no usable server name (SNI), and -k 2 requires one";
    strcpy(buf, "no certificate for the server name the client asked for: ");
    strcat(buf, name);
    return buf;
  }
  /* The client's chain was refused: our validator knows the precise
     reason (SHA-1, short RSA key, Extended Key Usage...), BearSSL only
     has the code it was handed. */
  if (!e->handshake_done && verifier.chain_seen && verifier.err && e->err > BR_ERR_X509_OK && e->err <= BR_ERR_X509_NOT_TRUSTED)
    return utls_error_str(verifier.err);
  return tlsp_engine_errstr(e);
}

tlsp_side const tlsp_server_side =
{
  .is_server = 1,
  .init = &server_init,
  .facts = &server_facts,
  .wipe = &server_wipe,
  .errstr = &server_errstr,
  .first_input = &first_input,
};
