/* ISC license. */

#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <skalibs/exec.h>
#include <skalibs/iopause.h>
#include <skalibs/sgetopt.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include <utls/utls.h>

#include "proxy-internal.h"

#define USAGE "proxy-accept [ -v verbosity ] [ -1 | -2 ] [ -a address[/prefixlen] ]... [ -t timeout ] prog..."

/*
 * proxy-accept: runs under a superserver, behind a load balancer that
 * speaks the PROXY protocol. Checks that the connection comes from a
 * trusted balancer (-a, loopback by default), reads exactly one PROXY
 * header from fd 0 and not a byte more (what follows, e.g. a TLS
 * ClientHello, is prog's), puts the client's addresses in TCPREMOTEIP
 * and friends, keeps the balancer's in PROXY_*, and execs prog. Any
 * doubt about the header closes the connection: prog never runs.
 */

#define DEFAULT_TIMEOUT 5000

typedef struct trust_s trust;
struct trust_s
{
  unsigned char ip[16];      /* IPv4 as ::ffff:a.b.c.d */
  unsigned int prefix;       /* over the 128 bits */
};

typedef struct reader_s reader;
struct reader_s
{
  int fd;
  tain deadline;
  unsigned int timeout;
  char const *peer;          /* balancer's ip:port, for messages */
  size_t got;                /* bytes of the header read so far */
};

enum version_choice_e
{
  ACCEPT_V1 = 1 << 0,
  ACCEPT_V2 = 1 << 1,
};

static unsigned int verbosity = 1;

/* An address, IPv4 or IPv6, as 16 bytes; IPv4 is mapped. 4 or 6 in *is6-ish, 0 if invalid. */
static int ip16_scan (char const *s, unsigned char *ip)
{
  if (strchr(s, ':')) return inet_pton(AF_INET6, s, ip) == 1 ? 6 : 0;
  memset(ip, 0, 10);
  ip[10] = ip[11] = 0xff;
  return inet_pton(AF_INET, s, ip + 12) == 1 ? 4 : 0;
}

static void trust_scan (char const *arg, trust *t)
{
  char addr[TLSP_PROXY_IP_FMT];
  char const *slash = strchr(arg, '/');
  size_t len = slash ? (size_t)(slash - arg) : strlen(arg);
  int kind;
  if (len >= sizeof addr) strerr_dief(UTLS_EXIT_USAGE, "invalid address for -a: ", arg);
  memcpy(addr, arg, len);
  addr[len] = 0;
  kind = ip16_scan(addr, t->ip);
  if (!kind) strerr_dief(UTLS_EXIT_USAGE, "invalid address for -a: ", arg);
  t->prefix = kind == 4 ? 32 : 128;
  if (slash)
  {
    unsigned int u;
    if (!slash[1] || !uint0_scan(slash + 1, &u) || u > t->prefix)
      strerr_dief(UTLS_EXIT_USAGE, "invalid prefix length for -a (0-32 for IPv4, 0-128 for IPv6): ", arg);
    t->prefix = u;
  }
  if (kind == 4) t->prefix += 96;
}

static int trust_match (trust const *t, unsigned char const *ip)
{
  unsigned int bytes = t->prefix >> 3, bits = t->prefix & 7;
  if (memcmp(t->ip, ip, bytes)) return 0;
  if (!bits) return 1;
  return !((t->ip[bytes] ^ ip[bytes]) & (0xff << (8 - bits)));
}

static int trusted (trust const *list, unsigned int n, unsigned char const *ip)
{
  static trust loopback[2];
  unsigned int i = 0;
  if (!n)
  {
    trust_scan("127.0.0.0/8", &loopback[0]);
    trust_scan("::1", &loopback[1]);
    list = loopback;
    n = 2;
  }
  for (; i < n; i++) if (trust_match(list + i, ip)) return 1;
  return 0;
}

/* ---- reading the header, never past it ---------------------------------- */

static void die_timeout (reader const *r) gccattr_noreturn;
static void die_timeout (reader const *r)
{
  char fmt[UINT_FMT], got[SIZE_FMT];
  fmt[uint_fmt(fmt, r->timeout)] = 0;
  got[size_fmt(got, r->got)] = 0;
  strerr_dief(UTLS_EXIT_PROTOCOL, "timed out after ", fmt, " ms waiting for the PROXY header from ", r->peer, " (", got, " bytes received)");
}

