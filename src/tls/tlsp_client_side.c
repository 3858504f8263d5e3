/* ISC license. */

#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include <bearssl.h>

#include <skalibs/strerr.h>
#include <skalibs/bytestr.h>

#include <utls/config.h>

#include "tls-internal.h"

/*
 * The client's TLS state, static like the server's: one connection per
 * process, no allocation after the files are loaded.
 */

static br_ssl_client_context cc;
static utls_verifier verifier;
static utls_anchors anchors = UTLS_ANCHORS_ZERO;
static utls_chain chain = UTLS_CHAIN_ZERO;
static utls_skey key = UTLS_SKEY_ZERO;
static char const *ccfiles[2] = { 0, 0 };  /* CERTFILE, KEYFILE of -y */
static unsigned char ibuf[BR_SSL_BUFSIZE_INPUT];
static unsigned char obuf[BR_SSL_BUFSIZE_OUTPUT];
static char const *verify_name = 0;
static unsigned char pin[32];    /* --pin: SHA-256 of the server's SubjectPublicKeyInfo */

/*
 * The session cache (TLS_SESSION_CACHE). BearSSL does not check the
 * server's chain again on resumption: a session may only be offered to
 * the server that was verified when it was made. So an entry's key is a
 * digest of everything that verification depended on: the name checked
 * (-k or the address), the address and port connected to, the trust
 * settings (CAFILE/CADIR, by path and file identity, or the --pin), and
 * the client certificate sent (-y). Sessions are only stored after a
 * verified handshake, never with --insecure-no-verify, and with the
 * SSL_SERVER_* facts of that handshake, which a resumed connection gets
 * back (the server sends no certificate then).
 */
static utls_sesscache cache = UTLS_SESSCACHE_ZERO;
static unsigned char cache_id[32];
static utls_sessentry cent;
static int sess_offered = 0;

