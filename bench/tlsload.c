/* ISC license. */

/*
 * tlsload: a TLS 1.2 load generator on BearSSL. One process, one poll
 * loop, non-blocking sockets, 16 KiB records, 127.0.0.1 only.
 *
 *   tlsload [opts] bulk -u N | -d N | -x N   send / receive / both, N bytes
 *   tlsload [opts] hs  -C conc -D secs       full handshakes + 1-byte ping
 *   tlsload [opts] lat -n count              connect -> first app byte
 *   tlsload [opts] idle -n count [-H secs]   open, wait greeting, hold
 *
 * Options: -p port (required), -c certfile (the server's: its public key
 * is the x509 "known key"; nothing is verified), -s aes|chacha, -P plain
 * TCP (no TLS at all, for the no-TLS floor), -V real signature check and
 * fresh client ECDHE key per handshake (default: skip the ECDSA check
 * and reuse one client ECDHE key, so the client spends ~1 ECDH op per
 * handshake and is not the bottleneck; the server still does all its
 * work), -T secs overall timeout (default 300), -r offer the session
 * of the slot's previous connection (resumption; "resumed=" counts how
 * many the server resumed).
 *
 * The server application must: bulk -u: read N bytes, answer 1 byte;
 * -d: write N bytes; -x: echo; hs: read 1 byte, write 1 byte; lat, idle:
 * write 1 byte at once (the greeting), then wait for EOF.
 *
 * Output: one line of key=value pairs on stdout; client CPU (getrusage)
 * is always included, to show whether the client was the limit.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <bearssl.h>

#include "benchpem.h"

#define MAXCONN 1024

enum mode_e { MODE_BULK, MODE_HS, MODE_LAT, MODE_IDLE };
enum cstate_e { C_FREE, C_CONNECTING, C_ACTIVE, C_IDLE };

typedef struct conn_s conn;
struct conn_s
{
  int fd;
  int state;
  br_ssl_client_context cc;
  br_x509_knownkey_context xc;
  br_ssl_session_parameters sess;   /* -r: the previous connection's session */
  int has_sess;
  unsigned char *iobuf;
  unsigned char *in;
  size_t in_start, in_end, in_cap;
  unsigned char *out;
  size_t out_start, out_end, out_cap;
  uint64_t to_send;
  uint64_t want_recv;
  uint64_t recvd;
  int hs_done;
  int ping_pending;
  int eof;
  double t_connect, t_hs, t_first;
};

/* --- global settings --------------------------------------------------- */

static int mode;
static int plain;
static int fast = 1;
static int resume = 0;
static unsigned long resumed;
static unsigned int port;
static uint16_t suite;
static br_x509_pkey server_pkey;
static int server_keytype;
static uint64_t bulk_up, bulk_down;
static unsigned int nconc = 1, count = 1;
static double duration = 5, hold = 60, overall = 300;
static conn *conns;
static unsigned long errors;
static char first_error[160];
static unsigned long curve_uses[32];
static unsigned char zeros[262144];

