/* ISC license. */

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <bearssl.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/bytestr.h>
#include <skalibs/error.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/tai.h>

#include <utls/utls.h>
#include <utls/engine.h>
#include "engine-internal.h"

/*
 * The loop moves bytes between four descriptors and one BearSSL engine.
 *
 * Network input is read in large chunks into netbuf and fed to the
 * engine record by record, so a burst of records costs one read(2).
 * Records the engine produces are copied into a staging area before they
 * are written: a whole handshake flight (ServerHello..ServerHelloDone,
 * or ChangeCipherSpec + Finished) leaves in one write, and in bulk
 * transfers several records leave per write(2).
 *
 * Plaintext is batched the same way on the application side: one
 * readv(2) fills the engine's record buffer and, behind it, plainin
 * (three more records' worth), which is fed to the engine record by
 * record; decrypted records that have another record queued behind them
 * are gathered in plainout and leave with the last one in one writev(2).
 * A bulk transfer costs one pipe system call (and one wake-up of the
 * application) per four records instead of one per record; a small
 * message still goes straight from and to the engine's own buffer,
 * without a copy, so plainin and plainout are never touched by an
 * interactive or idle connection.
 *
 * Directions: "down" is network -> application, "up" is application ->
 * network. The loop ends when both are finished and nothing is staged.
 * A direction never drops bytes silently: either they are delivered,
 * or the failure is recorded in the utls_engine struct.
 *
 * There is one engine per process, so the large buffers are static.
 */

typedef struct loop_state_s loop_state;
struct loop_state_s
{
  utls_engine *e;
  br_ssl_engine_context *eng;
  size_t net_start;
  size_t net_end;
  size_t stage_start;
  size_t stage_end;
  size_t net_high;
  size_t stage_high;
  size_t in_start;
  size_t in_end;
  size_t in_high;
  size_t out_start;
  size_t out_end;
  size_t out_high;
  tain handshake_deadline;  /* infinite once the handshake is done */
  tain idle_deadline;       /* infinite before the handshake and without -I */
  tain write_deadline;      /* valid while write_armed */
  int write_armed;          /* records wait for the network */
  int write_queued;         /* then: bytes in the socket's send queue when armed, -1 unknown */
  int net_in_eof;
  int net_hup;
  int net_out_shut;
  int in_flush;
  int busy;
  int close_sent;
  int failed;
};

/* Page-aligned, so that an idle connection can give their pages back (idle_release). */
#ifdef __GNUC__
# define PAGE_ALIGNED __attribute__((aligned (4096)))
#else
# define PAGE_ALIGNED
#endif

static unsigned char netbuf[UTLS_NETBUF_SIZE] PAGE_ALIGNED;
static unsigned char stage[UTLS_STAGE_SIZE] PAGE_ALIGNED;
static unsigned char plainin[UTLS_PLAIN_SIZE] PAGE_ALIGNED;
static unsigned char plainout[UTLS_PLAIN_SIZE] PAGE_ALIGNED;

static void fd_close_set (int *fd)
{
  if (*fd >= 0) fd_close(*fd);
  *fd = -1;
}

/* Records an error and marks the connection failed. First error wins. */
static void fail_tls (loop_state *st, int err)
{
  if (!st->failed)
  {
    st->e->err = err;
    st->e->err_after_handshake = st->e->handshake_done;
  }
  st->failed = 1;
}

static void fail_sys (loop_state *st, char const *what)
{
  if (!st->failed)
  {
    st->e->sys_errno = errno;
    st->e->sys_what = what;
  }
  st->failed = 2;
}

/*
 * Moves data between memory areas without system calls: staged network
 * input into the engine, engine records into the staging area, and
 * decrypted data into the void when the application cannot take it any
 * more. Stops when nothing moves.
 */
