/* ISC license. */

#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <arpa/inet.h>

#include <bearssl.h>

#include <skalibs/strerr.h>

#include <utls/config.h>

#include "tls-internal.h"

/*
 * The client's TLS state, static like the server's: one connection per
 * process, no allocation after the files are loaded.
 */

static br_ssl_client_context cc;
static utls_x509 xc;
static utls_anchors anchors = UTLS_ANCHORS_ZERO;
static utls_chain chain = UTLS_CHAIN_ZERO;
static utls_skey key = UTLS_SKEY_ZERO;
static char const *ccfiles[2] = { 0, 0 };  /* CERTFILE, KEYFILE of -y */
static unsigned char ibuf[BR_SSL_BUFSIZE_INPUT];
static unsigned char obuf[BR_SSL_BUFSIZE_OUTPUT];
static char const *verify_name = 0;

static void die_load (int r, char const *what, char const *file)
{
  if (r < 0) strerr_diefusys(UTLS_EXIT_CONFIG, "read ", what, " ", file);
  strerr_diefu(UTLS_EXIT_CONFIG, "use ", what, " ", file, ": ", utls_error_str(r));
}

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
    if (r) die_load(r, "CA file", cafile);
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
  if (r) die_load(r, "certificate file", certfile);
  r = utls_skey_readfile(&key, keyfile);
  if (r) die_load(r, "key file", keyfile);
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

/* Name to verify: -k, else the address tcpclient connected to. */
static char const *pick_name (utlsp_opts const *opts)
{
  char const *ip;
  if (opts->name) return opts->name;
  ip = getenv("TCPREMOTEIP");
  if (ip && is_ip(ip)) return ip;
  if (opts->insecure || opts->pin) return 0;
  strerr_dief(UTLS_EXIT_USAGE, "no server name to verify: use -k name");
}

br_ssl_engine_context *utlsp_client_init (utlsp_opts const *opts)
{
  uint32_t flags = BR_OPT_NO_RENEGOTIATION;
  uint32_t xflags = 0;
  char const *sni;
  verify_name = pick_name(opts);
  br_ssl_client_zero(&cc);
  utls_engine_algos(&cc.eng, 0);
  if (opts->pin)
  {
    if (!utls_pin_scan(opts->pin, xc.pin))
      strerr_dief(UTLS_EXIT_USAGE, "invalid --pin value (want sha256//BASE64 or SHA256:HEX): ", opts->pin);
    xflags |= UTLS_X509_PIN;
  }
  else if (opts->insecure) xflags |= UTLS_X509_INSECURE;
  else check_anchors();
  {
    unsigned char pin[32];
    memcpy(pin, xc.pin, 32);
    /* xflags only holds a mode (pin, insecure) here; the peer is a server */
    utls_x509_init(&xc, 0, 0, xflags | UTLS_X509_SERVER_AUTH, (xflags ? 0 : verify_name));
    memcpy(xc.pin, pin, 32);
    if (!xflags) utls_x509_defer_anchors(&xc, &anchors_for_chain, 0);
  }
  br_ssl_engine_set_x509(&cc.eng, &xc.vtable);
  if (opts->clientcert) load_clientcert();
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
  if (!br_ssl_client_reset(&cc, sni, 0))
    strerr_diefu(UTLS_EXIT_SETUP, "initialize the TLS engine: ", utls_error_str(br_ssl_engine_last_error(&cc.eng)));
  return &cc.eng;
}

void utlsp_client_wipe (void)
{
  utls_skey_wipe(&key);
}