static double now (void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die (char const *s)
{
  fprintf(stderr, "tlsload: fatal: %s%s%s\n", s, errno ? ": " : "", errno ? strerror(errno) : "");
  exit(111);
}

static void usage (void)
{
  fprintf(stderr, "usage: tlsload -p port [-c certfile] [-s aes|chacha] [-P] [-V] [-r] [-T secs] bulk -u N|-d N|-x N | hs -C conc -D secs | lat -n N | idle -n N [-H secs]\n");
  exit(100);
}

/* --- the load generator's EC implementation ---------------------------- */

/*
 * Wraps BearSSL's default EC code. It records which curve the server
 * chose, offers only X25519 and P-256 (P-256 is needed for an ECDSA
 * P-256 certificate), and in fast mode reuses one client ECDHE scalar per
 * curve: mulgen returns the cached public point, mul computes with the
 * cached scalar. The shared secret is still computed for real.
 */
static br_ec_impl const *real_ec;
static struct { int have; unsigned char x[80]; size_t xlen; unsigned char pub[140]; size_t publen; } eccache[32];

static unsigned char const *w_generator (int curve, size_t *len) { return real_ec->generator(curve, len); }
static unsigned char const *w_order (int curve, size_t *len) { return real_ec->order(curve, len); }
static size_t w_xoff (int curve, size_t *len) { return real_ec->xoff(curve, len); }

static uint32_t w_mul (unsigned char *g, size_t glen, unsigned char const *x, size_t xlen, int curve)
{
  if (curve >= 0 && curve < 32)
  {
    curve_uses[curve]++;
    if (fast && eccache[curve].have && eccache[curve].xlen == xlen) x = eccache[curve].x;
  }
  return real_ec->mul(g, glen, x, xlen, curve);
}

static size_t w_mulgen (unsigned char *r, unsigned char const *x, size_t xlen, int curve)
{
  if (!fast || curve < 0 || curve >= 32 || xlen > sizeof eccache[0].x) return real_ec->mulgen(r, x, xlen, curve);
  if (!eccache[curve].have)
  {
    size_t n = real_ec->mulgen(eccache[curve].pub, x, xlen, curve);
    if (!n) return 0;
    memcpy(eccache[curve].x, x, xlen);
    eccache[curve].xlen = xlen;
    eccache[curve].publen = n;
    eccache[curve].have = 1;
  }
  memcpy(r, eccache[curve].pub, eccache[curve].publen);
  return eccache[curve].publen;
}

static uint32_t w_muladd (unsigned char *a, unsigned char const *b, size_t len, unsigned char const *x, size_t xlen, unsigned char const *y, size_t ylen, int curve)
{
  return real_ec->muladd(a, b, len, x, xlen, y, ylen, curve);
}

static br_ec_impl wrap_ec =
{
  (1u << BR_EC_curve25519) | (1u << BR_EC_secp256r1),
  &w_generator, &w_order, &w_xoff, &w_mul, &w_mulgen, &w_muladd
};

static uint32_t fake_ecdsa_vrfy (br_ec_impl const *impl, void const *hash, size_t hash_len, br_ec_public_key const *pk, void const *sig, size_t sig_len)
{
  (void)impl; (void)hash; (void)hash_len; (void)pk; (void)sig; (void)sig_len;
  return 1;
}

/* --- connections ------------------------------------------------------- */

static void conn_alloc (conn *c)
{
  size_t cap = mode == MODE_BULK ? 262144 : 34000;
  memset(c, 0, sizeof *c);
  c->fd = -1;
  c->in = malloc(cap);
  c->out = malloc(cap);
  c->in_cap = c->out_cap = cap;
  if (!c->in || !c->out) die("malloc");
  if (!plain)
  {
    static br_x509_minimal_context dummy;
    c->iobuf = malloc(BR_SSL_BUFSIZE_BIDI);
    if (!c->iobuf) die("malloc");
    br_ssl_client_init_full(&c->cc, &dummy, 0, 0);
    if (server_keytype == BR_KEYTYPE_RSA)
      br_x509_knownkey_init_rsa(&c->xc, &server_pkey.key.rsa, BR_KEYTYPE_SIGN | BR_KEYTYPE_KEYX);
    else
      br_x509_knownkey_init_ec(&c->xc, &server_pkey.key.ec, BR_KEYTYPE_SIGN | BR_KEYTYPE_KEYX);
    br_ssl_engine_set_x509(&c->cc.eng, &c->xc.vtable);
    br_ssl_engine_set_versions(&c->cc.eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(&c->cc.eng, &suite, 1);
    real_ec = br_ec_get_default();
    br_ssl_engine_set_ec(&c->cc.eng, &wrap_ec);
    if (fast) br_ssl_engine_set_ecdsa(&c->cc.eng, &fake_ecdsa_vrfy);
    br_ssl_engine_set_buffer(&c->cc.eng, c->iobuf, BR_SSL_BUFSIZE_BIDI, 1);
  }
}

static void conn_error (conn *c, char const *what, int err)
{
  errors++;
  if (!first_error[0])
    snprintf(first_error, sizeof first_error, "%s%s%d", what, err ? " " : "", err);
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  c->state = C_FREE;
}

static void conn_close (conn *c)
{
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  c->state = C_FREE;
}

static void conn_start (conn *c)
{
  struct sockaddr_in sa;
  int one = 1;
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) die("socket");
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  c->in_start = c->in_end = c->out_start = c->out_end = 0;
  c->recvd = 0;
  c->hs_done = plain;
  c->eof = 0;
  c->t_hs = c->t_first = 0;
  c->to_send = mode == MODE_BULK ? bulk_up : 0;
  c->want_recv = mode == MODE_BULK ? (bulk_down ? bulk_down : 1) : 1;
  c->ping_pending = mode == MODE_HS;
  c->t_connect = now();
  if (plain) c->t_hs = c->t_connect;
  if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS)
  {
    conn_error(c, "connect", errno);
    return;
  }
  c->state = C_CONNECTING;
  if (!plain && resume && c->has_sess) br_ssl_engine_set_session_parameters(&c->cc.eng, &c->sess);
  if (!plain && !br_ssl_client_reset(&c->cc, "localhost", resume && c->has_sess))
    conn_error(c, "br_ssl_client_reset", br_ssl_engine_last_error(&c->cc.eng));
}

