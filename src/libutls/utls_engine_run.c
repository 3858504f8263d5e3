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
 * Network input is read in large chunks into the net buffer and fed to
 * the engine record by record, so a burst of records costs one read(2).
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
 * network. Each has an end state (down_e, up_e) that only moves
 * forward, in one place (ends); the loop is over when both have ended.
 * A direction never drops bytes silently: either they are delivered,
 * or the failure is recorded in the utls_engine struct.
 *
 * There is one engine per process, so the large buffers are static
 * (engine.h).
 */

/*
 * One of the four buffers: bytes data[start..end) wait in it. high is
 * the highest end since its pages were last given back (span_release):
 * all that finish() has to wipe. An emptied span starts again at 0.
 */
typedef struct span_s span;
struct span_s
{
  unsigned char *data;
  size_t size;
  size_t start;
  size_t end;
  size_t high;
};

/* How the loop stands, then how it ended: utls_engine_run's answer. */
enum outcome_e
{
  OUTCOME_RUNNING,
  OUTCOME_ENDED,        /* both directions ended: returns 0 */
  OUTCOME_TLS_ERROR,    /* e->err says which: returns 1 */
  OUTCOME_SYS_ERROR,    /* e->sys_errno and e->sys_what: returns -1 */
};

/* Application -> network. */
enum up_e
{
  UP_OPEN,              /* the application's data may still come */
  UP_CLOSE_NOTIFY,      /* its EOF came, all it sent has left: close_notify is queued (-S) */
  UP_SHUT,              /* the application's data is over: shutdown(SHUT_WR) done, or the session closed */
};

/* Network -> application. */
enum down_e
{
  DOWN_OPEN,            /* the peer may still send */
  DOWN_PEER_EOF,        /* the peer's data ended (TCP EOF, or the session closed): the rest goes to the application */
  DOWN_DELIVERED,       /* the application's input is closed: all was delivered, or it stopped reading */
};

typedef struct loop_state_s loop_state;
struct loop_state_s
{
  utls_engine *e;
  br_ssl_engine_context *eng;
  span net;                 /* network input, read ahead of the engine */
  span stage;               /* records waiting for the network */
  span plainin;             /* application data read behind the engine's own buffer */
  span plainout;            /* decrypted records gathered for one writev(2) */
  enum outcome_e outcome;
  enum up_e up;
  enum down_e down;
  int close_notify_sent;    /* up went through UP_CLOSE_NOTIFY */
  int net_eof;              /* read(2) from the network returned 0 */
  int net_hup;              /* the network hung up while the net buffer was full */
  int plainin_flush;        /* the read that filled plainin was short: flush after its last byte */
  int busy;                 /* I/O happened since the buffers were last given back */
  tain handshake_deadline;  /* infinite once the handshake is done */
  tain idle_deadline;       /* infinite before the handshake and without -I */
  tain write_deadline;      /* valid while write_armed */
  int write_armed;          /* records wait for the network */
  int write_queued;         /* then: bytes in the socket's send queue when armed, -1 unknown */
};

/* The poll set of one round: each descriptor's entry, 0 when not polled. */
typedef struct pollset_s pollset;
struct pollset_s
{
  iopause_fd entries[4];
  unsigned int count;
  iopause_fd *net_in;
  iopause_fd *net_out;
  iopause_fd *app_in;
  iopause_fd *app_out;
};

/* Page-aligned, so that an idle connection can give their pages back (idle_release). */
#ifdef __GNUC__
# define PAGE_ALIGNED __attribute__((aligned (4096)))
#else
# define PAGE_ALIGNED
#endif

static unsigned char net_buffer[UTLS_NETBUF_SIZE] PAGE_ALIGNED;
static unsigned char stage_buffer[UTLS_STAGE_SIZE] PAGE_ALIGNED;
static unsigned char plainin_buffer[UTLS_PLAIN_SIZE] PAGE_ALIGNED;
static unsigned char plainout_buffer[UTLS_PLAIN_SIZE] PAGE_ALIGNED;

static void span_init (span *s, unsigned char *data, size_t size)
{
  s->data = data;
  s->size = size;
  s->start = s->end = s->high = 0;
}

static size_t span_len (span const *s) { return s->end - s->start; }
static size_t span_room (span const *s) { return s->size - s->end; }
static int span_empty (span const *s) { return s->start == s->end; }
static unsigned char *span_head (span const *s) { return s->data + s->start; }
static unsigned char *span_tail (span const *s) { return s->data + s->end; }
static void span_clear (span *s) { s->start = s->end = 0; }

