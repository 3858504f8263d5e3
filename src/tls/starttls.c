/* ISC license. */

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include "tls-internal.h"

#define USAGE "starttls [ -v verbosity ] [ -c ] [ -p smtp|lmtp|pop3|imap ] [ -h heloname ] [ -t timeout ] [ -6 fdr ] [ -7 fdw ] prog..."

/*
 * starttls: the UCSPI-TLS handover for programs that do not speak the
 * control protocol. Run under ucspitlsd or ucspitlsc: it asks for TLS
 * with "Y", reads the SSL_* variables, puts the TLS channel on 0/1
 * (server) or 6/7 (client, -c; or the -6/-7 descriptors of a ucspitlsc
 * that was given other ones), and execs prog. With -p, it first does
 * the client side of the protocol's plaintext STARTTLS dialogue on those
 * descriptors, and fails closed: no STARTTLS offered, no program.
 */

#define LINE_MAX_LEN 2048

typedef struct dialogue_s dialogue;
struct dialogue_s
{
  int rfd;
  int wfd;
  tain deadline;
  size_t len;
  char buf[LINE_MAX_LEN * 2];
  char line[LINE_MAX_LEN + 1];
};

/*
 * A server line, made safe for a log or a terminal: printable ASCII
 * as is, a backslash as \\, any other byte (escape sequences, a CR
 * inside the line, bytes above 0x7e) as \xHH; at most 256 bytes of it,
 * then "...". A NUL ends the line as C sees it.
 */
static char const *printable (char const *line)
{
  static char out[256 * 4 + 4];
  static char const hex[] = "0123456789abcdef";
  size_t i = 0, n = 0;
  for (; line[i] && i < 256; i++)
  {
    unsigned char c = line[i];
    if (c == '\\') { out[n++] = '\\'; out[n++] = '\\'; }
    else if (c >= 0x20 && c < 0x7f) out[n++] = c;
    else
    {
      out[n++] = '\\'; out[n++] = 'x';
      out[n++] = hex[c >> 4]; out[n++] = hex[c & 15];
    }
  }
  if (line[i]) { memcpy(out + n, "...", 3); n += 3; }
  out[n] = 0;
  return out;
}

static void die_peer (char const *what, char const *line)
{
  strerr_dief(UTLS_EXIT_PROTOCOL, what, line ? ": " : "", line ? printable(line) : "");
}

/* Next line from the server, CRLF or LF stripped; bytes are kept for the next call. */
static char const *get_line (dialogue *d)
{
  for (;;)
  {
    char *nl = memchr(d->buf, '\n', d->len);
    iopause_fd x = { .fd = d->rfd, .events = IOPAUSE_READ };
    ssize_t r;
    if (nl)
    {
      size_t n = nl - d->buf;
      size_t l = n && d->buf[n - 1] == '\r' ? n - 1 : n;
      if (l > LINE_MAX_LEN) die_peer("server reply line too long", 0);
      memcpy(d->line, d->buf, l);
      d->line[l] = 0;
      memmove(d->buf, nl + 1, d->len - n - 1);
      d->len -= n + 1;
      return d->line;
    }
    if (d->len >= LINE_MAX_LEN) die_peer("server reply line too long", 0);
    r = iopause_g(&x, 1, &d->deadline);
    if (r < 0) strerr_diefusys(UTLS_EXIT_SYS, "iopause");
    if (!r) strerr_dief(UTLS_EXIT_PROTOCOL, "timed out waiting for the server");
    r = fd_read(d->rfd, d->buf + d->len, sizeof d->buf - d->len);
    if (r < 0) strerr_diefusys(UTLS_EXIT_SYS, "read from the server");
    if (!r) die_peer("server closed the connection during the STARTTLS dialogue", 0);
    d->len += r;
  }
}

static void put (dialogue *d, char const *s)
{
  size_t n = strlen(s);
  if (allwrite(d->wfd, s, n) < n) strerr_diefusys(UTLS_EXIT_SYS, "write to the server");
}

/* An SMTP/LMTP reply: all its lines; returns the code; *has_starttls if a line announces it. */
static unsigned int smtp_reply (dialogue *d, int *has_starttls)
{
  for (;;)
  {
    char const *l = get_line(d);
    unsigned int code;
    if (strlen(l) < 3 || uint_scan(l, &code) != 3 || code < 100 || code > 599 || (l[3] && l[3] != ' ' && l[3] != '-'))
      die_peer("malformed SMTP reply", l);
    if (has_starttls && l[3] && !strncasecmp(l + 4, "STARTTLS", 8) && (!l[12] || l[12] == ' ')) *has_starttls = 1;
    if (l[3] != '-') return code;
  }
}

