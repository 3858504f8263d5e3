/* ISC license. */

#ifndef UTLS_TLS_INTERNAL_H
#define UTLS_TLS_INTERNAL_H

/*
 * The programs' own layer, not part of libutls' API: helpers shared by
 * the programs of src/tls, prefixed tlsp_ (TLSP_ for macros), one
 * exported function (or table) per file src/tls/tlsp_<name>.c, built
 * into the internal archive src/tls/libtlsp.a (never installed). A
 * program's deps-exe lists ${LIBTLSP} before ${LIBUTLS}. libutls' own
 * private helpers keep the utlsp_ prefix (src/libutls/der-internal.h etc.).
 */

#include <stdint.h>
#include <sys/types.h>
#include <bearssl.h>

#include <skalibs/gccattributes.h>

#include <utls/utls.h>
#include <utls/engine.h>
#include <utls/setup.h>
#include <utls/sesscache.h>

#define UTLS_ALPN_MAX 16

/* -Y and -y: what a connection does about client certificates. The
   values are part of the server's session binding: do not renumber. */
enum tlsp_clientcert_e
{
  TLSP_CLIENTCERT_NONE = 0,
  TLSP_CLIENTCERT_OPTIONAL = 1,   /* server -Y: ask for one, accept none */
  TLSP_CLIENTCERT_REQUIRED = 2,   /* server -y: ask for one, refuse none */
  TLSP_CLIENTCERT_SEND = 3,       /* client -y: send CERTFILE/KEYFILE when asked */
};

/* -L's default: five minutes for a peer that reads nothing we send. */
#define TLSP_WRITE_TIMEOUT 300000

/* Options common to the TLS programs, as parsed by tlsp_getopt. */
typedef struct tlsp_opts_s tlsp_opts;
struct tlsp_opts_s
{
  unsigned int verbosity;
  unsigned int handshake_timeout;   /* ms */
  unsigned int idle_timeout;        /* -I, ms, 0 = none */
  unsigned int write_timeout;       /* -L, ms, 0 = none */
  uint32_t engine_options;          /* utls_engine_opt_e bits */
  enum tlsp_clientcert_e clientcert;
  int keep_env;                     /* -Z */
  int snilevel;                     /* server -k, -1 if not given */
  char const *name;                 /* client -k */
  char const *alpn[UTLS_ALPN_MAX];
  unsigned int nalpn;
  int fd_read;                      /* client -6 */
  int fd_write;                     /* client -7 */
  int insecure;                     /* client --insecure-no-verify */
  char const *pin;                  /* client --pin */
};
#define TLSP_OPTS_ZERO { .verbosity = 1, .handshake_timeout = 60000, .idle_timeout = 0, .write_timeout = TLSP_WRITE_TIMEOUT, .engine_options = 0, .clientcert = TLSP_CLIENTCERT_NONE, .keep_env = 0, .snilevel = -1, .name = 0, .nalpn = 0, .fd_read = 6, .fd_write = 7, .insecure = 0, .pin = 0 }

/*
 * The longest command line a program takes apart, in words (argv[0]
 * included; more dies 100, "too many arguments"). It bounds the static
 * copies tlsp_getopt and tlsp_wrap make of argv: long options out,
 * the rest in order. The wrappers' copies have TLSP_WRAP_EXTRA words
 * more, for what they add (defaults, proxy-accept and its -v, the
 * engine, -k host); a bundled flag word (-SSS) becomes one word a
 * letter, so their output can still outgrow the input: every word is
 * counted, and the engine's part is held to TLSP_ARGV_MAX before exec.
 */
#define TLSP_ARGV_MAX 1024
#define TLSP_WRAP_EXTRA 16

/*
 * Copies argv to out (TLSP_ARGV_MAX + 1 entries) without the --long
 * options found before the first non-option word, which go to longs.
 * Knows which letters of optstring take a value, attached or not.
 * Returns the new argc.
 */
extern int tlsp_split_long (int argc, char const *const *argv, char const *optstring, char const **out, char const **longs, unsigned int *nlongs);

/* Parses the shared options (and the client's long options), and
   advances argc and argv past them. Dies 100 on a bad value. */
extern int tlsp_getopt (int *argcp, char const *const **argvp, char const *optstring, tlsp_opts *opts, char const *usage, int is_server);

/* Dies 96 because what (a certificate file, a CA directory...) could
   not be read (r < 0, errno) or used (r: a utls error code). */
extern void tlsp_load_die (int r, char const *what, char const *file) gccattr_noreturn;

/*
 * The application side of a fork: the child waits on factsfd for an
 * environment block (EOF without one means the handshake failed: exit
 * quietly), then execs argv with SSL_* replaced by the block and the
 * TLS configuration variables removed unless keep_env. Never returns.
 */