/* n bytes were taken from the head. */
static void span_take (span *s, size_t n)
{
  s->start += n;
  if (s->start == s->end) span_clear(s);
}

/* n bytes were put at the tail. */
static void span_put (span *s, size_t n)
{
  s->end += n;
  if (s->end > s->high) s->high = s->end;
}

static void fd_close_set (int *fd)
{
  if (*fd >= 0) fd_close(*fd);
  *fd = -1;
}

static int failed (loop_state const *st)
{
  return st->outcome == OUTCOME_TLS_ERROR || st->outcome == OUTCOME_SYS_ERROR;
}

/* Records an error and ends the loop. Only the first failure counts. */
static void fail_tls (loop_state *st, int err)
{
  if (st->outcome != OUTCOME_RUNNING) return;
  st->e->err = err;
  st->e->err_after_handshake = st->e->handshake_done;
  st->outcome = OUTCOME_TLS_ERROR;
}

static void fail_sys (loop_state *st, char const *what)
{
  if (st->outcome != OUTCOME_RUNNING) return;
  st->e->sys_errno = errno;
  st->e->sys_what = what;
  st->outcome = OUTCOME_SYS_ERROR;
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
    if (buf && span_room(&st->stage))
    {
      if (len > span_room(&st->stage)) len = span_room(&st->stage);
      memcpy(span_tail(&st->stage), buf, len);
      span_put(&st->stage, len);
      br_ssl_engine_sendrec_ack(eng, len);
      progress = 1;
    }
    /* Nothing after the peer's Finished is decrypted before
       handshake_check has run on_handshake: records that came in the
       same read wait in the net buffer. */
    if (!span_empty(&st->net)
     && (st->e->handshake_done || !(br_ssl_engine_current_state(eng) & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))))
    {
      buf = br_ssl_engine_recvrec_buf(eng, &len);
      if (buf)
      {
        if (len > span_len(&st->net)) len = span_len(&st->net);
        memcpy(buf, span_head(&st->net), len);
        span_take(&st->net, len);
        br_ssl_engine_recvrec_ack(eng, len);
        progress = 1;
      }
    }
    if (st->down == DOWN_DELIVERED)
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

/* Only a closing alert was left to send, and the peer is gone: the
   connection ended, it did not fail. */
static int goodbye_only (loop_state const *st)
{
  unsigned int state = br_ssl_engine_current_state(st->eng);
  return ((state & BR_SSL_CLOSED) && !br_ssl_engine_last_error(st->eng)) || st->close_notify_sent;
}

static void net_write (loop_state *st)
{
  ssize_t r = fd_write(st->e->fds.net_out, (char const *)span_head(&st->stage), span_len(&st->stage));
  if (r < 0)
  {
    if (error_isagain(errno)) return;
    if (goodbye_only(st)) span_clear(&st->stage);
    else fail_sys(st, "write to network");
    return;
  }
  span_take(&st->stage, r);
  /* Progress: the peer reads. The deadline starts again from now. */
  st->write_armed = 0;
}