static void pump (loop_state *st)
{
  br_ssl_engine_context *eng = st->eng;
  int progress = 1;
  while (progress)
  {
    unsigned char *buf;
    size_t len;
    progress = 0;
    buf = br_ssl_engine_sendrec_buf(eng, &len);
    if (buf && st->stage_end < UTLS_STAGE_SIZE)
    {
      if (len > UTLS_STAGE_SIZE - st->stage_end) len = UTLS_STAGE_SIZE - st->stage_end;
      memcpy(stage + st->stage_end, buf, len);
      st->stage_end += len;
      if (st->stage_end > st->stage_high) st->stage_high = st->stage_end;
      br_ssl_engine_sendrec_ack(eng, len);
      progress = 1;
    }
    /* Nothing after the peer's Finished is decrypted before
       handshake_check has run on_handshake: records that came in the
       same read wait in netbuf. */
    if (st->net_start < st->net_end
     && (st->e->handshake_done || !(br_ssl_engine_current_state(eng) & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))))
    {
      buf = br_ssl_engine_recvrec_buf(eng, &len);
      if (buf)
      {
        if (len > st->net_end - st->net_start) len = st->net_end - st->net_start;
        memcpy(buf, netbuf + st->net_start, len);
        st->net_start += len;
        if (st->net_start == st->net_end) st->net_start = st->net_end = 0;
        br_ssl_engine_recvrec_ack(eng, len);
        progress = 1;
      }
    }
    if (st->e->fds.app_out < 0)
    {
      buf = br_ssl_engine_recvapp_buf(eng, &len);
      if (buf)
      {
        br_ssl_engine_recvapp_ack(eng, len);
        progress = 1;
      }
    }
  }
}

static void net_write (loop_state *st)
{
  ssize_t r = fd_write(st->e->fds.net_out, (char const *)stage + st->stage_start, st->stage_end - st->stage_start);
  if (r < 0)
  {
    unsigned int state = br_ssl_engine_current_state(st->eng);
    if (error_isagain(errno)) return;
    /* Only a closing alert was left to send, and the peer is gone: the
       connection ended, it did not fail. */
    if (((state & BR_SSL_CLOSED) && !br_ssl_engine_last_error(st->eng))
     || (st->close_sent && st->e->fds.app_in < 0))
    {
      st->stage_start = st->stage_end = 0;
      return;
    }
    fail_sys(st, "write to network");
    return;
  }
  st->stage_start += r;
  if (st->stage_start == st->stage_end) st->stage_start = st->stage_end = 0;
  /* Progress: the peer reads. The deadline starts again from now. */
  st->write_armed = 0;
}

static void net_read (loop_state *st)
{
  ssize_t r;
  if (st->net_start && st->net_end == UTLS_NETBUF_SIZE)
  {
    memmove(netbuf, netbuf + st->net_start, st->net_end - st->net_start);
    st->net_end -= st->net_start;
    st->net_start = 0;
  }
  r = fd_read(st->e->fds.net_in, (char *)netbuf + st->net_end, UTLS_NETBUF_SIZE - st->net_end);
  if (r < 0)
  {
    if (error_isagain(errno)) return;
    fail_sys(st, "read from network");
    return;
  }
  if (!r) { st->net_in_eof = 1; return; }
  if (!st->e->bytes_from_net && r)
  {
    st->e->first_byte = netbuf[st->net_end];
    if (st->e->on_first_input) (*st->e->on_first_input)(netbuf + st->net_end, r);
  }
  st->e->bytes_from_net += r;
  st->net_end += r;
  if (st->net_end > st->net_high) st->net_high = st->net_end;
}

/* The network reported an error while we had no room to read: take it. */
static void net_error (loop_state *st)
{
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(st->e->fds.net_in, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || !err) err = ECONNRESET;
  errno = err;
  fail_sys(st, "read from network");
}

/* The application stopped reading: what it did not take is dropped,
   which is what a closed pipe means. Not a connection failure. */
static void app_gone (loop_state *st)
{
  fd_close_set(&st->e->fds.app_out);
  st->out_start = st->out_end = 0;
}

/* Writes decrypted data until the pipe is full or nothing is left. While
   another record waits in netbuf behind the current one, the current one
   is moved to plainout, so that up to four records leave per writev(2). */