static void got_app_bytes (conn *c, size_t n)
{
  if (!c->recvd && n) c->t_first = now();
  c->recvd += n;
}

/* Moves data between the buffers and the engine, without system calls. */
static void pump (conn *c)
{
  br_ssl_engine_context *eng = &c->cc.eng;
  int progress = 1;
  while (progress)
  {
    unsigned char *buf;
    size_t len;
    progress = 0;
    buf = br_ssl_engine_sendrec_buf(eng, &len);
    if (buf && c->out_end < c->out_cap)
    {
      if (len > c->out_cap - c->out_end) len = c->out_cap - c->out_end;
      memcpy(c->out + c->out_end, buf, len);
      c->out_end += len;
      br_ssl_engine_sendrec_ack(eng, len);
      progress = 1;
    }
    if (c->in_start < c->in_end)
    {
      buf = br_ssl_engine_recvrec_buf(eng, &len);
      if (buf)
      {
        if (len > c->in_end - c->in_start) len = c->in_end - c->in_start;
        memcpy(buf, c->in + c->in_start, len);
        c->in_start += len;
        if (c->in_start == c->in_end) c->in_start = c->in_end = 0;
        br_ssl_engine_recvrec_ack(eng, len);
        progress = 1;
      }
    }
    buf = br_ssl_engine_recvapp_buf(eng, &len);
    if (buf)
    {
      got_app_bytes(c, len);
      br_ssl_engine_recvapp_ack(eng, len);
      progress = 1;
    }
    if (c->to_send || c->ping_pending)
    {
      buf = br_ssl_engine_sendapp_buf(eng, &len);
      if (buf)
      {
        if (!c->hs_done) { c->hs_done = 1; c->t_hs = now(); }
        if (c->ping_pending)
        {
          buf[0] = 'p';
          br_ssl_engine_sendapp_ack(eng, 1);
          br_ssl_engine_flush(eng, 0);
          c->ping_pending = 0;
        }
        else
        {
          if (len > c->to_send) len = c->to_send;
          br_ssl_engine_sendapp_ack(eng, len);
          c->to_send -= len;
          if (!c->to_send) br_ssl_engine_flush(eng, 0);
        }
        progress = 1;
      }
    }
  }
  if (!c->hs_done && (br_ssl_engine_current_state(eng) & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)))
  {
    c->hs_done = 1;
    c->t_hs = now();
  }
}

static int conn_finished (conn *c)
{
  return !c->to_send && !c->ping_pending && c->recvd >= c->want_recv;
}

static void do_read (conn *c)
{
  ssize_t r;
  if (plain)
  {
    r = read(c->fd, c->in, c->in_cap);
    if (r > 0) { got_app_bytes(c, r); return; }
  }
  else
  {
    if (c->in_start && c->in_end == c->in_cap)
    {
      memmove(c->in, c->in + c->in_start, c->in_end - c->in_start);
      c->in_end -= c->in_start;
      c->in_start = 0;
    }
    r = read(c->fd, c->in + c->in_end, c->in_cap - c->in_end);
    if (r > 0) { c->in_end += r; return; }
  }
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (r < 0) { conn_error(c, "read", errno); return; }
  c->eof = 1;
}