static void die_truncated (reader const *r) gccattr_noreturn;
static void die_truncated (reader const *r)
{
  char got[SIZE_FMT];
  got[size_fmt(got, r->got)] = 0;
  strerr_dief(UTLS_EXIT_PROTOCOL, "truncated PROXY header from ", r->peer, ": the connection closed after ", got, " bytes");
}

static void wait_readable (reader *r)
{
  iopause_fd x = { .fd = r->fd, .events = IOPAUSE_READ };
  for (;;)
  {
    int n = iopause_g(&x, 1, &r->deadline);
    if (n > 0) return;
    if (!n) die_timeout(r);
    if (errno != EINTR) strerr_diefusys(UTLS_EXIT_SYS, "iopause");
  }
}

/* Reads at least one byte, at most n; dies at EOF, reset or timeout. */
static size_t read_some (reader *r, char *buf, size_t n)
{
  for (;;)
  {
    ssize_t k;
    wait_readable(r);
    k = read(r->fd, buf, n);
    if (k > 0) { r->got += k; return k; }
    if (!k || errno == ECONNRESET) die_truncated(r);
    if (errno != EINTR && errno != EAGAIN)
      strerr_diefusys(UTLS_EXIT_SYS, "read the PROXY header from ", r->peer);
  }
}

static void read_exact (reader *r, char *buf, size_t n)
{
  while (n)
  {
    size_t k = read_some(r, buf, n);
    buf += k;
    n -= k;
  }
}

/*
 * v1: the rest of the line, after the 6 bytes of "PROXY " already in
 * buf. On a socket, peek at what is there and consume up to the first
 * LF only (bytes before it are all header bytes); on anything else, one
 * byte at a time. Returns the line's length.
 */
static size_t read_v1 (reader *r, char *buf)
{
  size_t have = 6;
  int peek = 1;
  while (have < TLSP_PROXY_V1_MAX)
  {
    size_t room = TLSP_PROXY_V1_MAX - have, n = 1;
    if (peek)
    {
      ssize_t k;
      char *lf;
      wait_readable(r);
      k = recv(r->fd, buf + have, room, MSG_PEEK | MSG_DONTWAIT);
      if (k < 0 && errno == ENOTSOCK) { peek = 0; continue; }
      if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (k < 0 && errno != ECONNRESET) strerr_diefusys(UTLS_EXIT_SYS, "read the PROXY header from ", r->peer);
      if (k <= 0) die_truncated(r);
      lf = memchr(buf + have, '\n', k);
      n = lf ? (size_t)(lf - (buf + have)) + 1 : (size_t)k;
    }
    read_exact(r, buf + have, n);
    have += n;
    if (buf[have - 1] == '\n') return have;
  }
  strerr_dief(UTLS_EXIT_PROTOCOL, "malformed PROXY header from ", r->peer, ": v1: no CRLF within 107 bytes");
}

/* Reads and parses one header; dies 98 with the reason if it is not one. */
static void read_header (reader *r, unsigned int versions, tlsp_proxy *p)
{
  static char buf[TLSP_PROXY_V2_MAX];
  char const *why = 0;
  int ok;
  /* Both headers are at least 15 bytes long: 6 can be read blindly. */
  read_exact(r, buf, 6);
  if (!memcmp(buf, TLSP_PROXY_V1_PREFIX, 6))
  {
    size_t len;
    if (!(versions & ACCEPT_V1))
      strerr_dief(UTLS_EXIT_PROTOCOL, "refused PROXY v1 header from ", r->peer, ": only v2 is accepted (-2)");
    len = read_v1(r, buf);
    ok = tlsp_proxy_v1_parse(buf, len, p, &why);
  }
  else if (!memcmp(buf, TLSP_PROXY_V2_SIG, 6))
  {
    size_t len;
    if (!(versions & ACCEPT_V2))
      strerr_dief(UTLS_EXIT_PROTOCOL, "refused PROXY v2 header from ", r->peer, ": only v1 is accepted (-1)");
    read_exact(r, buf + 6, TLSP_PROXY_V2_FIXED - 6);
    len = tlsp_proxy_v2_length((unsigned char *)buf, &why);
    if (len)
    {
      read_exact(r, buf + TLSP_PROXY_V2_FIXED, len - TLSP_PROXY_V2_FIXED);
      ok = tlsp_proxy_v2_parse((unsigned char *)buf, len, p, &why);
    }
    else ok = 0;
  }
  else strerr_dief(UTLS_EXIT_PROTOCOL, "no PROXY header from ", r->peer, ": the connection does not start with a v1 or v2 signature");
  if (!ok) strerr_dief(UTLS_EXIT_PROTOCOL, "malformed PROXY header from ", r->peer, ": ", why);
}