static void do_smtp (dialogue *d, char const *helo, int lmtp)
{
  int has = 0;
  unsigned int code = smtp_reply(d, 0);
  if (code != 220) die_peer("server greeting is not 220", d->line);
  put(d, lmtp ? "LHLO " : "EHLO ");
  put(d, helo);
  put(d, "\r\n");
  code = smtp_reply(d, &has);
  if (code != 250) die_peer(lmtp ? "server refused LHLO" : "server refused EHLO", d->line);
  if (!has) strerr_dief(UTLS_EXIT_PROTOCOL, "server does not offer STARTTLS: refusing to go on in plaintext");
  put(d, "STARTTLS\r\n");
  code = smtp_reply(d, 0);
  if (code != 220) die_peer("server refused STARTTLS", d->line);
}

static void do_pop3 (dialogue *d)
{
  int has = 0;
  char const *l = get_line(d);
  if (strncmp(l, "+OK", 3)) die_peer("server greeting is not +OK", l);
  put(d, "CAPA\r\n");
  l = get_line(d);
  if (strncmp(l, "+OK", 3)) die_peer("server refused CAPA", l);
  for (;;)
  {
    l = get_line(d);
    if (!strcmp(l, ".")) break;
    if (!strcasecmp(l, "STLS") || !strncasecmp(l, "STLS ", 5)) has = 1;
  }
  if (!has) strerr_dief(UTLS_EXIT_PROTOCOL, "server does not offer STLS: refusing to go on in plaintext");
  put(d, "STLS\r\n");
  l = get_line(d);
  if (strncmp(l, "+OK", 3)) die_peer("server refused STLS", l);
}

/* 1 if the space-separated list holds the word, case-insensitively. */
static int has_token (char const *s, char const *word)
{
  size_t wlen = strlen(word);
  while (*s)
  {
    size_t n = strcspn(s, " ");
    if (n == wlen && !strncasecmp(s, word, wlen)) return 1;
    s += n;
    while (*s == ' ') s++;
  }
  return 0;
}

/* Lines until the tagged one; returns it. Untagged CAPABILITY lines set *has. */
static char const *imap_tagged (dialogue *d, char const *tag, int *has)
{
  size_t tlen = strlen(tag);
  for (;;)
  {
    char const *l = get_line(d);
    if (!strncmp(l, tag, tlen) && l[tlen] == ' ') return l + tlen + 1;
    if (has && !strncasecmp(l, "* CAPABILITY ", 13) && has_token(l + 13, "STARTTLS")) *has = 1;
  }
}

static void do_imap (dialogue *d)
{
  int has = 0;
  char const *l = get_line(d);
  if (strncasecmp(l, "* OK", 4)) die_peer("server greeting is not * OK", l);
  put(d, "A001 CAPABILITY\r\n");
  l = imap_tagged(d, "A001", &has);
  if (strncasecmp(l, "OK", 2)) die_peer("server refused CAPABILITY", l);
  if (!has) strerr_dief(UTLS_EXIT_PROTOCOL, "server does not offer STARTTLS: refusing to go on in plaintext");
  put(d, "A002 STARTTLS\r\n");
  l = imap_tagged(d, "A002", 0);
  if (strncasecmp(l, "OK", 2)) die_peer("server refused STARTTLS", l);
}

/* No local name: an address literal (RFC 5321 4.1.3), else "localhost". */
static char const *default_helo (void)
{
  static char buf[64];
  char const *ip = getenv("TCPLOCALIP");
  size_t n;
  if (!ip || !ip[0] || (n = strlen(ip)) > sizeof buf - 8 || strpbrk(ip, " \r\n[]")) return "localhost";
  if (strchr(ip, ':')) { memcpy(buf, "[IPv6:", 6); memcpy(buf + 6, ip, n); buf[6 + n] = ']'; buf[7 + n] = 0; }
  else { buf[0] = '['; memcpy(buf + 1, ip, n); buf[1 + n] = ']'; buf[2 + n] = 0; }
  return buf;
}

static int env_fd (char const *name)
{
  char const *s = getenv(name);
  unsigned int u;
  if (!s) strerr_dief(UTLS_EXIT_USAGE, name, " is not set: run starttls under ucspitlsd or ucspitlsc");
  if (!uint0_scan(s, &u) || u > 65535) strerr_dief(UTLS_EXIT_USAGE, "invalid ", name, ": ", s);
  return (int)u;
}

/*
 * Puts the TLS channel on to_r/to_w (different: main checks). The only
 * way placing one end can destroy the other is the write end sitting
 * on to_r: it is moved away first, to the lowest free number, which
 * cannot be to_r. Nothing needs a number above the targets, so any
 * target up to 1023 works.
 */
