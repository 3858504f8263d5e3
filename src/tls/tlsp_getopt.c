/* ISC license. */

#include <string.h>

#include <skalibs/types.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>

#include "tls-internal.h"

static char alpn_storage[1024];

/* "h2,http/1.1" -> names; each 1..255 bytes of printable ASCII. */
static void parse_alpn (tlsp_opts *opts, char const *s)
{
  size_t len = strlen(s), i = 0, start = 0;
  if (!len || len >= sizeof alpn_storage) strerr_dief(UTLS_EXIT_USAGE, "invalid ALPN list for -a: ", s);
  memcpy(alpn_storage, s, len + 1);
  opts->nalpn = 0;
  for (; i <= len; i++)
  {
    char c = alpn_storage[i];
    if (c == ',' || !c)
    {
      if (i == start || i - start > 255) strerr_dief(UTLS_EXIT_USAGE, "invalid ALPN list for -a: ", s, " (empty or too long name)");
      if (opts->nalpn >= UTLS_ALPN_MAX) strerr_dief(UTLS_EXIT_USAGE, "too many ALPN names for -a: ", s);
      alpn_storage[i] = 0;
      opts->alpn[opts->nalpn++] = alpn_storage + start;
      start = i + 1;
    }
    else if (c <= 0x20 || c >= 0x7f) strerr_dief(UTLS_EXIT_USAGE, "invalid ALPN list for -a: ", s, " (non-printable character)");
  }
}

static unsigned int scan_uint (char const *s, char const *what)
{
  unsigned int u;
  if (!uint0_scan(s, &u)) strerr_dief(UTLS_EXIT_USAGE, what, " must be an unsigned integer, not: ", s);
  return u;
}

static int scan_fd (char const *s, char const *what)
{
  unsigned int u = scan_uint(s, what);
  if (u > 1023) strerr_dief(UTLS_EXIT_USAGE, what, " is out of range: ", s);
  return (int)u;
}

/* Handles one option letter; returns 0 if it is not a shared one. */
static int shared_option (int opt, char const *arg, tlsp_opts *opts, int is_server)
{
  switch (opt)
  {
    case 'v': opts->verbosity = scan_uint(arg, "verbosity (-v)"); break;
    case 'K': opts->handshake_timeout = scan_uint(arg, "handshake timeout (-K)"); break;
    case 'I': opts->idle_timeout = scan_uint(arg, "idle timeout (-I)"); break;
    case 'L': opts->write_timeout = scan_uint(arg, "write timeout (-L)"); break;
    case 'S': opts->engine_options |= UTLS_OPT_CLOSE_NOTIFY; break;
    case 's': opts->engine_options &= ~(uint32_t)UTLS_OPT_CLOSE_NOTIFY; break;
    case 'J': opts->engine_options |= UTLS_OPT_STRICT_EOF; break;
    case 'j': opts->engine_options &= ~(uint32_t)UTLS_OPT_STRICT_EOF; break;
    case 'Y': opts->clientcert = is_server ? TLSP_CLIENTCERT_OPTIONAL : TLSP_CLIENTCERT_NONE; break;
    case 'y': opts->clientcert = is_server ? TLSP_CLIENTCERT_REQUIRED : TLSP_CLIENTCERT_SEND; break;
    case 'Z': opts->keep_env = 1; break;
    case 'z': opts->keep_env = 0; break;
    case 'a': parse_alpn(opts, arg); break;
    case 'k':
      if (is_server)
      {
        opts->snilevel = (int)scan_uint(arg, "SNI level (-k)");
        if (opts->snilevel > 2) strerr_dief(UTLS_EXIT_USAGE, "SNI level (-k) must be 0, 1 or 2, not: ", arg);
      }
      else
      {
        size_t len = strlen(arg);
        if (!len || len > UTLS_NAME_MAX) strerr_dief(UTLS_EXIT_USAGE, "invalid server name for -k: ", arg);
        opts->name = arg;
      }
      break;
    case '6': opts->fd_read = scan_fd(arg, "network read descriptor (-6)"); break;
    case '7': opts->fd_write = scan_fd(arg, "network write descriptor (-7)"); break;
    default: return 0;
  }
  return 1;
}

/*
 * Long options, for what must be loud: --insecure-no-verify and
 * --pin=HASH. They may appear anywhere among the options; they are
 * taken out of argv before subgetopt runs.
 */
static int long_option (char const *arg, tlsp_opts *opts, int is_server)
{
  if (is_server) return 0;
  if (!strcmp(arg, "--insecure-no-verify")) { opts->insecure = 1; return 1; }
  if (!strncmp(arg, "--pin=", 6)) { opts->pin = arg + 6; return 1; }
  return 0;
}

/* 1 if some word could be a --long option. */
static int maybe_long (int argc, char const *const *argv)
{
  int i = 1;
  for (; i < argc; i++) if (argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2]) return 1;
  return 0;
}

int tlsp_getopt (int *argcp, char const *const **argvp, char const *optstring, tlsp_opts *opts, char const *usage, int is_server)
{
  static char const *args[TLSP_ARGV_MAX + 1];
  static char const *longs[TLSP_ARGV_MAX];
  subgetopt l = SUBGETOPT_ZERO;
  unsigned int nlongs = 0, i = 0;
  int argc = *argcp;
  char const *const *argv = *argvp;
  if (argc < 1) strerr_dieusage(UTLS_EXIT_USAGE, usage);
  if (argc >= TLSP_ARGV_MAX) strerr_dief(UTLS_EXIT_USAGE, "too many arguments");
  /* Copied only when needed: the copy dirties a page of memory that the
     engine, running for the whole connection, would otherwise keep. */
  if (maybe_long(argc, argv))
  {
    argc = tlsp_split_long(argc, argv, optstring, args, longs, &nlongs);
    argv = args;
  }
  for (; i < nlongs; i++)
    if (!long_option(longs[i], opts, is_server)) strerr_dieusage(UTLS_EXIT_USAGE, usage);
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, optstring, &l);
    if (opt == -1) break;
    if (opt == '?' || !shared_option(opt, l.arg, opts, is_server))
      strerr_dieusage(UTLS_EXIT_USAGE, usage);
  }
  *argcp = argc - l.ind;
  *argvp = argv + l.ind;
  return l.ind;
}