static void do_write (conn *c)
{
  ssize_t r;
  if (plain)
  {
    size_t n;
    if (c->ping_pending) { r = write(c->fd, "p", 1); if (r == 1) c->ping_pending = 0; goto check; }
    n = c->to_send > sizeof zeros ? sizeof zeros : c->to_send;
    if (!n) return;
    r = write(c->fd, zeros, n);
    if (r > 0) c->to_send -= r;
  }
  else
  {
    r = write(c->fd, c->out + c->out_start, c->out_end - c->out_start);
    if (r > 0)
    {
      c->out_start += r;
      if (c->out_start == c->out_end) c->out_start = c->out_end = 0;
    }
  }
 check:
  if (r < 0 && errno != EAGAIN && errno != EINTR) conn_error(c, "write", errno);
}

/* --- result collection ------------------------------------------------- */

static double *lats;
static size_t nlats, maxlats;
static unsigned long completed;

static double count_deadline = 1e300;

static void record_done (conn *c)
{
  if (now() > count_deadline) return;
  if (nlats < maxlats) lats[nlats++] = c->t_first - c->t_connect;
  completed++;
  if (resume && !plain)
  {
    br_ssl_session_parameters sp;
    br_ssl_engine_get_session_parameters(&c->cc.eng, &sp);
    if (c->has_sess && sp.session_id_len && sp.session_id_len == c->sess.session_id_len && !memcmp(sp.session_id, c->sess.session_id, sp.session_id_len)) resumed++;
    c->sess = sp;
    c->has_sess = sp.session_id_len > 0;
  }
}

static int cmpd (void const *a, void const *b)
{
  double x = *(double const *)a, y = *(double const *)b;
  return x < y ? -1 : x > y;
}

static double pct (double p)
{
  size_t i;
  if (!nlats) return 0;
  i = (size_t)(p * (nlats - 1) + 0.5);
  return lats[i];
}

static double cpu_secs (void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static char const *curve_name (void)
{
  unsigned int i, best = 0;
  for (i = 1; i < 32; i++) if (curve_uses[i] > curve_uses[best]) best = i;
  if (!curve_uses[best]) return "none";
  return best == BR_EC_curve25519 ? "x25519" : best == BR_EC_secp256r1 ? "p256" : "other";
}

static char const *suite_name (conn *c)
{
  br_ssl_session_parameters sp;
  if (plain) return "none";
  br_ssl_engine_get_session_parameters(&c->cc.eng, &sp);
  switch (sp.cipher_suite)
  {
    case BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: return "ECDHE-ECDSA-AES128-GCM-SHA256";
    case BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: return "ECDHE-RSA-AES128-GCM-SHA256";
    case BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: return "ECDHE-ECDSA-CHACHA20-POLY1305";
    case BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: return "ECDHE-RSA-CHACHA20-POLY1305";
    default: return "other";
  }
}

/* --- the loop ---------------------------------------------------------- */

static volatile sig_atomic_t stop_flag;
static void on_term (int sig) { (void)sig; stop_flag = 1; }

/*
 * Runs connections. Slots [0, nconc) start connections while "starting"
 * says so; bulk/lat/hs close a connection when it is finished, idle keeps
 * it. Returns when nothing is active and nothing is to be started.
 */
static void run (unsigned int nslots, unsigned long max_starts, double deadline, double hard_deadline)
{
  struct pollfd *pfd = calloc(nslots + 1, sizeof *pfd);
  int *map = calloc(nslots + 1, sizeof *map);
  unsigned long started = 0;
  unsigned int idle_ready = 0;
  if (!pfd || !map) die("calloc");
  for (;;)
  {
    unsigned int i, n = 0, active = 0;
    double t = now();
    int starting = started < max_starts && t < deadline && !stop_flag;
    if (t >= hard_deadline || stop_flag) break;
    for (i = 0; i < nslots; i++)
    {
      conn *c = conns + i;
      if (c->state == C_FREE && starting && started < max_starts) { conn_start(c); started++; }
      if (c->state == C_FREE || c->state == C_IDLE) continue;
      if (!plain && c->state == C_ACTIVE)
      {
        unsigned int st;
        pump(c);
        st = br_ssl_engine_current_state(&c->cc.eng);
        if (st & BR_SSL_CLOSED)
        {
          int err = br_ssl_engine_last_error(&c->cc.eng);
          if (err || !conn_finished(c)) { conn_error(c, "tls", err); continue; }
        }
      }
      if (c->state == C_ACTIVE && c->hs_done && conn_finished(c))
      {
        if (mode == MODE_IDLE) { c->state = C_IDLE; idle_ready++; record_done(c); continue; }
        record_done(c);
        if (mode == MODE_BULK) break;
        conn_close(c);
        if (starting && started < max_starts) { conn_start(c); started++; }
        if (c->state == C_FREE) continue;
      }
      if (c->eof && c->state == C_ACTIVE) { conn_error(c, "eof", 0); continue; }
      active++;
      pfd[n].fd = c->fd;
      pfd[n].events = 0;
      pfd[n].revents = 0;
      if (c->state == C_CONNECTING) pfd[n].events = POLLOUT;
      else
      {
        if (!c->eof && (plain || c->in_end < c->in_cap)) pfd[n].events |= POLLIN;
        if (plain ? (c->to_send || c->ping_pending) : c->out_start < c->out_end) pfd[n].events |= POLLOUT;
      }
      map[n++] = i;
    }
    if (mode == MODE_BULK && completed) break;
    if (mode == MODE_IDLE && idle_ready >= max_starts) break;
    if (!active && !starting) break;
    if (!n) continue;
    if (poll(pfd, n, 100) < 0)
    {
      if (errno == EINTR) continue;
      die("poll");
    }
    for (i = 0; i < n; i++)
    {
      conn *c = conns + map[i];
      short re = pfd[i].revents;
      if (!re) continue;
      if (c->state == C_CONNECTING)
      {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) { conn_error(c, "connect", err); continue; }
        c->state = C_ACTIVE;
        continue;
      }
      if (re & (POLLIN | POLLHUP | POLLERR)) do_read(c);
      if (c->state == C_ACTIVE && (re & POLLOUT)) do_write(c);
    }
  }
  free(pfd);
  free(map);
}