static void place (int rfd, int wfd, int to_r, int to_w)
{
  if (wfd == to_r)
  {
    int fd = fcntl(wfd, F_DUPFD, 0);  /* not close-on-exec: it may be to_w */
    if (fd < 0) strerr_diefusys(UTLS_EXIT_SYS, "duplicate a descriptor");
    fd_close(wfd);
    wfd = fd;
  }
  if (fd_move(to_r, rfd) < 0 || fd_move(to_w, wfd) < 0)
    strerr_diefusys(UTLS_EXIT_SYS, "move descriptors");
}

static int scan_fd (char const *s, char const *what)
{
  unsigned int u;
  if (!uint0_scan(s, &u) || u > 1023) strerr_dief(UTLS_EXIT_USAGE, what, " must be a descriptor number, not: ", s);
  return (int)u;
}

int main (int argc, char const *const *argv)
{
  static utls_envblock block;
  static dialogue d;
  static char const unset[] = "SSLCTLFD\0SSLREADFD\0SSLWRITEFD";
  subgetopt l = SUBGETOPT_ZERO;
  char const *proto = 0;
  char const *helo = getenv("TCPLOCALHOST");  /* "0" under tcpclient -l 0 */
  unsigned int timeout = 60000;
  int client = 0, ctl, rfd, wfd, net_r = 6, net_w = 7;
  PROG = "starttls";
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "v:cp:h:t:6:7:", &l);
    unsigned int u;
    if (opt == -1) break;
    switch (opt)
    {
      case 'v': if (!uint0_scan(l.arg, &u)) strerr_dief(UTLS_EXIT_USAGE, "verbosity (-v) must be an unsigned integer, not: ", l.arg); break;
      case 'c': client = 1; break;
      case 'p': proto = l.arg; client = 1; break;
      case 'h': helo = l.arg; break;
      case 't': if (!uint0_scan(l.arg, &timeout)) strerr_dief(UTLS_EXIT_USAGE, "timeout (-t) must be an unsigned integer, not: ", l.arg); break;
      case '6': net_r = scan_fd(l.arg, "network read descriptor (-6)"); client = 1; break;
      case '7': net_w = scan_fd(l.arg, "network write descriptor (-7)"); client = 1; break;
      default: strerr_dieusage(UTLS_EXIT_USAGE, USAGE);
    }
  }
  argc -= l.ind; argv += l.ind;
  if (!argc) strerr_dieusage(UTLS_EXIT_USAGE, USAGE);
  if (proto && strcmp(proto, "smtp") && strcmp(proto, "lmtp") && strcmp(proto, "pop3") && strcmp(proto, "imap"))
    strerr_dief(UTLS_EXIT_USAGE, "unknown protocol for -p (smtp, lmtp, pop3 or imap): ", proto);
  if (!helo || !helo[0] || !strcmp(helo, "0")) helo = default_helo();
  if (strpbrk(helo, " \r\n")) strerr_dief(UTLS_EXIT_USAGE, "invalid HELO name for -h: ", helo);
  /* The TLS channel needs a descriptor for each direction. */
  if (net_r == net_w) strerr_dief(UTLS_EXIT_USAGE, "-6 and -7 must be two different descriptors");
  ctl = env_fd("SSLCTLFD");
  rfd = env_fd("SSLREADFD");
  wfd = env_fd("SSLWRITEFD");
  if (ctl == rfd || ctl == wfd || rfd == wfd)
    strerr_dief(UTLS_EXIT_USAGE, "SSLCTLFD, SSLREADFD and SSLWRITEFD must be three different descriptors");
  if (fcntl(ctl, F_GETFD) < 0 || fcntl(rfd, F_GETFD) < 0 || fcntl(wfd, F_GETFD) < 0)
    strerr_dief(UTLS_EXIT_USAGE, "SSLCTLFD, SSLREADFD or SSLWRITEFD is not an open descriptor: run starttls under ucspitlsd or ucspitlsc");

  if (proto)
  {
    d.rfd = net_r;
    d.wfd = net_w;
    tain_now_set_stopwatch_g();
    if (timeout) { tain_from_millisecs(&d.deadline, timeout); tain_add_g(&d.deadline, &d.deadline); }
    else d.deadline = tain_infinite;
    if (!strcmp(proto, "smtp") || !strcmp(proto, "lmtp")) do_smtp(&d, helo, proto[0] == 'l');
    else if (!strcmp(proto, "pop3")) do_pop3(&d);
    else do_imap(&d);
    /* Anything after the server's go-ahead was sent before TLS: injected. */
    if (d.len) strerr_dief(UTLS_EXIT_PROTOCOL, "server sent data after its STARTTLS reply (response injection): refusing");
  }
  tlsp_ask_tls(ctl, &block);
  place(rfd, wfd, client ? net_r : 0, client ? net_w : 1);
  tlsp_exec_env(argv, &block, 1, unset, sizeof unset);
}