/* ---- the environment ---------------------------------------------------- */

static void add (stralloc *sa, char const *name, char const *value, size_t len)
{
  if (!stralloc_cats(sa, name)
   || (value && (!stralloc_catb(sa, "=", 1) || !stralloc_catb(sa, value, len)))
   || !stralloc_0(sa))
    strerr_diefusys(UTLS_EXIT_SYS, "build the environment");
}

static void add_s (stralloc *sa, char const *name, char const *value)
{
  add(sa, name, value, value ? strlen(value) : 0);
}

static void add_uint (stralloc *sa, char const *name, uint32_t u)
{
  char fmt[UINT32_FMT];
  add(sa, name, fmt, uint32_fmt(fmt, u));
}

static char const *family_name (tlsp_proxy const *p)
{
  static char const *const names[4] = { "UNKNOWN", "TCP4", "TCP6", "UNIX" };
  return p->local ? "LOCAL" : names[p->family & 3];
}

/*
 * Every variable this program may set is either set or unset, so that
 * nothing stale from the parent passes for the header's.
 */
static void build_env (stralloc *sa, tlsp_proxy const *p)
{
  static char const *const balancer[4][2] =
  {
    { "PROXY_REMOTEIP", "TCPREMOTEIP" }, { "PROXY_REMOTEPORT", "TCPREMOTEPORT" },
    { "PROXY_LOCALIP", "TCPLOCALIP" }, { "PROXY_LOCALPORT", "TCPLOCALPORT" },
  };
  int replace = !p->local && (p->family == TLSP_PROXY_TCP4 || p->family == TLSP_PROXY_TCP6);
  int cert = p->has_ssl && (p->ssl_client & (TLSP_PROXY_CLIENT_CERT_CONN | TLSP_PROXY_CLIENT_CERT_SESS));
  unsigned int i = 0;
  for (; i < 4; i++) add_s(sa, balancer[i][0], getenv(balancer[i][1]));
  add_uint(sa, "PROXY_VERSION", p->version);
  add_s(sa, "PROXY_FAMILY", family_name(p));
  if (replace)
  {
    add_s(sa, "TCPREMOTEIP", p->remoteip);
    add_uint(sa, "TCPREMOTEPORT", p->remoteport);
    add_s(sa, "TCPLOCALIP", p->localip);
    add_uint(sa, "TCPLOCALPORT", p->localport);
    /* Facts about the balancer, not the client. */
    add_s(sa, "TCPREMOTEHOST", 0);
    add_s(sa, "TCPREMOTEINFO", 0);
  }
  for (i = 0; i < TLSP_PROXY_NVALUES; i++)
  {
    char name[32] = "PROXY_";
    strcpy(name + 6, tlsp_proxy_value_names[i]);
    add(sa, name, p->values[i].len ? p->values[i].s : 0, p->values[i].len);
  }
  add_s(sa, "PROXY_SSL", p->has_ssl && (p->ssl_client & TLSP_PROXY_CLIENT_SSL) ? "1" : 0);
  add_s(sa, "PROXY_SSL_CLIENT_CERT", cert ? "1" : 0);
  if (cert) add_uint(sa, "PROXY_SSL_VERIFY", p->ssl_verify);
  else add_s(sa, "PROXY_SSL_VERIFY", 0);
}

