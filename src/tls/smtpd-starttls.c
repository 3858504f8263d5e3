/* ISC license. */

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/error.h>
#include <skalibs/iopause.h>
#include <skalibs/sgetopt.h>
#include <skalibs/sig.h>
#include <skalibs/strerr.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include "tls-internal.h"

#define USAGE "smtpd-starttls [ -r ] [ -v verbosity ] [ -t timeout ] smtpd..."

/*
 * smtpd-starttls: STARTTLS for an SMTP server that knows nothing of TLS.
 * It runs as the application of ucspitlsd, spawns smtpd... on two pipes
 * and relays the session between the client (0/1) and it, in one
 * process, with one iopause loop and large buffers. It reads command
 * lines only outside DATA and BDAT payloads, which pass in bulk.
 *
 * Each command sent to the smtpd (or answered here) takes a slot in a
 * queue of expected replies, so that pipelined commands are matched
 * with their replies and our own replies go out in the right order.
 * "Barrier" commands (DATA, AUTH, STARTTLS, and the greeting of the
 * smtpd started inside TLS) stop the interpretation of client bytes
 * until their reply came: what follows them depends on it.
 *
 * At STARTTLS the plaintext smtpd is ended (RFC 3207 4.2: nothing known
 * before TLS may survive), pipelined bytes are discarded (CVE-2011-0411),
 * TLS is asked for with "Y", and the smtpd is started again with the
 * SSL_* variables; its greeting is swallowed (RFC 3207 5).
 */

/* Linux's F_SETPIPE_SZ, which fcntl.h only shows with _GNU_SOURCE. */
#ifdef F_SETPIPE_SZ
# define TLSP_F_SETPIPE_SZ F_SETPIPE_SZ
#else
# define TLSP_F_SETPIPE_SZ 1031
#endif

#define BUF_SIZE 65536
#define OUT_SIZE (2 * BUF_SIZE)
#define CMD_MAX 1024          /* 512 (RFC 5321 4.5.3.1.4) + room for extension parameters */
#define AUTH_LINE_MAX 12288   /* RFC 4954 4 */
#define QUEUE_MAX 128
#define EOF_GRACE 10          /* seconds for the smtpd's last replies after the client's EOF */
#define END_GRACE_MS 500      /* between the steps that end an smtpd */

enum expect_e
{
  EXP_GREETING,       /* the first greeting: relayed */
  EXP_GREETING_TLS,   /* the greeting inside TLS: swallowed (barrier) */
  EXP_PLAIN,          /* relayed as is */
  EXP_EHLO,           /* rewritten */
  EXP_DATA,           /* 354 starts the payload (barrier) */
  EXP_DATA_END,       /* the reply to the message */
  EXP_AUTH,           /* 334 lets one SASL line through (barrier) */
  EXP_STARTTLS,       /* handled here, never sent (barrier) */
  EXP_LOCAL,          /* our own reply, in its turn */
};

enum local_e
{
  LOCAL_530,
  LOCAL_538,
  LOCAL_501,
  LOCAL_503,
  LOCAL_TOOLONG,
  LOCAL_NUL,
};

static char const *const local_text[] =
{
  "530 5.7.0 Must issue a STARTTLS command first\r\n",
  "538 5.7.11 Encryption required for requested authentication mechanism\r\n",
  "501 5.5.4 Syntax error: STARTTLS takes no parameters\r\n",
  "503 5.5.1 TLS already active\r\n",
  "500 5.5.2 Line too long\r\n",
  "500 5.5.2 Syntax error: NUL byte in command\r\n",
};

static char const reply_ready[] = "220 2.0.0 Ready to start TLS\r\n";
static char const reply_timeout[] = "421 4.4.2 Idle timeout, closing connection\r\n";
static char const reply_gone[] = "421 4.3.0 SMTP service ended unexpectedly, closing connection\r\n";
static char const reply_bad[] = "421 4.3.0 SMTP service sent a malformed reply, closing connection\r\n";

/* How the client's bytes are read. */
enum mode_e
{
  MODE_CMD,     /* command lines */
  MODE_SKIP,    /* the rest of an overlong line, thrown away */
  MODE_DATA,    /* DATA payload, up to CRLF . CRLF */
  MODE_BDAT,    /* a BDAT chunk: a count of bytes */
  MODE_SASL,    /* one SASL response line after a 334 */
};

typedef struct bytes_s bytes;
struct bytes_s
{
  size_t start;
  size_t len;
  size_t cap;
  char *s;
};

typedef struct session_fds_s session_fds;
struct session_fds_s
{
  int client_in;
  int client_out;
  int smtpd_in;     /* we read the smtpd's stdout */
  int smtpd_out;    /* we write the smtpd's stdin */
  int ctl;
  int tls_in;
  int tls_out;
};

typedef struct expect_s expect;
struct expect_s
{
  unsigned char kind;
  unsigned char local;
};

typedef struct session_s session;
struct session_s
{
  session_fds fds;
  char const *const *argv;
  pid_t pid;
  unsigned int verbosity;
  unsigned int timeout;         /* seconds, 0 = none */
  int require_tls;
  int tls;
  int chunking;                 /* the last EHLO reply offered CHUNKING */
  int client_eof;
  int closing;                  /* answered the bad greeting: flush and end */
  int gone_said;                /* the smtpd's end was dealt with */
  enum mode_e mode;
  unsigned int dot;             /* bytes of CRLF . CRLF matched in MODE_DATA */
  uint64_t bdat_left;
  int bdat_discard;
  unsigned int barriers;
  unsigned int last_code;       /* of the last reply relayed */
  expect queue[QUEUE_MAX];
  unsigned int qhead;
  unsigned int qlen;
  tain deadline;
  tain eof_deadline;
  size_t badgreet_len;
  char badgreet[1024];
  bytes cin;                    /* from the client */
  bytes sout;                   /* to the smtpd */
  bytes rin;                    /* from the smtpd */
  bytes cout;                   /* to the client */
};

