/* ISC license. */

/*
 * The record engine, utls_engine_run (src/libutls), against a hostile
 * peer.
 *
 * Each input is one connection. The engine runs here, in the fuzzer's
 * process, with a real BearSSL context: a server (or, with
 * FLAG_ENGINE_CLIENT, a client) whose key and certificate are the test
 * PKI's ec.key/ec.pem, which run.sh generates and names in
 * FUZZ_ENGINE_PKI. Nothing secret is committed.
 *
 * Its network side is one end of a socketpair. The other end belongs to
 * a forked "world": a real BearSSL peer (client, or server) that does
 * the handshake for real, then plays the input as a script of
 * operations: valid application-data records, raw bytes, fragment
 * boundaries, plaintext alerts, close_notify, tampered or truncated
 * records, half-close. Everything the world sends is buffered and
 * leaves in one write(2) at a flush, so that records queued behind the
 * world's Finished (a resumed session when the engine is the server,
 * any full handshake when it is the client) arrive in the same read as
 * that Finished, as a coalescing network or a hostile peer delivers
 * them. A barrier waits until the engine has read everything sent
 * (SIOCOUTQ is 0), so a fragment boundary is a boundary between two
 * reads of the engine, deterministically.
 *
 * Its application side is two pipes, read and written here: the
 * "application" sends one short message and EOF, and what the engine
 * delivers is read back when it returns.
 *
 * Invariants (abort, so libFuzzer keeps the input):
 *  - on_handshake runs at most once, and before any plaintext reached
 *    the application: the bytes waiting in the application's pipe when
 *    it runs must be none (the handover of the handshake facts, and a
 *    refusal of the peer, happen before any data moves: engine.h);
 *  - a refused handshake (FLAG_REFUSE) delivers nothing;
 *  - what the application got is a prefix of the payloads of the valid
 *    application-data records of the script, in order, and equals
 *    bytes_to_app; nothing arrives unless handshake_done;
 *  - the return value agrees with err/sys_errno, every descriptor is
 *    closed, and the world exits 0 (it would die of its alarm, 10 s, if
 *    the engine held the connection open).
 * Every run is bounded: engine deadlines are 2 s, the world's reads
 * 2 s, its barrier 200 ms; a script that plays normally ends in
 * milliseconds.
 *
 * Found and fixed (tests/fuzz/regress/engine, replayed by make check
 * through tests/unit/engine.c): a record of application data that
 * arrived in the same read as the peer's Finished was written to the
 * application before on_handshake ran; with a close_notify in that read
 * too, on_handshake never ran and the run returned 0.
 *
 * Input: byte 0 is flags (below); byte 1 picks the application's
 * message length (0..63); then operations, each an opcode byte and its
 * operands (script_next). FUZZ_VERBOSE=1 traces the world's operations.
 */

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/sockios.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <bearssl.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>

#include <utls/utls.h>
#include <utls/setup.h>
#include <utls/engine.h>
#include "fuzz-common.h"

enum flag_e
{
  FLAG_ENGINE_CLIENT = 1 << 0,  /* the engine is the client, the world the server */
  FLAG_RESUME = 1 << 1,         /* engine server: the world resumes the init session */
  FLAG_LATE = 1 << 2,           /* the script starts before the handshake */
  FLAG_CLOSE_NOTIFY = 1 << 3,   /* UTLS_OPT_CLOSE_NOTIFY */
  FLAG_STRICT_EOF = 1 << 4,     /* UTLS_OPT_STRICT_EOF */
  FLAG_REFUSE = 1 << 5,         /* on_handshake refuses the peer */
  FLAG_APP_GONE = 1 << 6,       /* the application closes its input at once */
};

enum op_e
{
  OP_APP,         /* n, n bytes: one valid application-data record */
  OP_RAW,         /* n, n bytes: raw bytes on the wire */
  OP_FLUSH,       /* write what is buffered, one write(2) */
  OP_BARRIER,     /* flush, then wait until the engine has read it all */
  OP_SPLIT,       /* k: flush in pieces of k+1 bytes, a barrier after each */
  OP_ALERT,       /* level, description: a plaintext alert record */
  OP_CLOSE,       /* a valid close_notify */
  OP_TAMPER,      /* offset, xor, n, n bytes: a record with one byte changed */
  OP_TRUNCATE,    /* keep, n, n bytes: a record cut after keep bytes */
  OP_HALFCLOSE,   /* flush, shutdown(SHUT_WR); the script ends */
  OP_MAX
};