static void app_write (loop_state *st)
{
  unsigned int i = 0;
  /* The peer is not accepted yet (pump holds its data back anyway). */
  if (!st->e->handshake_done) return;
  for (; i < 8; i++)
  {
    struct iovec v[2];
    unsigned int n = 0;
    size_t len = 0, total = 0, w;
    unsigned char *buf = br_ssl_engine_recvapp_buf(st->eng, &len);
    ssize_t r;
    while (buf && st->net_start < st->net_end && UTLS_PLAIN_SIZE - st->out_end >= len)
    {
      memcpy(plainout + st->out_end, buf, len);
      st->out_end += len;
      if (st->out_end > st->out_high) st->out_high = st->out_end;
      br_ssl_engine_recvapp_ack(st->eng, len);
      pump(st);
      buf = br_ssl_engine_recvapp_buf(st->eng, &len);
    }
    if (st->out_start < st->out_end)
    {
      v[n].iov_base = plainout + st->out_start;
      v[n++].iov_len = st->out_end - st->out_start;
      total += st->out_end - st->out_start;
    }
    if (buf)
    {
      v[n].iov_base = buf;
      v[n++].iov_len = len;
      total += len;
    }
    if (!n) return;
    r = fd_writev(st->e->fds.app_out, v, n);
    if (r < 0)
    {
      if (!error_isagain(errno)) app_gone(st);
      return;
    }
    st->e->bytes_to_app += r;
    w = r;
    if (st->out_start < st->out_end)
    {
      size_t k = st->out_end - st->out_start;
      if (k > w) k = w;
      st->out_start += k;
      w -= k;
      if (st->out_start == st->out_end) st->out_start = st->out_end = 0;
    }
    if (w) br_ssl_engine_recvapp_ack(st->eng, w);
    if ((size_t)r < total) return;
    pump(st);
  }
}

/* Feeds plaintext left in plainin to the engine while it has room, and
   flushes the last record when the read that filled plainin was short. */
static void feed_plain (loop_state *st)
{
  while (st->in_start < st->in_end)
  {
    size_t len;
    unsigned char *buf = br_ssl_engine_sendapp_buf(st->eng, &len);
    if (!buf) return;
    if (len > st->in_end - st->in_start) len = st->in_end - st->in_start;
    memcpy(buf, plainin + st->in_start, len);
    br_ssl_engine_sendapp_ack(st->eng, len);
    st->in_start += len;
    pump(st);
  }
  st->in_start = st->in_end = 0;
  if (st->in_flush)
  {
    br_ssl_engine_flush(st->eng, 0);
    st->in_flush = 0;
  }
}

/* Reads plaintext from the application: one readv(2) into the engine's
   record buffer and plainin behind it, while the staging area has room. */
static void app_read (loop_state *st)
{
  unsigned int i = 0;
  for (; i < 4 && st->in_start == st->in_end; i++)
  {
    struct iovec v[2];
    size_t len;
    unsigned char *buf = br_ssl_engine_sendapp_buf(st->eng, &len);
    ssize_t r;
    if (!buf) break;
    v[0].iov_base = buf;
    v[0].iov_len = len;
    v[1].iov_base = plainin;
    v[1].iov_len = UTLS_PLAIN_SIZE;
    r = fd_readv(st->e->fds.app_in, v, 2);
    if (r <= 0)
    {
      if (r < 0 && error_isagain(errno)) { br_ssl_engine_flush(st->eng, 0); break; }
      /* EOF, or a read error that means the same thing for a pipe. */
      fd_close_set(&st->e->fds.app_in);
      br_ssl_engine_flush(st->eng, 0);
      break;
    }
    st->e->bytes_to_net += r;
    if ((size_t)r <= len)
    {
      br_ssl_engine_sendapp_ack(st->eng, r);
      if ((size_t)r < len) { br_ssl_engine_flush(st->eng, 0); break; }
      pump(st);
    }
    else
    {
      br_ssl_engine_sendapp_ack(st->eng, len);
      pump(st);
      st->in_start = 0;
      st->in_end = r - len;
      if (st->in_end > st->in_high) st->in_high = st->in_end;
      st->in_flush = st->in_end < UTLS_PLAIN_SIZE;
      feed_plain(st);
      /* Stop with plaintext left (no room), or after a short read. */
      if (st->in_start < st->in_end || (size_t)r < len + UTLS_PLAIN_SIZE) break;
    }
    if (UTLS_STAGE_SIZE - st->stage_end < BR_SSL_BUFSIZE_OUTPUT) break;
  }
}

/*
 * The alerts peers send to complain that our TCP half-close came
 * without close_notify (-s), after having read all we sent: OpenSSL 3
 * says decode_error, GnuTLS unexpected_message. A record we sent that
 * was tampered with or cut inside would fail its AEAD tag instead
 * (bad_record_mac), and one cut at a record boundary looks to the peer
 * exactly like our half-close: -s cannot tell, -S can.
 */