static char cin_buf[BUF_SIZE];
static char sout_buf[BUF_SIZE];
static char rin_buf[BUF_SIZE];
static char cout_buf[OUT_SIZE];

/* ---- buffers */

static char *bytes_data (bytes *b) { return b->s + b->start; }
static size_t bytes_room (bytes const *b) { return b->cap - b->len; }

static void bytes_skip (bytes *b, size_t n)
{
  b->start += n;
  b->len -= n;
  if (!b->len) b->start = 0;
}

/* Room at the end for n more bytes (moves the data down if it must). */
static char *bytes_tail (bytes *b, size_t n)
{
  if (b->start + b->len + n > b->cap)
  {
    memmove(b->s, b->s + b->start, b->len);
    b->start = 0;
  }
  return b->s + b->start + b->len;
}

/* Callers make room first; one that did not is a bug, never an overflow. */
static void bytes_put (bytes *b, char const *s, size_t n)
{
  if (n > bytes_room(b)) strerr_dief(UTLS_EXIT_BUG, "internal error: buffer full");
  memcpy(bytes_tail(b, n), s, n);
  b->len += n;
}

/* ---- the smtpd */

static void set_deadline (session *s)
{
  if (s->timeout)
  {
    tain t;
    tain_uint(&t, s->timeout);
    tain_add_g(&s->deadline, &t);
  }
  else s->deadline = tain_infinite;
}

/*
 * Starts argv on two pipes, with SSL_* replaced by block (0: none) and
 * without the UCSPI-TLS descriptors, which it could not use anyway.
 */
static void spawn_smtpd (session *s, utls_envblock const *block)
{
  static char const unset[] = "SSLCTLFD\0SSLREADFD\0SSLWRITEFD";
  int down[2], up[2];
  unsigned int i = 0;
  if (pipecoe(down) < 0 || pipecoe(up) < 0) strerr_diefusys(UTLS_EXIT_SYS, "create pipes");
  for (; i < 2; i++)
  {
    down[i] = tlsp_fd_high(down[i]);
    up[i] = tlsp_fd_high(up[i]);
  }
  s->pid = fork();
  if (s->pid < 0) strerr_diefusys(UTLS_EXIT_SYS, "fork");
  if (!s->pid)
  {
    if (fd_move(0, down[0]) < 0 || fd_move(1, up[1]) < 0) strerr_diefusys(UTLS_EXIT_SYS, "move descriptors");
    tlsp_exec_env(s->argv, block, 1, unset, sizeof unset);
  }
  fd_close(down[0]);
  fd_close(up[1]);
  /* Room for a whole 64 KiB block and more in flight: fewer wakeups on
     both sides in DATA. Failure just keeps the default size. */
  fcntl(down[1], TLSP_F_SETPIPE_SZ, 262144);
  s->fds.smtpd_out = down[1];
  s->fds.smtpd_in = up[0];
  if (ndelay_on(s->fds.smtpd_out) < 0 || ndelay_on(s->fds.smtpd_in) < 0)
    strerr_diefusys(UTLS_EXIT_SYS, "set the pipes non-blocking");
  s->rin.start = s->rin.len = 0;
  s->sout.start = s->sout.len = 0;
}

/* Waits up to ms for the smtpd to exit. Its exit code, or -1. */
static int wait_exit (pid_t pid, unsigned int ms)
{
  for (;;)
  {
    int wstat;
    pid_t r = waitpid(pid, &wstat, WNOHANG);
    if (r == pid) return wait_estatus(wstat);
    if (r < 0 && errno != EINTR) return UTLS_EXIT_SYS;
    if (!ms) return -1;
    {
      tain t;
      tain_from_millisecs(&t, ms < 10 ? ms : 10);
      tain_add_g(&t, &t);
      iopause_g(0, 0, &t);
    }
    ms = ms < 10 ? 0 : ms - 10;
  }
}

/* The smtpd's output until EOF, thrown away, for at most ms. */
static void drain_smtpd (session *s, unsigned int ms)
{
  tain deadline;
  char buf[4096];
  tain_from_millisecs(&deadline, ms);
  tain_add_g(&deadline, &deadline);
  for (;;)
  {
    iopause_fd x = { .fd = s->fds.smtpd_in, .events = IOPAUSE_READ };
    ssize_t r = iopause_g(&x, 1, &deadline);
    if (r <= 0) return;
    r = fd_read(s->fds.smtpd_in, buf, sizeof buf);
    if (r < 0 && error_isagain(errno)) continue;
    if (r <= 0) return;
  }
}

/*
 * Ends the smtpd: its stdin is closed (qmail-smtpd exits at EOF); if it
 * still runs after a grace, SIGTERM; after another, SIGKILL. Reaped.
 * Returns its exit code (128 + signal if killed).
 */
