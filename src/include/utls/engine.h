/* ISC license. */

#ifndef UTLS_ENGINE_H
#define UTLS_ENGINE_H

/*
 * The engine loop: one BearSSL engine between a network descriptor pair
 * and an application descriptor pair, full duplex, non-blocking, one
 * poll loop, no allocation.
 */

#include <stdint.h>
#include <sys/types.h>
#include <bearssl.h>

/* Descriptors of one connection. app_in: plaintext from the application;
   app_out: plaintext to the application. net_in/net_out may be equal. */
typedef struct utls_fds_s utls_fds;
struct utls_fds_s
{
  int net_in;
  int net_out;
  int app_in;
  int app_out;
};

enum utls_engine_opt_e
{
  UTLS_OPT_CLOSE_NOTIFY = 1 << 0,  /* -S: send close_notify on local EOF */
  UTLS_OPT_STRICT_EOF = 1 << 1,    /* -J: peer EOF without close_notify is an error */
};

typedef struct utls_engine_s utls_engine;

/*
 * Called once, when the handshake has completed and before any
 * application data moves. Returns 0 to go on, or an error code
 * (utls_error_str) to abort the connection (exit 98).
 */
typedef int utls_handshake_func (utls_engine *e, void *data);

struct utls_engine_s
{
  br_ssl_engine_context *eng;
  utls_fds fds;
  uint32_t options;               /* utls_engine_opt_e bits */
  unsigned int handshake_timeout; /* milliseconds, 0 = none */
  unsigned int idle_timeout;      /* ms, 0 = none: no plaintext moved either way for that long ends the connection (UTLS_ERR_IDLE) */
  unsigned int write_timeout;     /* ms, 0 = none: records waited for the network and none could be written for that long (UTLS_ERR_STALLED) */
  pid_t app_pid;                  /* > 0: with UTLS_OPT_STRICT_EOF, sent SIGTERM before its input is closed when the peer's data ends without close_notify */
  int app_sigfd;                  /* > 0: writing a byte to it makes the kernel send app_pid SIGTERM with the rights of whoever armed it, before privileges were dropped; used when kill() is refused (EPERM) */
  utls_handshake_func *on_handshake;
  void *on_handshake_data;
  /* Called once with the first bytes read from the network, before the
     engine sees them, when set (the server's session cache reads the
     ClientHello's server name there: BearSSL looks a session up before
     it has parsed the name). */
  void (*on_first_input) (unsigned char const *buf, size_t len);
  /* filled by utls_engine_run */
  uint64_t bytes_to_net;          /* plaintext bytes the application sent */
  uint64_t bytes_to_app;          /* plaintext bytes the peer sent */
  int handshake_done;
  int err;                        /* 0, a BR_ERR_* or UTLS_ERR_* code */
  int err_after_handshake;
  int peer_close_notify;          /* the peer closed with close_notify */
  int peer_alert_after_eof;       /* the peer answered our half-close with decode_error (OpenSSL 3): a normal end */
  int app_output_cut;             /* peer close_notify came while the application could still send */
  uint64_t app_bytes_discarded;   /* then: bytes the application had written that were dropped */
  uint64_t bytes_from_net;        /* raw bytes read from the network */
  unsigned char first_byte;       /* first byte from the network (0x16 for TLS) */
  int peer_eof;                   /* the peer closed the TCP connection */
  int app_signalled;              /* app_pid was sent SIGTERM (a truncated stream, under -J) */
  int sys_errno;                  /* errno of a failed read/write, 0 if none */
  char const *sys_what;           /* which operation failed */
};

/*
 * Runs the connection to its end. Descriptors are made non-blocking. On
 * return every descriptor of e->fds has been closed. Returns 0 if the
 * connection ended normally, -1 on a system error (e->sys_errno,
 * e->sys_what), or 1 on a TLS error (e->err).
 *
 * One call at a time per process: the buffers the loop batches records
 * and plaintext in (226 KiB) are static, not on the stack and not
 * allocated. It is not reentrant and not thread-safe; calls one after
 * the other are fine (each wipes what it used before returning).
 */
extern int utls_engine_run (utls_engine *e);

#endif