extern void tlsp_child_exec (int factsfd, char const *const *argv, int keep_env) gccattr_noreturn;

/*
 * Forks the future application. The child gets the plaintext pipes on
 * app_rfd/app_wfd (0/1 for a server, 6/7 for a client), loses the
 * network descriptors, and waits in tlsp_child_exec. The parent gets
 * fds->app_in/app_out and the write end of the facts pipe.
 */
extern pid_t tlsp_spawn_app (char const *const *argv, utls_fds *fds, int app_rfd, int app_wfd, int *factsfd, int keep_env);

/* Descriptors the programs place themselves (0-2, and 6/7 for tcpclient)
   are below this; internal ones are moved at or above it. */
#define TLSP_FD_LOW 8

/* starttls, smtpd-starttls: Y on the control descriptor, the SSL_*
   block back; dies 98 when the handshake failed. */
extern void tlsp_ask_tls (int ctl, utls_envblock *block);

/* -J: a descriptor that has the kernel send pid SIGTERM once a byte is
   written to it, with the caller's current rights (call it before
   dropping privileges). 0 if unavailable. */
extern int tlsp_arm_app_signal (pid_t pid);

/* Moves fd (close-on-exec) to the lowest free number >= TLSP_FD_LOW. Dies 111. */
extern int tlsp_fd_high (int fd);

/* Exec argv now, with the same environment rules and the given block (may be 0). */
extern void tlsp_exec_env (char const *const *argv, utls_envblock const *block, int keep_env, char const *extra, size_t extralen) gccattr_noreturn;

/*
 * The facts of a finished handshake that the -v 2 line reports: the
 * values of SSL_PROTOCOL, SSL_CIPHER, SSL_TLS_SNI_SERVERNAME,
 * SSL_ALPN_PROTOCOL, SSL_PEER_CERT_SUBJECT and SSL_SESSION_RESUMED in
 * the block the application gets, 0 for an absent one. They point into
 * the block: on a resumed session part of it is what the session cache
 * stored, so the block is the one place that holds them all. Read once
 * (tlsp_facts_read), when the handover has built the block.
 */
typedef struct tlsp_facts_s tlsp_facts;
struct tlsp_facts_s
{
  char const *protocol;
  char const *cipher;
  char const *sni;
  char const *alpn;
  char const *peer_subject;
  char const *resumed;
};
#define TLSP_FACTS_ZERO { .protocol = 0, .cipher = 0, .sni = 0, .alpn = 0, .peer_subject = 0, .resumed = 0 }
extern void tlsp_facts_read (tlsp_facts *facts, utls_envblock const *block);

/*
 * What every engine does once the handshake is done (a
 * utls_handshake_func): wipe the private keys, build the SSL_* block
 * with facts(), and send it to fd (tlsd/tlsc: the future application;
 * ucspitls*: the control socket after Y; -1: nowhere), then close fd.
 */
typedef int tlsp_facts_func (utls_envblock *block, tlsp_opts const *opts);
typedef struct tlsp_handover_s tlsp_handover;
struct tlsp_handover_s
{
  tlsp_opts const *opts;
  tlsp_facts_func *facts;
  void (*wipe) (void);
  int fd;
  int fd_optional;                  /* a reader that went away is no error (UCSPI-TLS) */
  int keys_wiped;                   /* wipe() was called */
  utls_envblock block;
  tlsp_facts logged;               /* what the -v 2 line says of the block */
};
extern int tlsp_handover_run (utls_engine *e, void *data);

/* 1 if the block is well formed: NAME=value entries, then an empty one. */
extern int tlsp_block_valid (utls_envblock const *block);

/* Writes the whole block to fd (blocking), then closes fd. 0 or -1. */
extern int tlsp_block_send (int fd, utls_envblock const *block);

/* Text of the engine's error for messages. */
extern char const *tlsp_engine_errstr (utls_engine const *e);

/* The -v2 line: peer, protocol, suite, SNI, ALPN, peer subject, bytes, end.
   facts is 0 when the handshake did not complete. */
extern void tlsp_log_conn (utls_engine const *e, tlsp_facts const *facts, char const *end);

/* A superserver option the wrapper adds unless the user chose either
   way: { "hH", 'H', 0 } adds -H unless -h or -H was given; { "l", 'l',
   "0" } adds -l 0 unless -l was given. */
typedef struct tlsp_wrap_default_s tlsp_wrap_default;
struct tlsp_wrap_default_s
{
  char const *unless;             /* letters that mean the user chose */
  char letter;                    /* the option added */
  char const *arg;                /* its value, or 0 for a flag */
};