static int end_smtpd (session *s)
{
  int r;
  if (s->pid <= 0) return 0;
  if (s->fds.smtpd_out >= 0) { fd_close(s->fds.smtpd_out); s->fds.smtpd_out = -1; }
  if (s->fds.smtpd_in >= 0)
  {
    drain_smtpd(s, END_GRACE_MS);
    fd_close(s->fds.smtpd_in);
    s->fds.smtpd_in = -1;
  }
  r = wait_exit(s->pid, END_GRACE_MS);
  if (r < 0)
  {
    kill(s->pid, SIGTERM);
    r = wait_exit(s->pid, END_GRACE_MS);
  }
  if (r < 0)
  {
    int wstat;
    kill(s->pid, SIGKILL);
    r = wait_pid(s->pid, &wstat) < 0 ? UTLS_EXIT_SYS : wait_estatus(wstat);
  }
  s->pid = 0;
  s->sout.len = s->sout.start = 0;
  s->rin.len = s->rin.start = 0;
  return r;
}

/* Ends everything and exits with code, or with the smtpd's code if code < 0. */
static void finish (session *s, int code) gccattr_noreturn;
static void finish (session *s, int code)
{
  int r = end_smtpd(s);
  if (s->verbosity >= 2)
  {
    char fmt[INT_FMT];
    fmt[int_fmt(fmt, r)] = 0;
    strerr_warni("session ended, smtpd exit code ", fmt);
  }
  _exit(code < 0 ? r : code);
}

/*
 * Last words to a client that may not read them: one non-blocking try.
 * What is pending goes first, in order; the words only if they then fit
 * (a client that let the buffer fill up is not reading anyway).
 */
static void last_words (session *s, char const *text)
{
  size_t n = strlen(text);
  if (s->cout.len)
  {
    ssize_t r = fd_write(s->fds.client_out, bytes_data(&s->cout), s->cout.len);
    if (r > 0) bytes_skip(&s->cout, r);
  }
  if (bytes_room(&s->cout) >= n)
  {
    bytes_put(&s->cout, text, n);
    fd_write(s->fds.client_out, bytes_data(&s->cout), s->cout.len);
  }
  s->cout.start = s->cout.len = 0;
}

/* ---- the queue of expected replies */

static int queue_full (session const *s) { return s->qlen >= QUEUE_MAX; }

static expect *queue_head (session *s) { return s->qlen ? &s->queue[s->qhead] : 0; }

static int is_barrier (unsigned int kind)
{
  return kind == EXP_GREETING_TLS || kind == EXP_DATA || kind == EXP_AUTH || kind == EXP_STARTTLS;
}

static void queue_push (session *s, unsigned int kind, unsigned int local)
{
  expect *e = &s->queue[(s->qhead + s->qlen++) % QUEUE_MAX];
  e->kind = kind;
  e->local = local;
  if (is_barrier(kind)) s->barriers++;
}

static void queue_pop (session *s)
{
  if (is_barrier(s->queue[s->qhead].kind)) s->barriers--;
  s->qhead = (s->qhead + 1) % QUEUE_MAX;
  s->qlen--;
}


/* ---- the client's bytes */

/* 1 if the command line p (len bytes, no CR LF) has this verb. */
static int is_verb (char const *p, size_t len, char const *verb)
{
  size_t k = strlen(verb);
  return len >= k && !strncasecmp(p, verb, k) && (len == k || p[k] == ' ' || p[k] == '\t');
}

static int only_blanks (char const *p, size_t len)
{
  for (; len; p++, len--) if (*p != ' ' && *p != '\t') return 0;
  return 1;
}

/* Before TLS with -r: what RFC 3207 4 lets through. */
static int allowed_before_tls (char const *p, size_t len)
{
  static char const *const verbs[] = { "EHLO", "HELO", "STARTTLS", "NOOP", "RSET", "QUIT", 0 };
  char const *const *v = verbs;
  for (; *v; v++) if (is_verb(p, len, *v)) return 1;
  return 0;
}

/* "BDAT size [LAST]" (RFC 3030 2): 1 and the size, or 0 if malformed. */
static int bdat_size (char const *p, size_t len, uint64_t *size)
{
  char num[21];
  size_t i = 4, n = 0;
  while (i < len && p[i] == ' ') i++;
  while (i < len && p[i] >= '0' && p[i] <= '9' && n < 20) num[n++] = p[i++];
  if (!n || n == 20) return 0;
  num[n] = 0;
  if (uint64_scan(num, size) != n) return 0;
  while (i < len && p[i] == ' ') i++;
  if (i + 4 <= len && !strncasecmp(p + i, "LAST", 4)) i += 4;
  return only_blanks(p + i, len - i);
}

/* A command line to the smtpd, with CR LF whatever the client ended it with. */
static void put_command (session *s, char const *p, size_t len)
{
  char *t = bytes_tail(&s->sout, len + 2);
  memcpy(t, p, len);
  t[len] = '\r';
  t[len + 1] = '\n';
  s->sout.len += len + 2;
}

static void warn_client (session *s, char const *what)
{
  if (s->verbosity) strerr_warnw("client ", what);
}

/*
 * One complete command line (n bytes with its LF, len without CR LF):
 * answered here, or sent to the smtpd with the reply it expects queued.
 */