typedef struct script_s script;
struct script_s
{
  uint8_t const *p;
  size_t len;
};

/* One operation: its opcode and operands. data points into the input. */
typedef struct op_s op;
struct op_s
{
  unsigned int code;
  unsigned int a;
  unsigned int b;
  uint8_t const *data;
  size_t len;
};

static unsigned char take (script *s)
{
  unsigned char c = 0;
  if (s->len) { c = *s->p++; s->len--; }
  return c;
}

/* Decodes the next operation. Returns 0 at the end of the script. */
static int script_next (script *s, op *o)
{
  if (!s->len) return 0;
  memset(o, 0, sizeof *o);
  o->code = take(s) % OP_MAX;
  switch (o->code)
  {
    case OP_SPLIT: o->a = take(s); break;
    case OP_ALERT: o->a = take(s); o->b = take(s); break;
    case OP_TAMPER: o->a = take(s); o->b = take(s) | 1; break;
    case OP_TRUNCATE: o->a = take(s); break;
  }
  if (o->code == OP_APP || o->code == OP_RAW || o->code == OP_TAMPER || o->code == OP_TRUNCATE)
  {
    o->len = take(s);
    if (o->len > s->len) o->len = s->len;
    o->data = s->p;
    s->p += o->len;
    s->len -= o->len;
  }
  return 1;
}

/* ---- shared state, set up once ---- */

static utls_chain fz_chain = UTLS_CHAIN_ZERO;
static utls_skey fz_key = UTLS_SKEY_ZERO;
static unsigned char fz_cache_store[16384];
static br_ssl_session_cache_lru fz_cache;
static br_ssl_session_parameters fz_session;  /* the world's, for FLAG_RESUME */
static int fz_have_session;
static int fz_verbose;

/* BearSSL contexts, for whichever side runs in this process. */
static br_ssl_server_context fz_sc;
static br_ssl_client_context fz_cc;
static br_x509_minimal_context fz_xm;
static br_x509_knownkey_context fz_xk;
static unsigned char fz_ibuf[BR_SSL_BUFSIZE_INPUT];
static unsigned char fz_obuf[BR_SSL_BUFSIZE_OUTPUT];

static void seed (br_ssl_engine_context *eng, char const *who)
{
  /* Fixed: the fuzzer wants reproducible runs, not secrecy. */
  unsigned char s[32];
  memset(s, 0, sizeof s);
  memcpy(s, who, strlen(who) < sizeof s ? strlen(who) : sizeof s);
  br_ssl_engine_inject_entropy(eng, s, sizeof s);
}

static br_ssl_engine_context *server_new (int with_cache, char const *who)
{
  br_ssl_server_init_full_ec(&fz_sc, fz_chain.certs, fz_chain.ncerts, BR_KEYTYPE_EC, &fz_key.key.ec);
  utls_engine_algos(&fz_sc.eng, 1);
  br_ssl_engine_set_buffers_bidi(&fz_sc.eng, fz_ibuf, sizeof fz_ibuf, fz_obuf, sizeof fz_obuf);
  br_ssl_engine_set_all_flags(&fz_sc.eng, BR_OPT_ENFORCE_SERVER_PREFERENCES | BR_OPT_NO_RENEGOTIATION);
  if (with_cache) br_ssl_server_set_cache(&fz_sc, &fz_cache.vtable);
  seed(&fz_sc.eng, who);
  FUZZ_ASSERT(br_ssl_server_reset(&fz_sc));
  return &fz_sc.eng;
}