static int eof_complaint (int err)
{
  return err == BR_ERR_RECV_FATAL_ALERT + BR_ALERT_DECODE_ERROR
      || err == BR_ERR_RECV_FATAL_ALERT + BR_ALERT_UNEXPECTED_MESSAGE;
}

/*
 * The session is closed. A fatal alert is a failure, except a complaint
 * about our own end of data (eof_complaint). Any other alert then
 * (bad_record_mac, decrypt_error...) says that what we sent did not
 * arrive intact: a failure, not an end. A peer close_notify while the
 * application still had data to send cuts that data off: TLS 1.2 (and
 * BearSSL) cannot send after it.
 */
static int closed (loop_state *st)
{
  utls_engine *e = st->e;
  int err = br_ssl_engine_last_error(st->eng);
  if (eof_complaint(err) && st->net_out_shut && !st->close_sent)
    e->peer_alert_after_eof = err - BR_ERR_RECV_FATAL_ALERT;
  else if (err) fail_tls(st, err);
  else if (!st->close_sent)
  {
    e->peer_close_notify = 1;
    if (e->fds.app_in >= 0 || st->in_start < st->in_end)
    {
      int waiting = 0;
      e->app_output_cut = 1;
      /* What the application wrote and will never reach the peer: read
         into plainin, or still in the pipe. Counted, to be reported. */
      if (e->fds.app_in >= 0 && ioctl(e->fds.app_in, FIONREAD, &waiting) < 0) waiting = 0;
      e->app_bytes_discarded = (st->in_end - st->in_start) + (waiting > 0 ? (uint64_t)waiting : 0);
    }
  }
  fd_close_set(&e->fds.app_in);
  /* Read from the application but never sent: not counted as sent. */
  e->bytes_to_net -= st->in_end - st->in_start;
  st->in_start = st->in_end = 0;
  /* A failure: finish() closes the application's input, after truncated(). */
  if (st->failed) return 1;
  /* Decrypted data still in plainout is the peer's: deliver it first. */
  if (st->out_start == st->out_end) fd_close_set(&e->fds.app_out);
  return e->fds.app_out < 0 && st->stage_start == st->stage_end;
}

/* Applies end-of-stream rules. Returns 1 when the loop is over, -1 when
   the engine has work to do before the next poll, 0 otherwise. */
static int check_ends (loop_state *st, unsigned int state)
{
  utls_engine *e = st->e;
  if (state & BR_SSL_CLOSED) return closed(st);
  if (st->net_in_eof && st->net_start == st->net_end)
  {
    if (!e->handshake_done) { fail_tls(st, UTLS_ERR_PEEREOF); return 1; }
    e->peer_eof = 1;
    if (e->options & UTLS_OPT_STRICT_EOF) { fail_tls(st, UTLS_ERR_PEEREOF); return 1; }
    if (!(state & BR_SSL_RECVAPP) && st->out_start == st->out_end) fd_close_set(&e->fds.app_out);
  }
  if (e->fds.app_in < 0 && st->in_start == st->in_end && !st->net_out_shut && !(state & BR_SSL_SENDREC) && st->stage_start == st->stage_end)
  {
    if ((e->options & UTLS_OPT_CLOSE_NOTIFY) && !st->close_sent && e->handshake_done)
    {
      /* The close_notify goes out through the normal path; shut down once it is sent. */
      br_ssl_engine_close(st->eng);
      /* BearSSL puts the alert in the output buffer but only closes the
         record on the next engine event: force it out now. */
      br_ssl_engine_flush(st->eng, 0);
      st->close_sent = 1;
      return -1;
    }
    shutdown(e->fds.net_out, SHUT_WR);
    st->net_out_shut = 1;
  }
  return e->fds.app_out < 0 && e->fds.app_in < 0 && st->net_out_shut;
}