/* What tlsserver/tlsclient need to build their command line. */
typedef struct tlsp_wrap_spec_s tlsp_wrap_spec;
struct tlsp_wrap_spec_s
{
  char const *usage;
  char const *super_default;      /* tcpserver or tcpclient */
  char const *s6_name;            /* the s6 program with fewer options */
  char const *engine;             /* tlsd or tlsc */
  char const *engine_delayed;     /* with -n: ucspitlsd or ucspitlsc */
  char const *all_opts;           /* subgetopt string, wrapper letters included */
  char const *tls_opts;           /* letters that go to the engine */
  char const *s6_opts;            /* superserver letters the s6 program knows */
  char const *numeric_opts;       /* letters whose value must be an unsigned integer */
  tlsp_wrap_default const *defaults;  /* ends with .unless = 0 */
  int long_ok;                    /* --long options pass to the engine */
  int name_from_host;             /* add -k host unless -k was given */
  char const *proxy;              /* server: "proxy-accept", inserted by -B or -A; 0: none */
};
/* Builds the command line and execs it. Never returns. */
extern void tlsp_wrap (int argc, char const *const *argv, tlsp_wrap_spec const *spec) gccattr_noreturn;

/* Client programs: checks the network descriptors and option conflicts (dies 100), fills fds. */
extern void tlsp_client_check (tlsp_opts const *opts, utls_fds *fds);

/*
 * When a handshake failed because the peer refused it (fatal alert, close
 * or reset) and key is an EC key: the full key check (a scalar
 * multiplication, ~0.4 ms), which the per-connection start-up check
 * leaves out. If key is not chain's, returns the "key K does not match
 * certificate C: ... (the peer refused the handshake: ...)" message and
 * sets *failexit to 96; else returns 0.
 */
extern char const *tlsp_key_mismatch (utls_engine const *e, utls_skey const *key, utls_chain const *chain, char const *certfile, char const *keyfile, int *failexit);

/* One side of TLS: what the engine programs call to set it up and end it. */
typedef struct tlsp_side_s tlsp_side;
struct tlsp_side_s
{
  int is_server;
  br_ssl_engine_context *(*init) (tlsp_opts const *opts);
  tlsp_facts_func *facts;
  void (*wipe) (void);
  /* Why the connection failed. Called before wipe. May set *failexit to
     another exit code than 98 (96: the key does not match its certificate). */
  char const *(*errstr) (utls_engine const *e, int *failexit);
  /* Sees the first bytes from the network (utls_engine's on_first_input), or 0. */
  void (*first_input) (unsigned char const *buf, size_t len);
};
extern tlsp_side const tlsp_server_side;
extern tlsp_side const tlsp_client_side;

/* What tlsp_immediate_main and tlsp_delayed_main do first: SIGCHLD
   back to its default (the application's status must reach us), the
   network descriptors into e, the side's facts and wipe into h. */
extern void tlsp_connection_init (utls_engine *e, tlsp_handover *h, tlsp_opts const *opts, utls_fds const *fds, tlsp_side const *side);

/* tlsd/tlsc: everything after option parsing. fds has the network. */
extern int tlsp_immediate_main (char const *const *argv, tlsp_opts const *opts, utls_fds *fds, tlsp_side const *side);

/* ucspitlsd/ucspitlsc: everything after option parsing. fds has the network. */
extern int tlsp_delayed_main (char const *const *argv, tlsp_opts const *opts, utls_fds *fds, tlsp_side const *side);

/*
 * The rest of every engine program, once the engine context (e->eng),
 * the descriptors and the handover (opts, facts, wipe, fd) are set up
 * and privileges dropped: sets the engine's options from h->opts and
 * side, runs the connection, closes the handover's descriptor, decides
 * the outcome (asking the side why it failed, before its keys are
 * wiped), wipes the keys unless the handover did, reaps the
 * application, and logs. A failure is said and exits with its code;
 * else returns the application's exit code.
 */
extern int tlsp_connection_run (utls_engine *e, pid_t pid, tlsp_handover *h, tlsp_side const *side);

/*
 * TLS_SESSION_CACHE (with TLS_SESSION_CACHE_SIZE, TLS_SESSION_LIFETIME):
 * maps the cache into c. Returns 1 if there is a cache to use, 0 if
 * none is configured, the lifetime is 0, or the file is unusable (said
 * in one warning). Dies 100 on a bad number. Call it before privileges
 * are dropped.
 */
extern int tlsp_cache_open (utls_sesscache *c, tlsp_opts const *opts);
extern void tlsp_cache_note (utls_sesscache *c, tlsp_opts const *opts);
/* Milliseconds each memcached operation may take (TLS_SESSION_CACHE_TIMEOUT). */
#define TLSP_MC_TIMEOUT 50

/* Appends len bytes of NAME=value\0 entries to the block. 1, or 0 (overflow set). */
extern int tlsp_block_append (utls_envblock *block, char const *s, size_t len);

/* Waits for pid; returns its exit code (128+signal if killed). */
extern int tlsp_reap (pid_t pid);

#endif