static br_ssl_engine_context *client_new (br_ssl_session_parameters const *resume, char const *who)
{
  br_ssl_client_init_full(&fz_cc, &fz_xm, 0, 0);
  br_x509_knownkey_init_ec(&fz_xk, &fz_chain.ee_key.key.ec, BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
  br_ssl_engine_set_x509(&fz_cc.eng, &fz_xk.vtable);
  utls_engine_algos(&fz_cc.eng, 0);
  br_ssl_engine_set_buffers_bidi(&fz_cc.eng, fz_ibuf, sizeof fz_ibuf, fz_obuf, sizeof fz_obuf);
  br_ssl_engine_set_all_flags(&fz_cc.eng, BR_OPT_NO_RENEGOTIATION);
  if (resume) br_ssl_engine_set_session_parameters(&fz_cc.eng, resume);
  seed(&fz_cc.eng, who);
  FUZZ_ASSERT(br_ssl_client_reset(&fz_cc, "localhost", !!resume));
  return &fz_cc.eng;
}

/* ---- the world: the peer, in a child process ---- */

typedef struct world_s world;
struct world_s
{
  br_ssl_engine_context *eng;
  int fd;
  int shut;
  int dead;        /* the engine or the socket failed: only raw operations remain */
  size_t wlen;
  unsigned char wbuf[65536];
};

static void w_trace (char const *what, size_t n)
{
  if (fz_verbose) fprintf(stderr, "world: %s %zu\n", what, n);
}

static void w_append (world *w, void const *p, size_t n)
{
  if (n > sizeof w->wbuf - w->wlen) n = sizeof w->wbuf - w->wlen;
  memcpy(w->wbuf + w->wlen, p, n);
  w->wlen += n;
}

static void w_flush (world *w)
{
  if (w->wlen && !w->shut)
  {
    w_trace("write", w->wlen);
    if (allwrite(w->fd, (char const *)w->wbuf, w->wlen) < w->wlen) w->shut = 1;
  }
  w->wlen = 0;
}

/* Waits (200 ms at most) until the engine has read all we wrote. */
static void w_barrier (world *w)
{
  unsigned int i = 0;
  w_flush(w);
  for (; i < 2000; i++)
  {
    int n = 0;
    if (ioctl(w->fd, SIOCOUTQ, &n) < 0 || !n) return;
    usleep(100);
  }
}

/* Moves the records our engine produced into wbuf. */
static void w_drain (world *w)
{
  size_t len;
  unsigned char *buf;
  while ((buf = br_ssl_engine_sendrec_buf(w->eng, &len)))
  {
    w_append(w, buf, len);
    br_ssl_engine_sendrec_ack(w->eng, len);
  }
}

/* Reads once from the network into our engine (2 s at most). */
static int w_read (world *w)
{
  struct pollfd p = { .fd = w->fd, .events = POLLIN };
  size_t len;
  unsigned char *buf = br_ssl_engine_recvrec_buf(w->eng, &len);
  ssize_t r;
  if (!buf || poll(&p, 1, 2000) <= 0) return -1;
  r = read(w->fd, buf, len);
  if (r <= 0) return -1;
  br_ssl_engine_recvrec_ack(w->eng, r);
  return 0;
}

/* Runs our engine until it can send application data: its records pile
   up in wbuf, flushed only when it must read. */
static int w_handshake (world *w)
{
  while (!w->dead)
  {
    unsigned int state = br_ssl_engine_current_state(w->eng);
    size_t len;
    if (state & BR_SSL_CLOSED) break;
    if (state & BR_SSL_SENDREC) { w_drain(w); continue; }
    if (state & BR_SSL_RECVAPP)
    {
      br_ssl_engine_recvapp_buf(w->eng, &len);
      br_ssl_engine_recvapp_ack(w->eng, len);
      continue;
    }
    if (state & BR_SSL_SENDAPP) return 0;
    w_flush(w);
    if (w->shut || w_read(w) < 0) break;
  }
  w->dead = 1;
  return -1;
}

/* One record of application data (the payload may be cut to fit).
   Returns the offset of the record in wbuf, or -1. */
static ssize_t w_record (world *w, uint8_t const *data, size_t n)
{
  size_t start, len;
  unsigned char *buf;
  if (w_handshake(w) < 0) return -1;
  start = w->wlen;
  buf = br_ssl_engine_sendapp_buf(w->eng, &len);
  if (!buf) return -1;
  if (n > len) n = len;
  memcpy(buf, data, n);
  br_ssl_engine_sendapp_ack(w->eng, n);
  br_ssl_engine_flush(w->eng, 0);
  w_drain(w);
  return start;
}

static void w_op (world *w, op const *o)
{
  ssize_t at;
  switch (o->code)
  {
    case OP_APP: w_record(w, o->data, o->len); break;
    case OP_RAW: w_append(w, o->data, o->len); break;
    case OP_FLUSH: w_flush(w); break;
    case OP_BARRIER: w_barrier(w); break;
    case OP_SPLIT:
    {
      /* The pieces go from the end of a copy: wbuf is written in place. */
      static unsigned char copy[sizeof w->wbuf];
      size_t total = w->wlen, off = 0, k = o->a + 1;
      unsigned int i = 0;
      memcpy(copy, w->wbuf, total);
      w->wlen = 0;
      for (; off < total; i++)
      {
        size_t n = i < 64 && total - off > k ? k : total - off;
        w_append(w, copy + off, n);
        off += n;
        w_barrier(w);
      }
      break;
    }
    case OP_ALERT:
    {
      unsigned char rec[7] = { 21, 3, 3, 0, 2, (unsigned char)o->a, (unsigned char)o->b };
      w_append(w, rec, sizeof rec);
      break;
    }
    case OP_CLOSE:
      if (w_handshake(w) < 0) break;
      br_ssl_engine_close(w->eng);
      w_drain(w);
      break;
    case OP_TAMPER:
      at = w_record(w, o->data, o->len);
      if (at >= 0 && (size_t)at < w->wlen) w->wbuf[at + o->a % (w->wlen - at)] ^= o->b;
      break;
    case OP_TRUNCATE:
      at = w_record(w, o->data, o->len);
      if (at >= 0 && (size_t)at < w->wlen) w->wlen = at + o->a % (w->wlen - at);
      break;
  }
}

/* After the script: our end of the stream, then whatever the engine
   still sends, until its EOF. */
static void w_finish (world *w)
{
  w_flush(w);
  if (!w->shut) shutdown(w->fd, SHUT_WR);
  for (;;)
  {
    char buf[4096];
    struct pollfd p = { .fd = w->fd, .events = POLLIN };
    if (!w->dead && br_ssl_engine_current_state(w->eng) & BR_SSL_RECVREC)
    {
      if (w_read(w) < 0) w->dead = 1;
      continue;
    }
    if (poll(&p, 1, 2000) <= 0 || read(w->fd, buf, sizeof buf) <= 0) return;
  }
}

static void world_run (int fd, uint8_t const *data, size_t size, unsigned int flags, int report)
{
  static world w;
  script s = { .p = data, .len = size };
  op o;
  memset(&w, 0, sizeof w - sizeof w.wbuf);
  w.fd = fd;
  w.eng = flags & FLAG_ENGINE_CLIENT ? server_new(0, "world server")
        : client_new(flags & FLAG_RESUME && fz_have_session ? &fz_session : 0, "world client");
  if (!(flags & FLAG_LATE)) w_handshake(&w);
  while (script_next(&s, &o))
  {
    if (fz_verbose) fprintf(stderr, "world: op %u len %zu\n", o.code, o.len);
    if (o.code == OP_HALFCLOSE)
    {
      w_flush(&w);
      shutdown(fd, SHUT_WR);
      w.shut = 1;
      break;
    }
    w_op(&w, &o);
  }
  if (report >= 0)
  {
    br_ssl_session_parameters pp;
    br_ssl_engine_get_session_parameters(w.eng, &pp);
    allwrite(report, (char const *)&pp, sizeof pp);
  }
  w_finish(&w);
}

static pid_t world_start (int fd, int other, uint8_t const *data, size_t size, unsigned int flags, int report)
{
  pid_t pid = fork();
  FUZZ_ASSERT(pid >= 0);
  if (pid) return pid;
  close(other);
  alarm(10);
  world_run(fd, data, size, flags, report);
  _exit(0);
}

static void world_wait (pid_t pid)
{
  int wstat;
  pid_t r;
  /* libFuzzer's timer (SIGALRM, for -timeout) interrupts system calls. */
  do r = waitpid(pid, &wstat, 0); while (r < 0 && errno == EINTR);
  FUZZ_ASSERT(r == pid);
  if (!WIFEXITED(wstat) || WEXITSTATUS(wstat))
  {
    fprintf(stderr, "fuzz: the world process ended with status 0x%x%s\n", wstat,
      WIFSIGNALED(wstat) && WTERMSIG(wstat) == SIGALRM ? " (alarm: the engine held the connection)" : "");
    FUZZ_ASSERT(!"world process failed");
  }
}

/* ---- the engine, in this process ---- */

typedef struct run_s run;
struct run_s
{
  int app_read;     /* our end of the engine's app_out, -1 when gone */
  int refuse;
  unsigned int handshakes;
  int early;        /* bytes that reached the application before on_handshake */
};

/* The engine's handshake-done hook: what the handover does in tlsd,
   tlsc and ucspitls[dc], minus the facts. */
static int on_handshake (utls_engine *e, void *data)
{
  run *r = data;
  int n = 0;
  (void)e;
  r->handshakes++;
  if (r->app_read >= 0 && ioctl(r->app_read, FIONREAD, &n) == 0) r->early = n;
  return r->refuse ? UTLS_ERR_NOCLIENTCERT : 0;
}

/* The valid payloads of the script, in order, as the world cuts them. */
static size_t expected (uint8_t const *data, size_t size, unsigned char *out, size_t max)
{
  script s = { .p = data, .len = size };
  op o;
  size_t n = 0;
  while (script_next(&s, &o))
  {
    size_t k = o.len;
    if (o.code == OP_HALFCLOSE) break;
    if (o.code != OP_APP) continue;
    if (k > BR_SSL_BUFSIZE_OUTPUT) k = BR_SSL_BUFSIZE_OUTPUT;
    if (k > max - n) k = max - n;
    memcpy(out + n, o.data, k);
    n += k;
  }
  return n;
}

static size_t drain_pipe (int fd, unsigned char *out, size_t max)
{
  size_t n = 0;
  for (;;)
  {
    ssize_t r = read(fd, out + n, max - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += r;
    FUZZ_ASSERT(n < max);
  }
  return n;
}

static void check_closed (utls_fds const *fds)
{
  FUZZ_ASSERT(fcntl(fds->net_in, F_GETFD) < 0 && errno == EBADF);
  FUZZ_ASSERT(fcntl(fds->app_in, F_GETFD) < 0 && errno == EBADF);
  FUZZ_ASSERT(fcntl(fds->app_out, F_GETFD) < 0 && errno == EBADF);
}

/* One connection: the world on sv[1], the engine on sv[0]. */
static int connection (uint8_t const *script_data, size_t script_len, unsigned int flags, size_t msglen, unsigned char *got, size_t gotmax, size_t *gotlen, int report, utls_engine *e, run *r)
{
  static char const msg[64] = "application says hello, and nothing else, then closes: bye bye.";
  int sv[2], down[2], up[2], rc;
  utls_fds fds;
  pid_t pid;
  FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  pid = world_start(sv[1], sv[0], script_data, script_len, flags, report);
  close(sv[1]);
  /* After the fork: the world must not hold the application's pipes. */
  FUZZ_ASSERT(pipecoe(down) == 0 && pipecoe(up) == 0);
  FUZZ_ASSERT(allwrite(up[1], msg, msglen) == msglen);
  close(up[1]);
  if (flags & FLAG_APP_GONE) { close(down[0]); down[0] = -1; }
  memset(e, 0, sizeof *e);
  memset(r, 0, sizeof *r);
  r->app_read = down[0];
  r->refuse = !!(flags & FLAG_REFUSE);
  fds.net_in = fds.net_out = sv[0];
  fds.app_in = up[0];
  fds.app_out = down[1];
  e->fds = fds;
  e->eng = flags & FLAG_ENGINE_CLIENT ? client_new(0, "engine client") : server_new(1, "engine server");
  e->options = (flags & FLAG_CLOSE_NOTIFY ? UTLS_OPT_CLOSE_NOTIFY : 0)
    | (flags & FLAG_STRICT_EOF ? UTLS_OPT_STRICT_EOF : 0);
  e->handshake_timeout = e->idle_timeout = e->write_timeout = 2000;
  e->on_handshake = &on_handshake;
  e->on_handshake_data = r;
  rc = utls_engine_run(e);
  check_closed(&fds);
  *gotlen = 0;
  if (down[0] >= 0)
  {
    *gotlen = drain_pipe(down[0], got, gotmax);
    close(down[0]);
  }
  world_wait(pid);
  return rc;
}

static void load_pki (void)
{
  char const *dir = getenv("FUZZ_ENGINE_PKI");
  char path[4096];
  int err;
  fz_verbose = !!getenv("FUZZ_VERBOSE");
  if (!dir)
  {
    fprintf(stderr, "fuzz: FUZZ_ENGINE_PKI must name the test PKI directory (tests/pki/gen.sh; run.sh sets it)\n");
    abort();
  }
  snprintf(path, sizeof path, "%s/ec.pem", dir);
  err = utls_chain_readfile(&fz_chain, path);
  if (!err) { snprintf(path, sizeof path, "%s/ec.key", dir); err = utls_skey_readfile(&fz_key, path); }
  if (err)
  {
    fprintf(stderr, "fuzz: unable to load %s: %s\n", path, utls_error_str(err));
    abort();
  }
  FUZZ_ASSERT(fz_key.type == BR_KEYTYPE_EC && fz_chain.ee_key.key_type == BR_KEYTYPE_EC);
}

/* Once: the PKI, and one full handshake whose session FLAG_RESUME resumes. */
static void setup (void)
{
  static unsigned char got[256];
  utls_engine e;
  run r;
  size_t gotlen;
  int rep[2];
  signal(SIGPIPE, SIG_IGN);
  load_pki();
  br_ssl_session_cache_lru_init(&fz_cache, fz_cache_store, sizeof fz_cache_store);
  FUZZ_ASSERT(pipe(rep) == 0);
  if (connection(0, 0, 0, 0, got, sizeof got, &gotlen, rep[1], &e, &r))
  {
    fprintf(stderr, "fuzz: the set-up connection failed: %s (%s)\n", e.err ? utls_error_str(e.err) : e.sys_what, strerror(e.sys_errno));
    abort();
  }
  close(rep[1]);
  FUZZ_ASSERT(allread(rep[0], (char *)&fz_session, sizeof fz_session) == sizeof fz_session);
  close(rep[0]);
  FUZZ_ASSERT(e.handshake_done && r.handshakes == 1);
  fz_have_session = 1;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static int init = 0;
  static unsigned char want[65536], got[65536];
  unsigned int flags;
  size_t msglen, wantlen, gotlen;
  utls_engine e;
  run r;
  int rc;
  if (size < 2 || size > 16384) return 0;
  if (!init) { setup(); init = 1; }
  flags = data[0];
  msglen = data[1] % 64;
  rc = connection(data + 2, size - 2, flags, msglen, got, sizeof got, &gotlen, -1, &e, &r);
  wantlen = expected(data + 2, size - 2, want, sizeof want);
  if (fz_verbose)
    fprintf(stderr, "engine: rc %d err %d (%s) handshake %d hooks %u early %d got %zu of %zu\n",
      rc, e.err, e.err ? utls_error_str(e.err) : "-", e.handshake_done, r.handshakes, r.early, gotlen, wantlen);
  FUZZ_ASSERT(rc >= -1 && rc <= 1);
  FUZZ_ASSERT((rc == 1) == (e.err != 0));
  FUZZ_ASSERT(rc != -1 || e.sys_what);
  FUZZ_ASSERT(r.handshakes <= 1);
  FUZZ_ASSERT(e.handshake_done == (r.handshakes == 1 && !r.refuse));
  /* Delivered with no hook at all (the peer closed in the same read): as early. */
  if (!r.handshakes && gotlen) r.early = gotlen;
  if (r.early)
  {
    fprintf(stderr, "fuzz: %d bytes of application data reached the application before on_handshake ran%s\n", r.early,
      r.handshakes ? "" : " (it never ran: the connection ended first)");
    FUZZ_ASSERT(!"application data before the handshake-done hook");
  }
  if (flags & FLAG_APP_GONE) return 0;
  if (r.refuse) FUZZ_ASSERT(gotlen == 0);
  if (gotlen) FUZZ_ASSERT(e.handshake_done);
  FUZZ_ASSERT(gotlen == e.bytes_to_app);
  FUZZ_ASSERT(gotlen <= wantlen && !memcmp(got, want, gotlen));
  return 0;
}