/* Fills the poll set from the engine state. Returns the number of entries. */
static unsigned int want (loop_state *st, unsigned int state, iopause_fd *x, int *idx)
{
  utls_fds *fds = &st->e->fds;
  unsigned int n = 0;
  idx[0] = idx[1] = idx[2] = idx[3] = -1;
  if (!st->net_in_eof && (st->net_end < UTLS_NETBUF_SIZE || !st->net_hup))
  {
    /* Polled even when full, to learn of a reset while the application
       is not reading: it would otherwise keep us waiting for ever. */
    x[n].fd = fds->net_in; x[n].events = st->net_end < UTLS_NETBUF_SIZE ? IOPAUSE_READ : 0; idx[0] = n++;
  }
  if (st->stage_start < st->stage_end)
  {
    x[n].fd = fds->net_out; x[n].events = IOPAUSE_WRITE; idx[1] = n++;
  }
  if (fds->app_in >= 0 && (state & BR_SSL_SENDAPP) && st->in_start == st->in_end && UTLS_STAGE_SIZE - st->stage_end >= BR_SSL_BUFSIZE_OUTPUT)
  {
    x[n].fd = fds->app_in; x[n].events = IOPAUSE_READ; idx[2] = n++;
  }
  if (fds->app_out >= 0)
  {
    /* Polled even with nothing to write, to learn early that the reader is gone. */
    x[n].fd = fds->app_out; x[n].events = (state & BR_SSL_RECVAPP) || st->out_start < st->out_end ? IOPAUSE_WRITE : 0; idx[3] = n++;
  }
  return n;
}

/*
 * Timeouts. Each is a deadline: the handshake's (-K) from the start, the
 * idle one (-I) from the last plaintext moved either way, the write one
 * (-L) from the last byte the network took while records waited for it.
 * They are checked after every poll, not only when poll times out: a
 * peer that keeps the socket busy (warning alerts, empty records, one
 * byte at a time) must not outlive a deadline. Only plaintext counts as
 * activity for -I, so such a peer cannot keep an idle connection alive.
 */
static void deadline_in (tain *d, unsigned int ms)
{
  if (!ms) { *d = tain_infinite; return; }
  tain_from_millisecs(d, ms);
  tain_add_g(d, d);
}

static void earliest (loop_state const *st, tain *d)
{
  *d = st->handshake_deadline;
  if (tain_less(&st->idle_deadline, d)) *d = st->idle_deadline;
  if (st->write_armed && tain_less(&st->write_deadline, d)) *d = st->write_deadline;
}

/* Bytes the kernel holds for the peer (not sent, or not acknowledged),
   -1 if it cannot tell (not a TCP socket). */
static int send_queue (int fd)
{
#ifdef TIOCOUTQ
  int n;
  if (ioctl(fd, TIOCOUTQ, &n) == 0 && n >= 0) return n;
#else
  (void)fd;
#endif
  return -1;
}

/* Arms the write deadline when records start to wait, disarms it when none do. */
static void write_watch (loop_state *st)
{
  if (st->stage_start == st->stage_end) st->write_armed = 0;
  else if (!st->write_armed)
  {
    deadline_in(&st->write_deadline, st->e->write_timeout);
    st->write_armed = !!st->e->write_timeout;
    st->write_queued = send_queue(st->e->fds.net_out);
  }
}

/*
 * The write deadline has passed. The socket may still have been
 * draining: Linux says a TCP socket is writable only when a third of its
 * buffer is free, which a slow but steady reader takes long to empty.
 * Progress is then the kernel's send queue going down (the peer
 * acknowledged bytes): the deadline starts again. Returns 1 if stalled.
 */
static int write_stalled (loop_state *st)
{
  int q = send_queue(st->e->fds.net_out);
  if (q < 0 || st->write_queued < 0 || q >= st->write_queued) return 1;
  st->write_queued = q;
  deadline_in(&st->write_deadline, st->e->write_timeout);
  return 0;
}

/* After a poll: fails the connection if a deadline has passed. */
static void deadlines_check (loop_state *st)
{
  if (!tain_less(&STAMP, &st->handshake_deadline)) fail_tls(st, UTLS_ERR_TIMEOUT);
  else if (st->write_armed && !tain_less(&STAMP, &st->write_deadline) && write_stalled(st)) fail_tls(st, UTLS_ERR_STALLED);
  else if (!tain_less(&STAMP, &st->idle_deadline)) fail_tls(st, UTLS_ERR_IDLE);
}

/*
 * Runs on_handshake once the handshake is complete, before any record
 * that followed the peer's Finished is decrypted (pump waits for it).
 * Returns 1 when it has just accepted the peer: the records held back
 * are then processed before the next poll.
 */