static void do_command (session *s, char const *p, size_t n, size_t len)
{
  unsigned int kind = EXP_PLAIN;
  int local = -1;
  uint64_t chunk = 0;
  int is_bdat = s->chunking && is_verb(p, len, "BDAT") && bdat_size(p, len, &chunk);
  if (is_verb(p, len, "STARTTLS"))
  {
    if (s->tls) local = LOCAL_503;
    else if (!only_blanks(p + 8, len - 8)) local = LOCAL_501;
    else kind = EXP_STARTTLS;
  }
  else if (!s->tls && is_verb(p, len, "AUTH")) local = LOCAL_538;
  else if (!s->tls && s->require_tls && !allowed_before_tls(p, len)) local = LOCAL_530;
  else if (is_verb(p, len, "EHLO")) kind = EXP_EHLO;
  else if (is_verb(p, len, "DATA")) kind = EXP_DATA;
  else if (is_verb(p, len, "AUTH")) kind = EXP_AUTH;
  if (local >= 0) queue_push(s, EXP_LOCAL, local);
  else
  {
    if (kind != EXP_STARTTLS) put_command(s, p, len);
    queue_push(s, kind, 0);
  }
  bytes_skip(&s->cin, n);
  if (is_bdat && chunk)
  {
    /* The chunk is the client's, even when refused: it never reads as commands. */
    s->mode = MODE_BDAT;
    s->bdat_left = chunk;
    s->bdat_discard = local >= 0;
  }
}

/* After a non-2xx greeting inside TLS: that is the answer to this command. */
static int answer_badgreet (session *s, size_t n)
{
  if (bytes_room(&s->cout) < s->badgreet_len) return 0;
  bytes_put(&s->cout, s->badgreet, s->badgreet_len);
  bytes_skip(&s->cin, n);
  s->closing = 1;
  return 1;
}

static int step_cmd (session *s)
{
  char *p = bytes_data(&s->cin);
  char *nl;
  size_t n, len;
  if (s->barriers || !s->cin.len || queue_full(s) || s->closing) return 0;
  nl = memchr(p, '\n', s->cin.len);
  if (!nl)
  {
    if (s->cin.len < AUTH_LINE_MAX && (s->cin.len < CMD_MAX || is_verb(p, s->cin.len, "AUTH"))) return 0;
    warn_client(s, "command line too long: answered 500");
    queue_push(s, EXP_LOCAL, LOCAL_TOOLONG);
    s->mode = MODE_SKIP;
    return 1;
  }
  n = nl - p + 1;
  len = n - 1;
  if (len && p[len - 1] == '\r') len--;
  if (s->badgreet_len) return answer_badgreet(s, n);
  if (n > (is_verb(p, len, "AUTH") ? AUTH_LINE_MAX : CMD_MAX))
  {
    warn_client(s, "command line too long: answered 500");
    queue_push(s, EXP_LOCAL, LOCAL_TOOLONG);
    bytes_skip(&s->cin, n);
    return 1;
  }
  if (memchr(p, 0, len))
  {
    warn_client(s, "command line with a NUL byte: answered 500");
    queue_push(s, EXP_LOCAL, LOCAL_NUL);
    bytes_skip(&s->cin, n);
    return 1;
  }
  if (bytes_room(&s->sout) < len + 2) return 0;
  do_command(s, p, n, len);
  return 1;
}

/* The rest of an overlong line, up to its LF. */
static int step_skip (session *s)
{
  char *p = bytes_data(&s->cin);
  char *nl = memchr(p, '\n', s->cin.len);
  if (!s->cin.len) return 0;
  if (!nl) { bytes_skip(&s->cin, s->cin.len); return 1; }
  bytes_skip(&s->cin, nl - p + 1);
  s->mode = MODE_CMD;
  return 1;
}

/*
 * How many of the n bytes at p belong to the DATA payload, its final
 * CR LF . CR LF included; *done when that was found. s->dot carries a
 * partial match from one read to the next. memchr finds the CRs, so the
 * cost is per line, not per byte.
 */
static size_t scan_data_end (session *s, char const *p, size_t n, int *done)
{
  static char const pat[] = "\r\n.\r\n";
  unsigned int m = s->dot;
  size_t i = 0;
  while (i < n)
  {
    char c;
    if (!m)
    {
      char const *cr = memchr(p + i, '\r', n - i);
      if (!cr) break;
      i = cr - p + 1;
      m = 1;
      continue;
    }
    c = p[i++];
    if (c == pat[m])
    {
      if (++m == 5) { *done = 1; s->dot = 0; return i; }
    }
    else m = c == '\r';
  }
  s->dot = m;
  return n;
}

static int step_data (session *s)
{
  size_t n = s->cin.len < bytes_room(&s->sout) ? s->cin.len : bytes_room(&s->sout);
  int done = 0;
  if (!n) return 0;
  n = scan_data_end(s, bytes_data(&s->cin), n, &done);
  bytes_put(&s->sout, bytes_data(&s->cin), n);
  bytes_skip(&s->cin, n);
  if (done) s->mode = MODE_CMD;
  return 1;
}

static int step_bdat (session *s)
{
  size_t n = s->cin.len;
  if (!s->bdat_discard && n > bytes_room(&s->sout)) n = bytes_room(&s->sout);
  if (n > s->bdat_left) n = s->bdat_left;
  if (!n) return 0;
  if (!s->bdat_discard) bytes_put(&s->sout, bytes_data(&s->cin), n);
  bytes_skip(&s->cin, n);
  s->bdat_left -= n;
  if (!s->bdat_left) s->mode = MODE_CMD;
  return 1;
}