static void log_result (reader const *r, tlsp_proxy const *p)
{
  unsigned int i = 0;
  if (verbosity >= 1)
    for (; i < TLSP_PROXY_NVALUES; i++)
      if (p->dropped & (1u << i))
        strerr_warnw("PROXY header from ", r->peer, ": ", tlsp_proxy_value_names[i],
          " TLV not exported (control characters, or longer than 255 bytes)");
  if (verbosity >= 2)
  {
    char v[2] = { '0' + p->version, 0 };
    if (p->local || p->family == TLSP_PROXY_UNKNOWN || p->family == TLSP_PROXY_UNIX)
      strerr_warni("PROXY v", v, " ", family_name(p), " from ", r->peer, ": keeping the real addresses");
    else
    {
      char rp[UINT_FMT], lp[UINT_FMT];
      rp[uint_fmt(rp, p->remoteport)] = 0;
      lp[uint_fmt(lp, p->localport)] = 0;
      strerr_warni("PROXY v", v, " ", family_name(p), " from ", r->peer, ": client ",
        p->remoteip, " port ", rp, ", server ", p->localip, " port ", lp);
    }
  }
}

int main (int argc, char const *const *argv)
{
  static trust list[TLSP_PROXY_TRUST_MAX];
  static char peer[TLSP_PROXY_IP_FMT + UINT_FMT + 8];
  stralloc sa = STRALLOC_ZERO;
  subgetopt l = SUBGETOPT_ZERO;
  tlsp_proxy p = TLSP_PROXY_ZERO;
  reader r = { .fd = 0, .timeout = DEFAULT_TIMEOUT, .peer = peer, .got = 0 };
  unsigned int versions = ACCEPT_V1 | ACCEPT_V2, ntrust = 0;
  unsigned char ip[16];
  char const *remoteip, *remoteport;
  PROG = "proxy-accept";
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "v:12a:t:", &l);
    if (opt == -1) break;
    switch (opt)
    {
      case 'v': if (!uint0_scan(l.arg, &verbosity)) strerr_dief(UTLS_EXIT_USAGE, "verbosity (-v) must be an unsigned integer, not: ", l.arg); break;
      case '1': versions = ACCEPT_V1; break;
      case '2': versions = ACCEPT_V2; break;
      case 'a':
        if (ntrust >= TLSP_PROXY_TRUST_MAX) strerr_dief(UTLS_EXIT_USAGE, "too many -a options (at most 64)");
        trust_scan(l.arg, list + ntrust++);
        break;
      case 't':
        if (!uint0_scan(l.arg, &r.timeout) || !r.timeout)
          strerr_dief(UTLS_EXIT_USAGE, "timeout (-t) must be a positive number of milliseconds, not: ", l.arg);
        break;
      default: strerr_dieusage(UTLS_EXIT_USAGE, USAGE);
    }
  }
  argc -= l.ind; argv += l.ind;
  if (!argc) strerr_dieusage(UTLS_EXIT_USAGE, USAGE);

  remoteip = getenv("TCPREMOTEIP");
  remoteport = getenv("TCPREMOTEPORT");
  if (!remoteip) strerr_dief(UTLS_EXIT_USAGE, "TCPREMOTEIP is not set: run proxy-accept under tcpserver or s6-tcpserver");
  if (strlen(remoteip) >= TLSP_PROXY_IP_FMT || !ip16_scan(remoteip, ip))
    strerr_dief(UTLS_EXIT_USAGE, "TCPREMOTEIP is not an IP address: ", remoteip);
  memcpy(peer, remoteip, strlen(remoteip));
  if (remoteport && strlen(remoteport) < UINT_FMT)
  {
    strcat(peer, ":");
    strcat(peer, remoteport);
  }
  /* Before reading a byte: only a balancer may tell us who the client is. */
  if (!trusted(list, ntrust, ip))
    strerr_dief(UTLS_EXIT_PROTOCOL, "refused connection from ", peer, ": not a trusted PROXY source (-a)");

  tain_now_set_stopwatch_g();
  tain_from_millisecs(&r.deadline, r.timeout);
  tain_add_g(&r.deadline, &r.deadline);
  read_header(&r, versions, &p);
  log_result(&r, &p);
  build_env(&sa, &p);
  xmexec_m(argv, sa.s, sa.len);
}