int main (int argc, char **argv)
{
  int opt;
  char const *certfile = 0, *suitename = "aes";
  double t0, t1, cpu0, cpu1, wall;
  signal(SIGPIPE, SIG_IGN);
  signal(SIGTERM, &on_term);
  signal(SIGINT, &on_term);
  while ((opt = getopt(argc, argv, "+p:c:s:PVT:r")) != -1)
  {
    switch (opt)
    {
      case 'p': port = strtoul(optarg, 0, 10); break;
      case 'c': certfile = optarg; break;
      case 's': suitename = optarg; break;
      case 'P': plain = 1; break;
      case 'V': fast = 0; break;
      case 'T': overall = atof(optarg); break;
      case 'r': resume = 1; break;
      default: usage();
    }
  }
  argc -= optind; argv += optind;
  if (!argc || !port || port > 65535) usage();
  if (!strcmp(argv[0], "bulk")) mode = MODE_BULK;
  else if (!strcmp(argv[0], "hs")) mode = MODE_HS;
  else if (!strcmp(argv[0], "lat")) mode = MODE_LAT;
  else if (!strcmp(argv[0], "idle")) mode = MODE_IDLE;
  else usage();
  optind = 1;
  while ((opt = getopt(argc, argv, "u:d:x:C:D:n:H:")) != -1)
  {
    switch (opt)
    {
      case 'u': bulk_up = strtoull(optarg, 0, 10); break;
      case 'd': bulk_down = strtoull(optarg, 0, 10); break;
      case 'x': bulk_up = bulk_down = strtoull(optarg, 0, 10); break;
      case 'C': nconc = strtoul(optarg, 0, 10); break;
      case 'D': duration = atof(optarg); break;
      case 'n': count = strtoul(optarg, 0, 10); break;
      case 'H': hold = atof(optarg); break;
      default: usage();
    }
  }
  if (mode == MODE_BULK && !bulk_up && !bulk_down) usage();
  if (!nconc || nconc > MAXCONN || !count || count > 100000) usage();
  if (!plain)
  {
    if (!certfile) usage();
    server_keytype = bench_load_cert_pkey(certfile, &server_pkey);
    if (!server_keytype) { fprintf(stderr, "tlsload: fatal: no public key in %s\n", certfile); return 100; }
    if (!strcmp(suitename, "aes"))
      suite = server_keytype == BR_KEYTYPE_RSA ? BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 : BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    else if (!strcmp(suitename, "chacha"))
      suite = server_keytype == BR_KEYTYPE_RSA ? BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 : BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;
    else usage();
  }

  {
    unsigned int nslots = mode == MODE_HS ? nconc : mode == MODE_IDLE ? (count < MAXCONN ? count : MAXCONN) : 1;
    unsigned int i;
    conns = calloc(nslots, sizeof *conns);
    if (!conns) die("calloc");
    for (i = 0; i < nslots; i++) conn_alloc(conns + i);
    maxlats = mode == MODE_HS ? 1000000 : count;
    lats = malloc(maxlats * sizeof *lats);
    if (!lats) die("malloc");

    cpu0 = cpu_secs();
    t0 = now();
    if (mode == MODE_HS) { count_deadline = t0 + duration; }
    if (mode == MODE_HS) run(nslots, (unsigned long)-1, t0 + duration, t0 + duration + 10);
    else if (mode == MODE_BULK) run(1, 1, t0 + overall, t0 + overall);
    else if (mode == MODE_LAT) run(1, count, t0 + overall, t0 + overall);
    else
    {
      /* idle: at most 16 connections being set up at once */
      unsigned int opened = 0;
      double hard = t0 + overall;
      while (opened < nslots && now() < hard && !stop_flag)
      {
        unsigned int k = nslots - opened > 16 ? 16 : nslots - opened;
        unsigned long before = completed;
        conn *save = conns;
        conns = save + opened;
        run(k, k, hard, hard);
        conns = save;
        opened += k;
        if (completed - before < k) break;
      }
    }
    t1 = now();
    cpu1 = cpu_secs();
    wall = (mode == MODE_HS) ? (t1 < t0 + duration ? t1 - t0 : duration) : t1 - t0;

    if (mode == MODE_BULK)
    {
      conn *c = conns;
      double secs = completed ? (c->t_first && bulk_down ? t1 : t1) - c->t_hs : 0;
      uint64_t bytes = bulk_up > bulk_down ? bulk_up : bulk_down;
      printf("mode=bulk up=%llu down=%llu ok=%d secs=%.3f mbps=%.1f hs_ms=%.2f suite=%s curve=%s client_cpu=%.3f client_cpu_pct=%.0f errors=%lu%s%s\n",
        (unsigned long long)bulk_up, (unsigned long long)bulk_down, completed ? 1 : 0, secs, completed && secs > 0 ? bytes / secs / 1e6 : 0,
        (c->t_hs - c->t_connect) * 1000, suite_name(c), curve_name(), cpu1 - cpu0, secs > 0 ? 100 * (cpu1 - cpu0) / (t1 - t0) : 0, errors,
        first_error[0] ? " first_error=" : "", first_error);
    }
    else if (mode == MODE_IDLE)
    {
      printf("ready %lu errors=%lu%s%s\n", completed, errors, first_error[0] ? " first_error=" : "", first_error);
      fflush(stdout);
      {
        double end = now() + hold;
        while (!stop_flag && now() < end) { struct timespec ts = { 0, 50000000 }; nanosleep(&ts, 0); }
      }
      for (i = 0; i < nslots; i++) conn_close(conns + i);
      printf("closed\n");
    }
    else
    {
      qsort(lats, nlats, sizeof *lats, &cmpd);
      printf("mode=%s conc=%u completed=%lu resumed=%lu secs=%.3f rate=%.1f lat_med_ms=%.3f lat_p99_ms=%.3f lat_min_ms=%.3f suite=%s curve=%s client_cpu=%.3f client_cpu_pct=%.0f errors=%lu%s%s\n",
        mode == MODE_HS ? "hs" : "lat", nconc, completed, resumed, wall, wall > 0 ? completed / wall : 0,
        pct(0.5) * 1000, pct(0.99) * 1000, nlats ? lats[0] * 1000 : 0, suite_name(conns), curve_name(),
        cpu1 - cpu0, wall > 0 ? 100 * (cpu1 - cpu0) / (t1 - t0) : 0, errors,
        first_error[0] ? " first_error=" : "", first_error);
    }
  }
  return errors && !completed ? 1 : 0;
}