/* One SASL response line after a 334; an overlong one cancels the exchange. */
static int step_sasl (session *s)
{
  char *p = bytes_data(&s->cin);
  char *nl = memchr(p, '\n', s->cin.len);
  size_t n, len;
  if (bytes_room(&s->sout) < AUTH_LINE_MAX + 2) return 0;
  if (!nl || (size_t)(nl - p) >= AUTH_LINE_MAX)
  {
    if (!nl && s->cin.len < AUTH_LINE_MAX) return 0;
    warn_client(s, "SASL response line too long: exchange cancelled");
    put_command(s, "*", 1);
    s->mode = MODE_SKIP;
    return 1;
  }
  n = nl - p + 1;
  len = n - 1;
  if (len && p[len - 1] == '\r') len--;
  put_command(s, p, len);
  bytes_skip(&s->cin, n);
  s->mode = MODE_CMD;
  return 1;
}

static int step_client (session *s)
{
  switch (s->mode)
  {
    case MODE_CMD: return step_cmd(s);
    case MODE_SKIP: return step_skip(s);
    case MODE_DATA: return step_data(s);
    case MODE_BDAT: return step_bdat(s);
    case MODE_SASL: return step_sasl(s);
  }
  return 0;
}

/* ---- the smtpd's replies */

/*
 * The first complete reply in rin: returns its length (0 if it is not
 * all there), sets *code (0 if the final line has no 3-digit code) and
 * *nlines.
 */
static size_t reply_end (session *s, unsigned int *code, unsigned int *nlines)
{
  char const *p = bytes_data(&s->rin);
  size_t i = 0;
  *nlines = 0;
  while (i < s->rin.len)
  {
    char const *nl = memchr(p + i, '\n', s->rin.len - i);
    size_t start = i;
    if (!nl) return 0;
    (*nlines)++;
    i = nl - p + 1;
    if (i - start > 4 && p[start + 3] == '-') continue;
    *code = 0;
    if (i - start >= 4 && p[start] >= '1' && p[start] <= '5' && p[start + 1] >= '0' && p[start + 1] <= '9' && p[start + 2] >= '0' && p[start + 2] <= '9')
      *code = (p[start] - '0') * 100 + (p[start + 1] - '0') * 10 + (p[start + 2] - '0');
    return i;
  }
  return 0;
}

/* The next line of a complete reply (it ends with LF), without CR LF. */
static char const *next_line (char const **p, char const *end, size_t *len)
{
  char const *l = *p;
  char const *nl = memchr(l, '\n', end - l);
  size_t n = nl - l;
  *p = nl + 1;
  if (n && l[n - 1] == '\r') n--;
  *len = n;
  return l;
}

/* 1 if the EHLO reply line (code, separator, keyword...) offers kw. */
static int ehlo_offers (char const *l, size_t len, char const *kw)
{
  size_t k = strlen(kw);
  if (len < 4 + k || strncasecmp(l + 4, kw, k)) return 0;
  return len == 4 + k || l[4 + k] == ' ' || l[4 + k] == '=';
}

/* Before TLS, no AUTH (RFC 4954 4; AUTH= is the old form); inside TLS, no STARTTLS. */
static int ehlo_drop (session const *s, char const *l, size_t len)
{
  return s->tls ? ehlo_offers(l, len, "STARTTLS") : ehlo_offers(l, len, "AUTH");
}

static void put_reply_line (session *s, char const *l, size_t len, char sep)
{
  size_t n = len > 4 ? len : 4;
  char *t = bytes_tail(&s->cout, n + 2);
  memcpy(t, l, len < 3 ? len : 3);
  if (len < 3) memset(t + len, ' ', 3 - len);
  t[3] = sep;
  if (len > 4) memcpy(t + 4, l + 4, len - 4);
  t[n] = '\r';
  t[n + 1] = '\n';
  s->cout.len += n + 2;
}

/*
 * A 250 reply to EHLO, rewritten: lines dropped by ehlo_drop, STARTTLS
 * added last before TLS unless offered, separators redone so that only
 * the last line has a space. Notes whether CHUNKING is offered.
 */
static void relay_ehlo (session *s, char const *p, char const *end)
{
  char const *q = p;
  unsigned int i = 0, last = 0;
  int add = !s->tls;
  s->chunking = 0;
  for (; q < end; i++)
  {
    size_t len;
    char const *l = next_line(&q, end, &len);
    if (i && ehlo_drop(s, l, len)) continue;
    last = i;
    if (i && ehlo_offers(l, len, "STARTTLS")) add = 0;
    if (i && ehlo_offers(l, len, "CHUNKING")) s->chunking = 1;
  }
  for (q = p, i = 0; q < end; i++)
  {
    size_t len;
    char const *l = next_line(&q, end, &len);
    if (i && ehlo_drop(s, l, len)) continue;
    put_reply_line(s, l, len, i == last && !add ? ' ' : '-');
  }
  if (add) bytes_put(&s->cout, "250 STARTTLS\r\n", 14);
}

static void keep_badgreet (session *s, char const *p, size_t n, unsigned int code)
{
  char fmt[UINT_FMT];
  if (n > sizeof s->badgreet) { p = reply_gone; n = strlen(reply_gone); }
  memcpy(s->badgreet, p, n);
  s->badgreet_len = n;
  fmt[uint_fmt(fmt, code)] = 0;
  if (s->verbosity)
    strerr_warnw("the smtpd started inside TLS greeted with code ", fmt, ": it answers the client's next command, then the session ends");
}