static int handshake_check (loop_state *st, unsigned int state)
{
  utls_engine *e = st->e;
  if (e->handshake_done || !(state & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))) return 0;
  if (e->on_handshake)
  {
    /* Still counted as part of the handshake if it refuses the peer. */
    int r = (*e->on_handshake)(e, e->on_handshake_data);
    if (r) { fail_tls(st, r); return 0; }
  }
  e->handshake_done = 1;
  st->handshake_deadline = tain_infinite;
  deadline_in(&st->idle_deadline, e->idle_timeout);
  return 1;
}

/*
 * A connection that has been idle for UTLS_IDLE_RELEASE ms gives back the
 * pages its empty buffers dirtied, so that thousands of idle connections
 * (IMAP, SMTP, keep-alive HTTP) cost only the pages they really hold.
 * Only our own buffers, and only when empty: their contents are dead.
 * MADV_DONTNEED makes the pages zero-fill-on-demand again; where it does
 * not exist or fails, nothing is lost but the saving.
 */
static void release_range (unsigned char *p, size_t *high, size_t size)
{
#ifdef MADV_DONTNEED
  static uintptr_t mask = 0;
  uintptr_t start, end, limit;
  if (!mask)
  {
    long pg = sysconf(_SC_PAGESIZE);
    mask = pg > 0 ? (uintptr_t)pg - 1 : ~(uintptr_t)0;
  }
  if (mask == ~(uintptr_t)0) return;
  /* Whole pages inside the buffer only, whatever the page size. */
  start = ((uintptr_t)p + mask) & ~mask;
  end = ((uintptr_t)p + *high + mask) & ~mask;
  limit = ((uintptr_t)p + size) & ~mask;
  if (end > limit) end = limit;
  if (end <= start || madvise((void *)start, end - start, MADV_DONTNEED) < 0) return;
  /* Zero-filled now: nothing left for finish() to wipe, if all went. */
  if (start == (uintptr_t)p && end >= (uintptr_t)p + *high) *high = 0;
#else
  (void)p; (void)high; (void)size;
#endif
}

/* Idle: nothing waits in our buffers or in the engine. A connection
   blocked on a full pipe or socket is not idle, and is not woken. */
static int idle (loop_state const *st, unsigned int state)
{
  return st->e->handshake_done && !(state & BR_SSL_RECVAPP)
    && st->net_start == st->net_end && st->stage_start == st->stage_end
    && st->in_start == st->in_end && st->out_start == st->out_end;
}

static void idle_release (loop_state *st)
{
  release_range(netbuf, &st->net_high, UTLS_NETBUF_SIZE);
  release_range(stage, &st->stage_high, UTLS_STAGE_SIZE);
  release_range(plainin, &st->in_high, UTLS_PLAIN_SIZE);
  release_range(plainout, &st->out_high, UTLS_PLAIN_SIZE);
  st->busy = 0;
}

/* One poll round and the I/O it allows, in the fixed order of STYLE.md;
   what a fill step produced is flushed at once, without waiting for a poll. */
static void io_round (loop_state *st, unsigned int state)
{
  iopause_fd x[4];
  int idx[4];
  unsigned int n = want(st, state, x, idx);
  int r;
  tain deadline;
  if (!n) { fail_tls(st, BR_ERR_BAD_STATE); return; }
  write_watch(st);
  earliest(st, &deadline);
  if (st->busy && idle(st, state))
  {
    /* Wait at most UTLS_IDLE_RELEASE ms, then give the buffers back and
       wait for real: one extra wake-up per idle period, none in bulk. */
    tain d;
    tain_from_millisecs(&d, UTLS_IDLE_RELEASE);
    tain_add_g(&d, &d);
    if (tain_less(&deadline, &d)) d = deadline;
    r = iopause_g(x, n, &d);
    if (!r && tain_less(&d, &deadline)) { idle_release(st); return; }
  }
  else r = iopause_g(x, n, &deadline);
  if (r < 0) { fail_sys(st, "iopause"); return; }
  deadlines_check(st);
  if (st->failed || !r) return;
  st->busy = 1;
  if (idx[3] >= 0 && x[idx[3]].revents)
  {
    if (x[idx[3]].revents & IOPAUSE_WRITE) app_write(st);
    else if (x[idx[3]].revents & IOPAUSE_EXCEPT) app_gone(st);
  }
  if (idx[1] >= 0 && x[idx[1]].revents) net_write(st);
  if (st->failed) return;
  if (idx[2] >= 0 && x[idx[2]].revents)
  {
    app_read(st);
    /* Records just staged usually fit in the socket buffer: try now
       rather than after another poll. EAGAIN only means "poll first". */
    if (st->stage_start < st->stage_end) net_write(st);
    if (st->failed) return;
  }
  if (idx[0] >= 0 && x[idx[0]].revents)
  {
    if (x[idx[0]].events)
    {
      net_read(st);
      /* The same for decrypted data and the pipe to the application. */
      if (!st->failed && st->e->fds.app_out >= 0)
      {
        pump(st);
        app_write(st);
      }
    }
    else if (x[idx[0]].revents & POLLERR) net_error(st);
    else st->net_hup = 1;  /* hung up, data may remain: read it when there is room */
  }
}