static int is_ip (char const *s)
{
  unsigned char buf[16];
  return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/*
 * Trust anchors are decoded when the server's chain has arrived, and
 * only those whose subject is an issuer in that chain: a system store
 * holds ~150 CAs and decoding them all would cost more than the
 * handshake. CAFILE is read once, at start, into a bundle (certificates
 * out of their PEM, with their subjects), so that a bad file is reported
 * as a configuration error (96) before any handshake, and the anchors
 * are then picked from memory. CADIR is only checked at start and read
 * at handshake time.
 */
static char const *cafile = 0;
static char const *cadir = 0;
static utls_cabundle cabundle = UTLS_CABUNDLE_ZERO;
static int anchor_code = 0;     /* why the anchors could not be read at handshake time */
static int anchor_err = 0;

/* Called once per connection (no renegotiation): the bundle is freed after use. */
static int anchors_for_chain (void *data, utls_der const *names, size_t nnames, br_x509_trust_anchor const **tas, size_t *ntas)
{
  int r = 0;
  (void)data;
  utls_anchors_free(&anchors);
  if (cafile) r = utls_cabundle_select(&anchors, &cabundle, names, nnames);
  if (!r && cadir) r = utls_anchors_readdir_for(&anchors, cadir, names, nnames);
  if (r)
  {
    anchor_err = r < 0 ? errno : 0;
    anchor_code = r;
  }
  utls_cabundle_free(&cabundle);
  if (r) return BR_ERR_X509_NOT_TRUSTED;
  *tas = anchors.tas;
  *ntas = anchors.n;
  return 0;
}

/* A CA file that holds no certificate is an error now, not an untrusted server later. */
static void check_anchors (void)
{
  int r;
  cafile = getenv("CAFILE");
  cadir = getenv("CADIR");
  if (!cafile && !cadir) cafile = UTLS_SYSTEM_CAFILE;
  if (cafile)
  {
    r = utls_cabundle_readfile(&cabundle, cafile);
    if (r) tlsp_load_die(r, "CA file", cafile);
  }
  if (cadir && access(cadir, R_OK | X_OK) < 0) strerr_diefusys(UTLS_EXIT_CONFIG, "read CA directory ", cadir);
}

static void load_clientcert (void)
{
  char const *certfile = getenv("CERTFILE");
  char const *keyfile = getenv("KEYFILE");
  int r;
  if (!certfile || !keyfile) strerr_dief(UTLS_EXIT_USAGE, "a client certificate (-y) needs CERTFILE and KEYFILE");
  r = utls_chain_readfile(&chain, certfile);
  if (r) tlsp_load_die(r, "certificate file", certfile);
  r = utls_skey_readfile(&key, keyfile);
  if (r) tlsp_load_die(r, "key file", keyfile);
  /* Key type, RSA modulus, EC curve; an EC key of the right curve but
     the wrong value is found if the handshake fails (key_mismatch). */
  r = utls_skey_fits_chain(&key, &chain);
  if (r) strerr_dief(UTLS_EXIT_CONFIG, "key ", keyfile, " does not match certificate ", certfile, ": ", utls_error_str(r));
  ccfiles[0] = certfile;
  ccfiles[1] = keyfile;
  if (key.type == BR_KEYTYPE_RSA)
    br_ssl_client_set_single_rsa(&cc, chain.certs, chain.ncerts, &key.key.rsa, br_rsa_pkcs1_sign_get_default());
  else
    br_ssl_client_set_single_ec(&cc, chain.certs, chain.ncerts, &key.key.ec, BR_KEYTYPE_SIGN, 0, br_ec_get_default(), br_ecdsa_sign_asn1_get_default());
}

static void id_str (br_sha256_context *h, char const *s)
{
  br_sha256_update(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* A file's identity: a new or changed CAFILE (or a file added to or
   removed from CADIR, which changes the directory) is other trust. */
static void id_file (br_sha256_context *h, char const *path)
{
  struct stat st;
  uint64_t v[5];
  unsigned char b[40];
  unsigned int i, j;
  id_str(h, path);
  if (!path) return;
  memset(&st, 0, sizeof st);
  if (stat(path, &st) < 0) memset(&st, 0xff, sizeof st);
  v[0] = st.st_dev; v[1] = st.st_ino; v[2] = st.st_size;
  v[3] = st.st_mtim.tv_sec; v[4] = st.st_mtim.tv_nsec;
  for (i = 0; i < 5; i++) for (j = 0; j < 8; j++) b[8 * i + j] = (unsigned char)(v[i] >> (8 * j));
  br_sha256_update(h, b, sizeof b);
}

static void make_cache_id (tlsp_opts const *opts)
{
  static char const tag[] = "ucspi-tls client session v1";
  br_sha256_context h;
  unsigned char mode = opts->pin ? 1 : 0;
  br_sha256_init(&h);
  br_sha256_update(&h, tag, sizeof tag);
  id_str(&h, verify_name);
  id_str(&h, getenv("TCPREMOTEIP"));
  id_str(&h, getenv("TCPREMOTEPORT"));
  br_sha256_update(&h, &mode, 1);
  if (opts->pin) br_sha256_update(&h, pin, 32);
  else
  {
    id_file(&h, cafile);
    id_file(&h, cadir);
  }
  mode = opts->clientcert == TLSP_CLIENTCERT_SEND ? 1 : 0;
  br_sha256_update(&h, &mode, 1);
  if (opts->clientcert == TLSP_CLIENTCERT_SEND && chain.ncerts) br_sha256_update(&h, chain.certs[0].data, chain.certs[0].data_len);
  br_sha256_out(&h, cache_id);
}

/* Offers the stored session for this server, if there is one. */
static int cache_offer (tlsp_opts const *opts)
{
  if (opts->insecure || !tlsp_cache_open(&cache, opts)) return 0;
  make_cache_id(opts);
  if (!utls_sesscache_fetch(&cache, UTLS_SC_CLIENT, cache_id, (int64_t)time(0), &cent))
  {
    tlsp_cache_note(&cache, opts);
    return 0;
  }
  if (cent.params.version != BR_TLS12 || !utls_suite_find(cent.params.cipher_suite) || cent.params.session_id_len != 32)
  {
    byte_zzero((char *)&cent, sizeof cent);
    return 0;
  }
  br_ssl_engine_set_session_parameters(&cc.eng, &cent.params);
  byte_zzero((char *)cent.params.master_secret, sizeof cent.params.master_secret);
  sess_offered = 1;
  return 1;
}

/* Name to verify: -k, else the address tcpclient connected to. */
static char const *pick_name (tlsp_opts const *opts)
{
  char const *ip;
  if (opts->name) return opts->name;
  ip = getenv("TCPREMOTEIP");
  if (ip && is_ip(ip)) return ip;
  if (opts->insecure || opts->pin) return 0;
  strerr_dief(UTLS_EXIT_USAGE, "no server name to verify: use -k name");
}

static br_ssl_engine_context *client_init (tlsp_opts const *opts)
{
  uint32_t flags = BR_OPT_NO_RENEGOTIATION;
  uint32_t xflags = 0;
  char const *sni;
  verify_name = pick_name(opts);
  br_ssl_client_zero(&cc);
  utls_engine_algos(&cc.eng, 0);
  if (opts->pin)
  {
    if (!utls_pin_scan(opts->pin, pin))
      strerr_dief(UTLS_EXIT_USAGE, "invalid --pin value (want sha256//BASE64 or SHA256:HEX): ", opts->pin);
    xflags |= UTLS_VERIFY_PIN;
  }
  else if (opts->insecure) xflags |= UTLS_VERIFY_INSECURE;
  else check_anchors();
  /* xflags only holds a mode (pin, insecure) here; the peer is a server */
  utls_verifier_init(&verifier, 0, 0, xflags | UTLS_VERIFY_SERVER_AUTH, (xflags ? 0 : verify_name), opts->pin ? pin : 0);
  if (!xflags) utls_verifier_defer_anchors(&verifier, &anchors_for_chain, 0);
  br_ssl_engine_set_x509(&cc.eng, &verifier.vtable);
  if (opts->clientcert == TLSP_CLIENTCERT_SEND) load_clientcert();
  br_ssl_engine_set_buffers_bidi(&cc.eng, ibuf, sizeof ibuf, obuf, sizeof obuf);
  if (opts->nalpn)
  {
    br_ssl_engine_set_protocol_names(&cc.eng, (char const **)opts->alpn, opts->nalpn);
    flags |= BR_OPT_FAIL_ON_ALPN_MISMATCH;
  }
  br_ssl_engine_set_all_flags(&cc.eng, flags);
  if (utls_engine_seed(&cc.eng) < 0) strerr_diefusys(UTLS_EXIT_SETUP, "get random bytes for the TLS engine");
  /* No SNI for an address: RFC 6066 forbids literal IPs in server_name. */
  sni = verify_name && !is_ip(verify_name) ? verify_name : 0;
  if (!br_ssl_client_reset(&cc, sni, cache_offer(opts)))
    strerr_diefu(UTLS_EXIT_SETUP, "initialize the TLS engine: ", utls_error_str(br_ssl_engine_last_error(&cc.eng)));
  return &cc.eng;
}

static void client_wipe (void)
{
  utls_skey_wipe(&key);
}

/* After a full handshake that verified the server: the entry, with the
   server facts the application got (from start in the block). */
static void cache_store (br_ssl_session_parameters const *sp, utls_envblock const *block, size_t start, tlsp_opts const *opts)
{
  if (block->overflow || block->len - start > UTLS_SC_FACTS_MAX || sp->session_id_len != 32) return;
  byte_zzero((char *)&cent, sizeof cent);
  memcpy(cent.id, cache_id, 32);
  memcpy(cent.bind, cache_id, 32);
  cent.params = *sp;
  cent.created = (int64_t)time(0);
  cent.factslen = block->len - start;
  memcpy(cent.facts, block->buf + start, cent.factslen);
  utls_sesscache_store(&cache, UTLS_SC_CLIENT, &cent, cent.created);
  tlsp_cache_note(&cache, opts);
  byte_zzero((char *)&cent, sizeof cent);
}

/*
 * A session is resumed when the server accepted the one we offered: its
 * ServerHello then carries the same session ID (RFC 5246 7.4.1.3), and
 * BearSSL goes on with the abbreviated handshake.
 */
static int client_facts (utls_envblock *block, tlsp_opts const *opts)
{
  char const *sni = verify_name && !is_ip(verify_name) ? verify_name : 0;
  br_ssl_session_parameters sp;
  int resumed;
  size_t start;
  int r;
  if (opts->insecure)
    strerr_warnw("server certificate NOT verified (--insecure-no-verify): this connection can be intercepted");
  br_ssl_engine_get_session_parameters(&cc.eng, &sp);
  resumed = sess_offered && sp.session_id_len == 32 && !memcmp(sp.session_id, cent.params.session_id, 32);
  utls_envblock_add_session(block, &cc.eng, sni, resumed);
  if (resumed)
  {
    r = tlsp_block_append(block, cent.facts, cent.factslen) ? 0 : UTLS_ERR_ENVFULL;
    byte_zzero((char *)&sp, sizeof sp);
    byte_zzero((char *)&cent, sizeof cent);
    return r;
  }
  start = block->len;
  r = utls_envblock_add_peer(block, "SSL_SERVER_", verifier.ee, verifier.ee_len);
  if (!r && utls_sesscache_ready(&cache) && !opts->insecure && verifier.chain_seen && !verifier.err) cache_store(&sp, block, start, opts);
  byte_zzero((char *)&sp, sizeof sp);
  byte_zzero((char *)&cent, sizeof cent);
  return r;
}

static void append (char *buf, size_t max, char const *s)
{
  size_t l = strlen(buf), n = strlen(s);
  if (l + n + 1 > max) return;
  memcpy(buf + l, s, n + 1);
}

/* Appends "y, z" (the names the captured certificate is for) to buf. */
static void mismatch_detail (char *buf, size_t max)
{
  utls_x509_info info;
  utls_certname cn = UTLS_CERTNAME_ZERO;
  int n = 0;
  if (utls_x509_parse(&info, verifier.ee, verifier.ee_len)) return;
  while (utls_x509_name_next(&info, &cn))
  {
    char one[UTLS_NAME_MAX + 1];
    if (cn.type == UTLS_CERTNAME_CN)
    {
      /* Shown even when a SubjectAltName made it not count. */
      append(buf, max, "only CN ");
      append(buf, max, cn.cn);
      return;
    }
    if (cn.type == UTLS_CERTNAME_DNS)
    {
      size_t i, l = cn.value.len < sizeof one - 1 ? cn.value.len : sizeof one - 1;
      /* Names from the peer: printable ASCII only in our messages. */
      for (i = 0; i < l; i++) one[i] = (cn.value.s[i] > 0x20 && cn.value.s[i] < 0x7f) ? (char)cn.value.s[i] : '?';
      one[l] = 0;
    }
    else if (!inet_ntop(cn.value.len == 4 ? AF_INET : AF_INET6, cn.value.s, one, sizeof one)) continue;
    if (n++) append(buf, max, ", ");
    append(buf, max, one);
  }
  if (!n) append(buf, max, "no name");
}

/* With -y, an EC key of the right curve but another value passes the
   start-up check; if the server then refused the handshake, after we
   had accepted its chain, the key is checked in full (load_clientcert). */
static char const *key_mismatch (utls_engine const *e, int *failexit)
{
  if (!ccfiles[0] || !verifier.chain_seen || verifier.err) return 0;
  return tlsp_key_mismatch(e, &key, &chain, ccfiles[0], ccfiles[1], failexit);
}

/* The reason the handshake failed, with details BearSSL cannot give. */
static char const *client_errstr (utls_engine const *e, int *failexit)
{
  static char buf[2048];
  char const *mismatch = key_mismatch(e, failexit);
  if (mismatch) return mismatch;
  buf[0] = 0;
  if (verifier.err == UTLS_ERR_NAMEMISMATCH)
  {
    append(buf, sizeof buf, "host name mismatch: wanted ");
    append(buf, sizeof buf, verify_name);
    append(buf, sizeof buf, ", certificate has ");
    mismatch_detail(buf, sizeof buf);
    return buf;
  }
  if (verifier.err == BR_ERR_X509_EXPIRED && verifier.ee_len)
  {
    utls_x509_info info;
    int64_t now = (int64_t)time(0);
    char date[64];
    if (!utls_x509_parse(&info, verifier.ee, verifier.ee_len))
    {
      if (now > info.not_after && utls_time_fmt(date, sizeof date, info.not_after))
        append(buf, sizeof buf, "server certificate expired on ");
      else if (now < info.not_before && utls_time_fmt(date, sizeof date, info.not_before))
        append(buf, sizeof buf, "server certificate not valid before ");
      else date[0] = 0;
      if (date[0]) { append(buf, sizeof buf, date); return buf; }
    }
  }
  if (anchor_code)
  {
    append(buf, sizeof buf, "unable to read the trust anchors (CAFILE/CADIR): ");
    append(buf, sizeof buf, anchor_code < 0 ? strerror(anchor_err) : utls_error_str(anchor_code));
    return buf;
  }
  if (verifier.err == BR_ERR_X509_NOT_TRUSTED)
    return "server certificate chain not trusted: no known CA signed it (CAFILE/CADIR, or the system store)";
  if (verifier.err) return utls_error_str(verifier.err);
  return tlsp_engine_errstr(e);
}

tlsp_side const tlsp_client_side =
{
  .is_server = 0,
  .init = &client_init,
  .facts = &client_facts,
  .wipe = &client_wipe,
  .errstr = &client_errstr,
};