static void handover (session *s);

/* Our own replies, and STARTTLS, when their turn comes. */
static int step_local (session *s)
{
  expect *e;
  int progress = 0;
  while ((e = queue_head(s)) && (e->kind == EXP_LOCAL || e->kind == EXP_STARTTLS))
  {
    char const *text;
    if (e->kind == EXP_STARTTLS) { queue_pop(s); handover(s); return 1; }
    text = local_text[e->local];
    if (bytes_room(&s->cout) < strlen(text)) break;
    bytes_put(&s->cout, text, strlen(text));
    s->last_code = (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
    queue_pop(s);
    progress = 1;
  }
  return progress;
}

/* The reply of n bytes at the front of rin, for the expected reply at the head of the queue. */
static void do_reply (session *s, size_t n, unsigned int code)
{
  expect *e = queue_head(s);
  char *p = bytes_data(&s->rin);
  unsigned int kind = e ? e->kind : EXP_PLAIN;   /* unexpected: relayed as is */
  if (kind == EXP_GREETING_TLS)
  {
    if (code < 200 || code > 299) keep_badgreet(s, p, n, code);
    queue_pop(s);
    return;
  }
  s->last_code = code;
  if (kind == EXP_EHLO && code == 250)
    relay_ehlo(s, p, p + n);
  else bytes_put(&s->cout, p, n);
  if (!e) return;
  if (kind == EXP_DATA && code == 354)
  {
    e->kind = EXP_DATA_END;
    s->barriers--;
    s->mode = MODE_DATA;
    s->dot = 2;   /* the payload starts a line */
  }
  else if (kind == EXP_AUTH && code == 334) s->mode = MODE_SASL;
  else queue_pop(s);
}

static int step_reply (session *s)
{
  unsigned int code, nlines;
  int progress = step_local(s);
  size_t n = reply_end(s, &code, &nlines);
  if (!n)
  {
    if (s->rin.len == s->rin.cap)
    {
      if (s->verbosity) strerr_warnw("smtpd reply longer than ", "65536", " bytes: closing the connection");
      last_words(s, reply_bad);
      finish(s, UTLS_EXIT_PROTOCOL);
    }
    return progress;
  }
  if (bytes_room(&s->cout) < n + 2 * nlines + 16) return progress;
  do_reply(s, n, code);
  bytes_skip(&s->rin, n);
  return 1;
}

/* ---- STARTTLS */

/* Reads what the client already sent (pipelined behind STARTTLS), at most 1 MiB. */
static size_t drain_client (session *s)
{
  size_t total = 0;
  while (total < 16 * BUF_SIZE)
  {
    ssize_t r = fd_read(s->fds.client_in, s->cin.s, s->cin.cap);
    if (r < 0 && error_isagain(errno)) break;
    if (r <= 0)
    {
      if (s->verbosity >= 2) strerr_warni("client closed the connection after STARTTLS");
      finish(s, -1);
    }
    total += r;
  }
  s->cin.start = s->cin.len = 0;
  return total;
}

/* Writes all of cout to the client, within the idle timeout. */
static void flush_client (session *s)
{
  while (s->cout.len)
  {
    iopause_fd x = { .fd = s->fds.client_out, .events = IOPAUSE_WRITE };
    ssize_t r = iopause_g(&x, 1, &s->deadline);
    if (r < 0) strerr_diefusys(UTLS_EXIT_SYS, "iopause");
    if (!r)
    {
      if (s->verbosity) strerr_warnw("idle timeout: the client does not read");
      finish(s, UTLS_EXIT_PROTOCOL);
    }
    r = fd_write(s->fds.client_out, bytes_data(&s->cout), s->cout.len);
    if (r < 0 && error_isagain(errno)) continue;
    if (r <= 0)
    {
      if (s->verbosity >= 2) strerr_warni("client went away");
      finish(s, -1);
    }
    bytes_skip(&s->cout, r);
  }
}

/* The raw socket is the engine's now: 0 and 1 become /dev/null. */
static void leave_socket (void)
{
  int fd = open("/dev/null", O_RDWR);
  if (fd < 0) strerr_diefusys(UTLS_EXIT_SYS, "open /dev/null");
  if (fd_copy(0, fd) < 0 || fd_copy(1, fd) < 0) strerr_diefusys(UTLS_EXIT_SYS, "move descriptors");
  if (fd > 1) fd_close(fd);
}

/*
 * STARTTLS, every earlier reply relayed: end the plaintext smtpd, throw
 * away what the client sent after the command, say 220, get TLS, start
 * the smtpd again inside it, and expect its greeting.
 */
static void handover (session *s)
{
  static utls_envblock block;
  size_t dropped = s->cin.len;
  s->cin.start = s->cin.len = 0;
  if (s->client_eof)
  {
    if (s->verbosity >= 2) strerr_warni("client closed the connection after STARTTLS");
    finish(s, -1);
  }
  end_smtpd(s);
  dropped += drain_client(s);
  /* Every earlier reply first, then 220: the buffer may be full. */
  flush_client(s);
  bytes_put(&s->cout, reply_ready, sizeof reply_ready - 1);
  flush_client(s);
  if (s->verbosity >= 2)
  {
    char fmt[SIZE_FMT];
    fmt[size_fmt(fmt, dropped)] = 0;
    strerr_warni("STARTTLS: plaintext smtpd ended, ", fmt, " bytes sent after the command discarded");
  }
  tlsp_ask_tls(s->fds.ctl, &block);
  s->fds.ctl = -1;
  leave_socket();
  s->fds.client_in = s->fds.tls_in;
  s->fds.client_out = s->fds.tls_out;
  fcntl(s->fds.tls_in, TLSP_F_SETPIPE_SZ, 262144);
  if (ndelay_on(s->fds.client_in) < 0 || ndelay_on(s->fds.client_out) < 0)
    strerr_diefusys(UTLS_EXIT_SYS, "set the TLS descriptors non-blocking");
  s->tls = 1;
  s->chunking = 0;
  s->mode = MODE_CMD;
  s->last_code = 0;
  spawn_smtpd(s, &block);
  queue_push(s, EXP_GREETING_TLS, 0);
  set_deadline(s);
  if (s->verbosity >= 2)
  {
    char fmt[PID_FMT];
    fmt[pid_fmt(fmt, s->pid)] = 0;
    strerr_warni("TLS started, smtpd restarted as pid ", fmt);
  }
}

/* ---- the loop */

static void on_timeout (session *s)
{
  if (s->client_eof && !tain_less(&s->deadline, &s->eof_deadline))
  {
    if (s->verbosity) strerr_warnw("the smtpd did not end after the client closed the connection");
    finish(s, -1);
  }
  if (s->verbosity) strerr_warnw("idle timeout: closing the connection");
  last_words(s, reply_timeout);
  finish(s, UTLS_EXIT_PROTOCOL);
}

static void io_client_read (session *s)
{
  ssize_t r;
  if (s->cin.start + s->cin.len == s->cin.cap) bytes_tail(&s->cin, s->cin.cap - s->cin.len);
  r = fd_read(s->fds.client_in, s->cin.s + s->cin.start + s->cin.len, s->cin.cap - s->cin.start - s->cin.len);
  if (r < 0 && error_isagain(errno)) return;
  if (r <= 0)
  {
    tain t;
    if (r < 0 && s->verbosity >= 2) strerr_warnwu("read from the client");
    s->client_eof = 1;
    tain_uint(&t, EOF_GRACE);
    tain_add_g(&s->eof_deadline, &t);
    if (s->mode == MODE_CMD && s->cin.len && !s->barriers && s->verbosity >= 2)
      strerr_warni("client closed the connection in the middle of a command line");
    return;
  }
  s->cin.len += r;
  set_deadline(s);
}

static void io_client_write (session *s)
{
  ssize_t r = fd_write(s->fds.client_out, bytes_data(&s->cout), s->cout.len);
  if (r < 0 && error_isagain(errno)) return;
  if (r <= 0)
  {
    if (s->verbosity >= 2) strerr_warni("client went away");
    finish(s, -1);
  }
  bytes_skip(&s->cout, r);
  set_deadline(s);
}

static void io_smtpd_read (session *s)
{
  ssize_t r;
  if (s->rin.start + s->rin.len == s->rin.cap) bytes_tail(&s->rin, s->rin.cap - s->rin.len);
  r = fd_read(s->fds.smtpd_in, s->rin.s + s->rin.start + s->rin.len, s->rin.cap - s->rin.start - s->rin.len);
  if (r < 0 && error_isagain(errno)) return;
  if (r <= 0)
  {
    fd_close(s->fds.smtpd_in);
    s->fds.smtpd_in = -1;
    return;
  }
  s->rin.len += r;
}

static void io_smtpd_write (session *s)
{
  ssize_t r = fd_write(s->fds.smtpd_out, bytes_data(&s->sout), s->sout.len);
  if (r < 0 && error_isagain(errno)) return;
  if (r <= 0)
  {
    /* It closed its stdin: it is ending; its stdout says when. */
    fd_close(s->fds.smtpd_out);
    s->fds.smtpd_out = -1;
    s->sout.start = s->sout.len = 0;
    return;
  }
  bytes_skip(&s->sout, r);
}

/*
 * What ends a session, checked when no step can go on: the smtpd's
 * stdout closed (all its replies relayed; a 421 of ours if it did not
 * say goodbye itself), the bad greeting answered, or the client's EOF
 * (the smtpd's stdin is closed once every pending command went).
 */
static void check_ends (session *s)
{
  unsigned int code, nlines;
  if (s->fds.smtpd_in < 0 && s->pid > 0 && !s->badgreet_len && !reply_end(s, &code, &nlines))
  {
    if (!s->gone_said)
    {
      s->gone_said = 1;
      /* After the client's EOF, its stdin was closed by us: a normal end. */
      if (!s->client_eof && (s->qlen || (s->last_code != 221 && s->last_code != 421)))
      {
        if (s->verbosity) strerr_warnw("the smtpd ended in the middle of the session");
        if (bytes_room(&s->cout) >= sizeof reply_gone - 1) bytes_put(&s->cout, reply_gone, sizeof reply_gone - 1);
      }
    }
    if (!s->cout.len) finish(s, -1);
  }
  if (s->closing && !s->cout.len) finish(s, -1);
  if (s->client_eof && s->fds.smtpd_out >= 0 && !s->sout.len && !s->barriers && !queue_full(s))
  {
    fd_close(s->fds.smtpd_out);
    s->fds.smtpd_out = -1;
  }
}

static void loop (session *s) gccattr_noreturn;
static void loop (session *s)
{
  for (;;)
  {
    iopause_fd x[4];
    unsigned int n = 0;
    int ic = -1, is = -1, os = -1, oc = -1, r;
    tain deadline;
    while (step_client(s) | step_reply(s)) ;
    check_ends(s);
    /* An smtpd that ended after a bad greeting still gets its answer given. */
    if (!s->client_eof && !s->closing && (s->fds.smtpd_in >= 0 || s->badgreet_len) && bytes_room(&s->cin))
    { x[n].fd = s->fds.client_in; x[n].events = IOPAUSE_READ; ic = n++; }
    if (s->fds.smtpd_in >= 0 && bytes_room(&s->rin))
    { x[n].fd = s->fds.smtpd_in; x[n].events = IOPAUSE_READ; is = n++; }
    if (s->fds.smtpd_out >= 0 && s->sout.len)
    { x[n].fd = s->fds.smtpd_out; x[n].events = IOPAUSE_WRITE; os = n++; }
    if (s->cout.len)
    { x[n].fd = s->fds.client_out; x[n].events = IOPAUSE_WRITE; oc = n++; }
    deadline = s->deadline;
    if (s->client_eof && tain_less(&s->eof_deadline, &deadline)) deadline = s->eof_deadline;
    r = iopause_g(x, n, &deadline);
    if (r < 0) strerr_diefusys(UTLS_EXIT_SYS, "iopause");
    if (!r) { on_timeout(s); continue; }
    if (oc >= 0 && x[oc].revents) io_client_write(s);
    if (os >= 0 && x[os].revents && s->fds.smtpd_out >= 0) io_smtpd_write(s);
    if (is >= 0 && x[is].revents) io_smtpd_read(s);
    if (ic >= 0 && x[ic].revents)
    {
      io_client_read(s);
      /* In bulk, the smtpd's pipe has room: write now, not after a poll. */
      while (step_client(s)) ;
      if (s->fds.smtpd_out >= 0 && s->sout.len) io_smtpd_write(s);
    }
  }
}

/* ---- start */

static int env_fd (char const *name)
{
  char const *v = getenv(name);
  unsigned int u;
  if (!v) strerr_dief(UTLS_EXIT_USAGE, name, " is not set: run smtpd-starttls under ucspitlsd");
  if (!uint0_scan(v, &u) || u > 65535) strerr_dief(UTLS_EXIT_USAGE, "invalid ", name, ": ", v);
  if (u <= 2) strerr_dief(UTLS_EXIT_USAGE, "invalid ", name, ": ", v, " is a standard descriptor");
  if (fcntl((int)u, F_GETFD) < 0)
    strerr_dief(UTLS_EXIT_USAGE, name, "=", v, " is not an open descriptor: run smtpd-starttls under ucspitlsd");
  if (coe((int)u) < 0) strerr_diefusys(UTLS_EXIT_SYS, "set close-on-exec on ", name);
  return (int)u;
}

int main (int argc, char const *const *argv)
{
  static session s;
  subgetopt l = SUBGETOPT_ZERO;
  PROG = "smtpd-starttls";
  s.verbosity = 1;
  s.timeout = 1200;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "rv:t:", &l);
    if (opt == -1) break;
    switch (opt)
    {
      case 'r': s.require_tls = 1; break;
      case 'v': if (!uint0_scan(l.arg, &s.verbosity)) strerr_dief(UTLS_EXIT_USAGE, "verbosity (-v) must be an unsigned integer, not: ", l.arg); break;
      case 't': if (!uint0_scan(l.arg, &s.timeout)) strerr_dief(UTLS_EXIT_USAGE, "timeout (-t) must be an unsigned integer (seconds), not: ", l.arg); break;
      default: strerr_dieusage(UTLS_EXIT_USAGE, USAGE);
    }
  }
  argc -= l.ind; argv += l.ind;
  if (!argc) strerr_dieusage(UTLS_EXIT_USAGE, USAGE);
  if (getenv("SMTPD_REQUIRE_TLS")) s.require_tls = 1;
  s.fds.ctl = env_fd("SSLCTLFD");
  s.fds.tls_in = env_fd("SSLREADFD");
  s.fds.tls_out = env_fd("SSLWRITEFD");
  if (s.fds.ctl == s.fds.tls_in || s.fds.ctl == s.fds.tls_out || s.fds.tls_in == s.fds.tls_out)
    strerr_dief(UTLS_EXIT_USAGE, "SSLCTLFD, SSLREADFD and SSLWRITEFD must be three different descriptors");
  s.fds.client_in = 0;
  s.fds.client_out = 1;
  if (ndelay_on(0) < 0 || ndelay_on(1) < 0) strerr_diefusys(UTLS_EXIT_SYS, "set the connection non-blocking");
  s.cin = (bytes){ .start = 0, .len = 0, .cap = sizeof cin_buf, .s = cin_buf };
  s.sout = (bytes){ .start = 0, .len = 0, .cap = sizeof sout_buf, .s = sout_buf };
  s.rin = (bytes){ .start = 0, .len = 0, .cap = sizeof rin_buf, .s = rin_buf };
  s.cout = (bytes){ .start = 0, .len = 0, .cap = sizeof cout_buf, .s = cout_buf };
  s.argv = argv;
  if (!sig_ignore(SIGPIPE)) strerr_diefusys(UTLS_EXIT_SYS, "ignore SIGPIPE");
  tain_now_set_stopwatch_g();
  spawn_smtpd(&s, 0);
  queue_push(&s, EXP_GREETING, 0);
  set_deadline(&s);
  loop(&s);
}