static void net_read (loop_state *st)
{
  span *net = &st->net;
  ssize_t r;
  if (net->start && !span_room(net))
  {
    memmove(net->data, span_head(net), span_len(net));
    net->end -= net->start;
    net->start = 0;
  }
  r = fd_read(st->e->fds.net_in, (char *)span_tail(net), span_room(net));
  if (r < 0)
  {
    if (!error_isagain(errno)) fail_sys(st, "read from network");
    return;
  }
  if (!r) { st->net_eof = 1; return; }
  if (!st->e->bytes_from_net)
  {
    st->e->first_byte = *span_tail(net);
    if (st->e->on_first_input) (*st->e->on_first_input)(span_tail(net), r);
  }
  st->e->bytes_from_net += r;
  span_put(net, r);
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

/* Down is over for the application: its input is closed. */
static void app_output_close (loop_state *st)
{
  fd_close_set(&st->e->fds.app_out);
  st->down = DOWN_DELIVERED;
}

/* The application stopped reading: what it did not take is dropped,
   which is what a closed pipe means. Not a connection failure. */
static void app_gone (loop_state *st)
{
  app_output_close(st);
  span_clear(&st->plainout);
}

/* While another record waits in the net buffer behind the one just
   decrypted, moves the decrypted one to plainout, so that they leave
   together. Returns what is left in the engine (*len bytes), or 0. */
static unsigned char *gather_plain (loop_state *st, size_t *len)
{
  unsigned char *buf = br_ssl_engine_recvapp_buf(st->eng, len);
  while (buf && !span_empty(&st->net) && span_room(&st->plainout) >= *len)
  {
    memcpy(span_tail(&st->plainout), buf, *len);
    span_put(&st->plainout, *len);
    br_ssl_engine_recvapp_ack(st->eng, *len);
    pump(st);
    buf = br_ssl_engine_recvapp_buf(st->eng, len);
  }
  return buf;
}

/* Writes decrypted data until the pipe is full or nothing is left, up
   to four records per writev(2) (gather_plain). */
static void app_write (loop_state *st)
{
  unsigned int i = 0;
  /* The peer is not accepted yet (pump holds its data back anyway). */
  if (!st->e->handshake_done) return;
  for (; i < 8; i++)
  {
    struct iovec v[2];
    unsigned int n = 0;
    size_t len = 0, total = 0, gathered;
    unsigned char *buf = gather_plain(st, &len);
    ssize_t r;
    if (!span_empty(&st->plainout))
    {
      v[n].iov_base = span_head(&st->plainout);
      v[n++].iov_len = span_len(&st->plainout);
      total += span_len(&st->plainout);
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
    gathered = span_len(&st->plainout) < (size_t)r ? span_len(&st->plainout) : (size_t)r;
    span_take(&st->plainout, gathered);
    if ((size_t)r > gathered) br_ssl_engine_recvapp_ack(st->eng, r - gathered);
    if ((size_t)r < total) return;
    pump(st);
  }
}

/* Feeds plaintext left in plainin to the engine while it has room, and
   flushes the last record when the read that filled plainin was short. */
static void feed_plain (loop_state *st)
{
  while (!span_empty(&st->plainin))
  {
    size_t len;
    unsigned char *buf = br_ssl_engine_sendapp_buf(st->eng, &len);
    if (!buf) return;
    if (len > span_len(&st->plainin)) len = span_len(&st->plainin);
    memcpy(buf, span_head(&st->plainin), len);
    br_ssl_engine_sendapp_ack(st->eng, len);
    span_take(&st->plainin, len);
    pump(st);
  }
  if (st->plainin_flush)
  {
    br_ssl_engine_flush(st->eng, 0);
    st->plainin_flush = 0;
  }
}

/* A readv(2) filled the engine's record buffer (len bytes) and put
   behind bytes in plainin: feeds them to the engine. Returns 1 when
   app_read must stop: plaintext is left (no room), or the read was
   short. */
static int plain_behind (loop_state *st, size_t len, size_t behind)
{
  br_ssl_engine_sendapp_ack(st->eng, len);
  pump(st);
  span_clear(&st->plainin);
  span_put(&st->plainin, behind);
  st->plainin_flush = behind < st->plainin.size;
  feed_plain(st);
  return !span_empty(&st->plainin) || behind < st->plainin.size;
}

/* Reads plaintext from the application: one readv(2) into the engine's
   record buffer and plainin behind it, while the staging area has room. */
static void app_read (loop_state *st)
{
  unsigned int i = 0;
  for (; i < 4 && span_empty(&st->plainin); i++)
  {
    struct iovec v[2];
    size_t len;
    unsigned char *buf = br_ssl_engine_sendapp_buf(st->eng, &len);
    ssize_t r;
    if (!buf) break;
    v[0].iov_base = buf;
    v[0].iov_len = len;
    v[1].iov_base = st->plainin.data;
    v[1].iov_len = st->plainin.size;
    r = fd_readv(st->e->fds.app_in, v, 2);
    if (r <= 0)
    {
      /* EOF, or a read error that means the same thing for a pipe. */
      if (!r || !error_isagain(errno)) fd_close_set(&st->e->fds.app_in);
      br_ssl_engine_flush(st->eng, 0);
      break;
    }
    st->e->bytes_to_net += r;
    if ((size_t)r < len)
    {
      br_ssl_engine_sendapp_ack(st->eng, r);
      br_ssl_engine_flush(st->eng, 0);
      break;
    }
    if ((size_t)r == len)
    {
      br_ssl_engine_sendapp_ack(st->eng, r);
      pump(st);
    }
    else if (plain_behind(st, len, r - len)) break;
    if (span_room(&st->stage) < BR_SSL_BUFSIZE_OUTPUT) break;
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
 * The session is closed: the peer's data is over, and so is the
 * application's (what is staged still leaves: ends). A fatal alert is
 * a failure, except a complaint about our own end of data
 * (eof_complaint). Any other alert then
 * (bad_record_mac, decrypt_error...) says that what we sent did not
 * arrive intact: a failure, not an end. A peer close_notify while the
 * application still had data to send cuts that data off: TLS 1.2 (and
 * BearSSL) cannot send after it. Runs at every round while closed.
 */
static void session_closed (loop_state *st)
{
  utls_engine *e = st->e;
  int err = br_ssl_engine_last_error(st->eng);
  if (eof_complaint(err) && st->up == UP_SHUT && !st->close_notify_sent)
    e->peer_alert_after_eof = err - BR_ERR_RECV_FATAL_ALERT;
  else if (err) fail_tls(st, err);
  else if (!st->close_notify_sent)
  {
    e->peer_close_notify = 1;
    if (e->fds.app_in >= 0 || !span_empty(&st->plainin))
    {
      int waiting = 0;
      e->app_output_cut = 1;
      /* What the application wrote and will never reach the peer: read
         into plainin, or still in the pipe. Counted, to be reported. */
      if (e->fds.app_in >= 0 && ioctl(e->fds.app_in, FIONREAD, &waiting) < 0) waiting = 0;
      e->app_bytes_discarded = span_len(&st->plainin) + (waiting > 0 ? (uint64_t)waiting : 0);
    }
  }
  fd_close_set(&e->fds.app_in);
  /* Read from the application but never sent: not counted as sent. */
  e->bytes_to_net -= span_len(&st->plainin);
  span_clear(&st->plainin);
  if (st->down == DOWN_OPEN) st->down = DOWN_PEER_EOF;
  st->up = UP_SHUT;
}

/* The peer's TCP stream ended, and all it sent is in the engine. Before
   the handshake, or under -J, that is a failure. Runs at every round
   after the EOF, even once the application is gone. */
static void peer_eof (loop_state *st)
{
  utls_engine *e = st->e;
  if (!e->handshake_done) { fail_tls(st, UTLS_ERR_PEEREOF); return; }
  e->peer_eof = 1;
  if (e->options & UTLS_OPT_STRICT_EOF) { fail_tls(st, UTLS_ERR_PEEREOF); return; }
  if (st->down == DOWN_OPEN) st->down = DOWN_PEER_EOF;
}

/*
 * Up ends once the application's EOF has been read and all it sent has
 * left: with -S after the handshake, close_notify is queued first, then
 * the network's write side is shut down when it has left too. Returns 1
 * when the engine has the close_notify to send before the next poll.
 */
static int up_end (loop_state *st, unsigned int state)
{
  utls_engine *e = st->e;
  if (st->up == UP_SHUT || e->fds.app_in >= 0 || !span_empty(&st->plainin)
   || (state & BR_SSL_SENDREC) || !span_empty(&st->stage)) return 0;
  if (st->up == UP_OPEN && (e->options & UTLS_OPT_CLOSE_NOTIFY) && e->handshake_done)
  {
    br_ssl_engine_close(st->eng);
    /* BearSSL puts the alert in the output buffer but only closes the
       record on the next engine event: force it out now. */
    br_ssl_engine_flush(st->eng, 0);
    st->up = UP_CLOSE_NOTIFY;
    st->close_notify_sent = 1;
    return 1;
  }
  shutdown(e->fds.net_out, SHUT_WR);
  st->up = UP_SHUT;
  return 0;
}

/*
 * The one place where the directions move towards their ends, and
 * where the loop is found over (st->outcome). Returns 1 when the engine
 * has work to do before the next poll, 0 otherwise.
 */
static int ends (loop_state *st, unsigned int state)
{
  int again = 0;
  if (state & BR_SSL_CLOSED) session_closed(st);
  else
  {
    if (st->net_eof && span_empty(&st->net)) peer_eof(st);
    if (st->outcome == OUTCOME_RUNNING) again = up_end(st, state);
  }
  if (st->outcome != OUTCOME_RUNNING) return 0;
  /* Decrypted data still in the engine or in plainout is the peer's:
     it is delivered first. */
  if (st->down == DOWN_PEER_EOF && !(state & BR_SSL_RECVAPP) && span_empty(&st->plainout))
    app_output_close(st);
  /* Once the session is closed, its last records (our answer to the
     peer's close_notify, an alert) leave before the end. */
  if (st->down == DOWN_DELIVERED && st->up == UP_SHUT
   && (!(state & BR_SSL_CLOSED) || span_empty(&st->stage)))
    st->outcome = OUTCOME_ENDED;
  return again;
}

static iopause_fd *poll_add (pollset *p, int fd, short events)
{
  iopause_fd *x = p->entries + p->count++;
  x->fd = fd;
  x->events = events;
  x->revents = 0;
  return x;
}

/* Fills the poll set from the engine state. */
static void poll_fill (loop_state const *st, unsigned int state, pollset *p)
{
  utls_fds const *fds = &st->e->fds;
  p->count = 0;
  p->net_in = p->net_out = p->app_in = p->app_out = 0;
  /* Polled even when full, to learn of a reset while the application
     is not reading: it would otherwise keep us waiting for ever. */
  if (!st->net_eof && (span_room(&st->net) || !st->net_hup))
    p->net_in = poll_add(p, fds->net_in, span_room(&st->net) ? IOPAUSE_READ : 0);
  if (!span_empty(&st->stage))
    p->net_out = poll_add(p, fds->net_out, IOPAUSE_WRITE);
  if (fds->app_in >= 0 && (state & BR_SSL_SENDAPP) && span_empty(&st->plainin)
   && span_room(&st->stage) >= BR_SSL_BUFSIZE_OUTPUT)
    p->app_in = poll_add(p, fds->app_in, IOPAUSE_READ);
  /* Polled even with nothing to write, to learn early that the reader is gone. */
  if (st->down != DOWN_DELIVERED)
    p->app_out = poll_add(p, fds->app_out, (state & BR_SSL_RECVAPP) || !span_empty(&st->plainout) ? IOPAUSE_WRITE : 0);
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
  if (span_empty(&st->stage)) st->write_armed = 0;
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
static void span_release (span *s)
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
  start = ((uintptr_t)s->data + mask) & ~mask;
  end = ((uintptr_t)s->data + s->high + mask) & ~mask;
  limit = ((uintptr_t)s->data + s->size) & ~mask;
  if (end > limit) end = limit;
  if (end <= start || madvise((void *)start, end - start, MADV_DONTNEED) < 0) return;
  /* Zero-filled now: nothing left for finish() to wipe, if all went. */
  if (start == (uintptr_t)s->data && end >= (uintptr_t)s->data + s->high) s->high = 0;
#else
  (void)s;
#endif
}

/* Idle: nothing waits in our buffers or in the engine. A connection
   blocked on a full pipe or socket is not idle, and is not woken. */
static int idle (loop_state const *st, unsigned int state)
{
  return st->e->handshake_done && !(state & BR_SSL_RECVAPP)
    && span_empty(&st->net) && span_empty(&st->stage)
    && span_empty(&st->plainin) && span_empty(&st->plainout);
}

static void idle_release (loop_state *st)
{
  span_release(&st->net);
  span_release(&st->stage);
  span_release(&st->plainin);
  span_release(&st->plainout);
  st->busy = 0;
}

/*
 * An idle connection waits at most UTLS_IDLE_RELEASE ms, then gives its
 * buffers back and waits for real: one extra wake-up per idle period,
 * none in bulk. Returns 1 when it gave them back (nothing happened),
 * else 0 and iopause's answer in *r.
 */
static int idle_wait (loop_state *st, pollset *p, tain const *deadline, int *r)
{
  tain d;
  tain_from_millisecs(&d, UTLS_IDLE_RELEASE);
  tain_add_g(&d, &d);
  if (tain_less(deadline, &d)) d = *deadline;
  *r = iopause_g(p->entries, p->count, &d);
  if (*r || !tain_less(&d, deadline)) return 0;
  idle_release(st);
  return 1;
}

/* Handles readiness in the fixed order of STYLE.md; what a fill step
   produced is flushed at once, without waiting for a poll. */
static void io_handle (loop_state *st, pollset const *p)
{
  if (p->app_out && p->app_out->revents)
  {
    if (p->app_out->revents & IOPAUSE_WRITE) app_write(st);
    else if (p->app_out->revents & IOPAUSE_EXCEPT) app_gone(st);
  }
  if (p->net_out && p->net_out->revents) net_write(st);
  if (st->outcome != OUTCOME_RUNNING) return;
  if (p->app_in && p->app_in->revents)
  {
    app_read(st);
    /* Records just staged usually fit in the socket buffer: try now
       rather than after another poll. EAGAIN only means "poll first". */
    if (!span_empty(&st->stage)) net_write(st);
    if (st->outcome != OUTCOME_RUNNING) return;
  }
  if (p->net_in && p->net_in->revents)
  {
    if (p->net_in->events)
    {
      net_read(st);
      /* The same for decrypted data and the pipe to the application. */
      if (st->outcome == OUTCOME_RUNNING && st->down != DOWN_DELIVERED)
      {
        pump(st);
        app_write(st);
      }
    }
    else if (p->net_in->revents & POLLERR) net_error(st);
    else st->net_hup = 1;  /* hung up, data may remain: read it when there is room */
  }
}

/* One poll round and the I/O it allows. */
static void io_round (loop_state *st, unsigned int state)
{
  pollset p;
  tain deadline;
  int r;
  poll_fill(st, state, &p);
  if (!p.count) { fail_tls(st, BR_ERR_BAD_STATE); return; }
  write_watch(st);
  earliest(st, &deadline);
  if (st->busy && idle(st, state))
  {
    if (idle_wait(st, &p, &deadline, &r)) return;
  }
  else r = iopause_g(p.entries, p.count, &deadline);
  if (r < 0) { fail_sys(st, "iopause"); return; }
  deadlines_check(st);
  if (st->outcome != OUTCOME_RUNNING || !r) return;
  st->busy = 1;
  io_handle(st, &p);
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
  if (!failed(st) || !e->handshake_done || !(e->options & UTLS_OPT_STRICT_EOF) || e->app_pid <= 0 || st->down == DOWN_DELIVERED) return;
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
  if (!span_empty(&st->stage) && st->outcome != OUTCOME_SYS_ERROR)
    fd_write(fds->net_out, (char const *)span_head(&st->stage), span_len(&st->stage));
  fd_close_set(&fds->app_in);
  fd_close_set(&fds->app_out);
  if (fds->net_out != fds->net_in) fd_close_set(&fds->net_out);
  fd_close_set(&fds->net_in);
  fds->net_out = -1;
  /* Only what was used: pages an idle connection never touched stay untouched. */
  byte_zzero((char *)st->net.data, st->net.high);
  byte_zzero((char *)st->stage.data, st->stage.high);
  byte_zzero((char *)st->plainin.data, st->plainin.high);
  byte_zzero((char *)st->plainout.data, st->plainout.high);
}

static void loop_init (loop_state *st, utls_engine *e)
{
  memset(st, 0, sizeof *st);
  st->e = e;
  st->eng = e->eng;
  span_init(&st->net, net_buffer, sizeof net_buffer);
  span_init(&st->stage, stage_buffer, sizeof stage_buffer);
  span_init(&st->plainin, plainin_buffer, sizeof plainin_buffer);
  span_init(&st->plainout, plainout_buffer, sizeof plainout_buffer);
  st->outcome = OUTCOME_RUNNING;
  st->up = UP_OPEN;
  st->down = e->fds.app_out < 0 ? DOWN_DELIVERED : DOWN_OPEN;
  deadline_in(&st->handshake_deadline, e->handshake_timeout);
  st->idle_deadline = tain_infinite;
}

int utls_engine_run (utls_engine *e)
{
  loop_state st;
  utls_fds *fds = &e->fds;
  ndelay_on(fds->net_in);
  ndelay_on(fds->net_out);
  ndelay_on(fds->app_in);
  ndelay_on(fds->app_out);
  set_nodelay(fds->net_out);
  tain_now_set_stopwatch_g();
  loop_init(&st, e);

  for (;;)
  {
    uint64_t moved = e->bytes_to_app + e->bytes_to_net;
    unsigned int state;
    if (!span_empty(&st.plainin)) feed_plain(&st);
    pump(&st);
    state = br_ssl_engine_current_state(e->eng);
    if (handshake_check(&st, state)) continue;
    if (st.outcome != OUTCOME_RUNNING) break;
    if (ends(&st, state)) continue;
    if (st.outcome != OUTCOME_RUNNING) break;
    io_round(&st, state);
    if (st.outcome != OUTCOME_RUNNING) break;
    if (e->handshake_done && e->bytes_to_app + e->bytes_to_net != moved)
      deadline_in(&st.idle_deadline, e->idle_timeout);
  }
  finish(&st);
  return st.outcome == OUTCOME_SYS_ERROR ? -1 : st.outcome == OUTCOME_TLS_ERROR ? 1 : 0;
}