static void set_nodelay (int fd)
{
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/*
 * -J: the peer's data ended some other way than with close_notify (a TCP
 * EOF, a reset, a fatal alert, a bad record, a timeout), so what the
 * application has read may be cut short. A pipe can only say EOF, which
 * would look like a complete stream: the application is sent SIGTERM
 * first, and its input is closed only afterwards. The signal is pending
 * before the EOF can be read, so an application that does not catch it
 * dies without ever seeing the EOF; one that catches it knows.
 */
static void truncated (loop_state *st)
{
  utls_engine *e = st->e;
  siginfo_t info = { .si_pid = 0 };
  if (!st->failed || !e->handshake_done || !(e->options & UTLS_OPT_STRICT_EOF) || e->app_pid <= 0 || e->fds.app_out < 0) return;
  /* Already gone (not reaped yet): it never saw an EOF from us. */
  if (!waitid(P_PID, e->app_pid, &info, WEXITED | WNOHANG | WNOWAIT) && info.si_pid == e->app_pid) return;
  if (kill(e->app_pid, SIGTERM) == 0) e->app_signalled = 1;
  /* The engine dropped its privileges and the application kept its
     own: the kernel signals it for us, with the rights of the armer. */
  else if (errno == EPERM && e->app_sigfd > 0 && fd_write(e->app_sigfd, "", 1) == 1) e->app_signalled = 1;
}

static void finish (loop_state *st)
{
  utls_fds *fds = &st->e->fds;
  truncated(st);
  /* A fatal alert may still be staged: give it one chance to leave. */
  if (st->stage_start < st->stage_end && st->failed != 2)
    fd_write(fds->net_out, (char const *)stage + st->stage_start, st->stage_end - st->stage_start);
  fd_close_set(&fds->app_in);
  fd_close_set(&fds->app_out);
  if (fds->net_out != fds->net_in) fd_close_set(&fds->net_out);
  fd_close_set(&fds->net_in);
  fds->net_out = -1;
  /* Only what was used: pages an idle connection never touched stay untouched. */
  byte_zzero((char *)netbuf, st->net_high);
  byte_zzero((char *)stage, st->stage_high);
  byte_zzero((char *)plainin, st->in_high);
  byte_zzero((char *)plainout, st->out_high);
}

int utls_engine_run (utls_engine *e)
{
  loop_state st = { .e = e, .eng = e->eng };
  utls_fds *fds = &e->fds;
  int r;
  ndelay_on(fds->net_in);
  ndelay_on(fds->net_out);
  ndelay_on(fds->app_in);
  ndelay_on(fds->app_out);
  set_nodelay(fds->net_out);
  tain_now_set_stopwatch_g();
  deadline_in(&st.handshake_deadline, e->handshake_timeout);
  st.idle_deadline = tain_infinite;

  for (;;)
  {
    uint64_t moved = e->bytes_to_app + e->bytes_to_net;
    unsigned int state;
    if (st.in_start < st.in_end) feed_plain(&st);
    pump(&st);
    state = br_ssl_engine_current_state(e->eng);
    r = handshake_check(&st, state);
    if (st.failed) break;
    if (r) continue;
    r = check_ends(&st, state);
    if (r > 0) break;
    if (r < 0) continue;
    io_round(&st, state);
    if (st.failed) break;
    if (e->handshake_done && e->bytes_to_app + e->bytes_to_net != moved)
      deadline_in(&st.idle_deadline, e->idle_timeout);
  }
  finish(&st);
  return st.failed == 2 ? -1 : st.failed ? 1 : 0;
}