int utlsp_client_facts (utls_envblock *block, utlsp_opts const *opts)
{
  if (opts->insecure)
    strerr_warnw("server certificate NOT verified (--insecure-no-verify): this connection can be intercepted");
  char const *sni = verify_name && !is_ip(verify_name) ? verify_name : 0;
  utls_envblock_add_session(block, &cc.eng, sni, 0);
  return utls_envblock_add_peer(block, "SSL_SERVER_", xc.ee, xc.ee_len);
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
  static unsigned char const cn_oid[3] = { 0x55, 0x04, 0x03 };
  utls_x509_info info;
  size_t pos = 0;
  unsigned int type;
  utls_der v;
  char cn[UTLS_NAME_MAX + 1];
  int n = 0;
  if (utls_x509_parse(&info, xc.ee, xc.ee_len)) return;
  while (utls_x509_san_next(&info, &pos, &type, &v) == 1)
  {
    char one[UTLS_NAME_MAX + 1];
    if (type == 2)
    {
      size_t i, l = v.len < sizeof one - 1 ? v.len : sizeof one - 1;
      /* Names from the peer: printable ASCII only in our messages. */
      for (i = 0; i < l; i++) one[i] = (v.s[i] > 0x20 && v.s[i] < 0x7f) ? (char)v.s[i] : '?';
      one[l] = 0;
    }
    else if (type != 7 || !(v.len == 4 || v.len == 16) || !inet_ntop(v.len == 4 ? AF_INET : AF_INET6, v.s, one, sizeof one))
      continue;
    if (n++) append(buf, max, ", ");
    append(buf, max, one);
  }
  if (n) return;
  if (utls_dn_attr(cn, sizeof cn, info.subject.s, info.subject.len, cn_oid, 3))
  {
    append(buf, max, "only CN ");
    append(buf, max, cn);
  }
  else append(buf, max, "no name");
}

/* With -y, an EC key of the right curve but another value passes the
   start-up check; if the server then refused the handshake, after we
   had accepted its chain, the key is checked in full (load_clientcert). */
static char const *key_mismatch (utls_engine const *e, int *failexit)
{
  if (!ccfiles[0] || !xc.chain_seen || xc.err) return 0;
  return utlsp_key_mismatch(e, &key, &chain, ccfiles[0], ccfiles[1], failexit);
}

/* The reason the handshake failed, with details BearSSL cannot give. */
char const *utlsp_client_errstr (utls_engine const *e, int *failexit)
{
  static char buf[2048];
  char const *mismatch = key_mismatch(e, failexit);
  if (mismatch) return mismatch;
  buf[0] = 0;
  if (xc.err == UTLS_ERR_NAMEMISMATCH)
  {
    append(buf, sizeof buf, "host name mismatch: wanted ");
    append(buf, sizeof buf, verify_name);
    append(buf, sizeof buf, ", certificate has ");
    mismatch_detail(buf, sizeof buf);
    return buf;
  }
  if (xc.err == BR_ERR_X509_EXPIRED && xc.ee_len)
  {
    utls_x509_info info;
    int64_t now = (int64_t)time(0);
    char date[64];
    if (!utls_x509_parse(&info, xc.ee, xc.ee_len))
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
  if (xc.err == BR_ERR_X509_NOT_TRUSTED)
    return "server certificate chain not trusted: no known CA signed it (CAFILE/CADIR, or the system store)";
  if (xc.err) return utls_error_str(xc.err);
  return utlsp_engine_errstr(e);
}

static void check_fd (int fd, char const *what)
{
  if (fcntl(fd, F_GETFD) < 0) strerr_diefusys(UTLS_EXIT_USAGE, "use ", what, " (not an open descriptor; run under tcpclient or give -6/-7)");
}

void utlsp_client_check (utlsp_opts const *opts, utls_fds *fds)
{
  check_fd(opts->fd_read, "the network read descriptor");
  check_fd(opts->fd_write, "the network write descriptor");
  if (opts->insecure && opts->pin) strerr_dief(UTLS_EXIT_USAGE, "--insecure-no-verify and --pin exclude each other");
  fds->net_in = opts->fd_read;
  fds->net_out = opts->fd_write;
  fds->app_in = fds->app_out = -1;
}

utlsp_side const utlsp_client_side =
{
  .is_server = 0,
  .init = &utlsp_client_init,
  .facts = &utlsp_client_facts,
  .wipe = &utlsp_client_wipe,
  .errstr = &utlsp_client_errstr,
};
