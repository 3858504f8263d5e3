/* ISC license. */

#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/exec.h>
#include <skalibs/types.h>

#include <utls/config.h>

#include "tls-internal.h"
#include "proxy-internal.h"

/*
 * tlsserver and tlsclient only build a command line and exec it:
 *   superserver [ its options ] host port engine [ engine options ] prog...
 * Options are sorted by letter into the two groups; long options
 * (--pin=..., --insecure-no-verify) go to the engine. A server spec
 * with a proxy program puts it before the engine when -B or -A is
 * given:  ... host port proxy-accept [ -v n ] [ -a addr ]... engine ...
 */

/* Each group is a part of the output command line. */
#define WRAP_ARGV_MAX (TLSP_ARGV_MAX + TLSP_WRAP_EXTRA)

typedef struct wrap_state_s wrap_state;
struct wrap_state_s
{
  char const *super[WRAP_ARGV_MAX];
  unsigned int nsuper;
  char const *tls[WRAP_ARGV_MAX];
  unsigned int ntls;
  char const *proxy[WRAP_ARGV_MAX];     /* proxy-accept's options */
  unsigned int nproxy;
  int use_proxy;
  struct { int letter; char const *arg; } sopts[WRAP_ARGV_MAX];  /* superserver options, in order */
  unsigned int nsopts;
  char const *seen[128];
};

static void push (char const **v, unsigned int *n, char const *s)
{
  if (*n >= WRAP_ARGV_MAX - 1) strerr_dief(UTLS_EXIT_USAGE, "too many options");
  v[(*n)++] = s;
}

static char const *flag_word (int c)
{
  static char words[128][3];
  words[c][0] = '-';
  words[c][1] = (char)c;
  words[c][2] = 0;
  return words[c];
}

/*
 * The engine lives beside the wrapper: in the directory of argv[0] when
 * it has a slash, else in the PATH entry where the wrapper was found
 * (that is how the shell found us), else in the configured bindir. So a
 * build tree works as well as an installed one, and a wrapper never
 * pairs with an engine of another installation. path has
 * ENGINE_PATH_MAX bytes (one buffer per program: proxy-accept and the
 * engine are both on the command line).
 */
#define ENGINE_PATH_MAX 4096
static char const *engine_path (char const *argv0, char const *engine, char *path)
{
  char const *dir = UTLS_BINPREFIX;
  size_t dirlen = strlen(dir);
  size_t len = strlen(engine);
  char const *slash = strrchr(argv0, '/');
  if (slash) { dir = argv0; dirlen = slash - argv0 + 1; }
  else
  {
    char const *p = getenv("PATH");
    while (p && *p)
    {
      size_t n = strcspn(p, ":");
      size_t alen = strlen(argv0);
      if (n && n + alen + 2 <= ENGINE_PATH_MAX)
      {
        memcpy(path, p, n);
        path[n] = '/';
        memcpy(path + n + 1, argv0, alen + 1);
        if (!access(path, X_OK)) { dir = p; dirlen = n; break; }
      }
      p += n + (p[n] == ':');
    }
  }
  if (dirlen + len + 2 > ENGINE_PATH_MAX) strerr_dief(UTLS_EXIT_USAGE, "path too long: ", argv0);
  memmove(path, dir, dirlen);
  if (path[dirlen - 1] != '/') path[dirlen++] = '/';
  memcpy(path + dirlen, engine, len + 1);
  return path;
}

static void check_value (int opt, char const *arg, char const *numeric)
{
  unsigned int u;
  char s[2] = { (char)opt, 0 };
  if (strchr(numeric, opt) && !uint0_scan(arg, &u))
    strerr_dief(UTLS_EXIT_USAGE, "option -", s, " needs an unsigned integer, not: ", arg);
}

/* -A: an address with an optional prefix length, checked here rather
   than at every connection by proxy-accept. */
static void check_trust (char const *arg)
{
  char addr[INET6_ADDRSTRLEN];
  unsigned char bin[16];
  char const *slash = strchr(arg, '/');
  size_t len = slash ? (size_t)(slash - arg) : strlen(arg);
  unsigned int max = 32, u;
  int ok = 0;
  if (len < sizeof addr)
  {
    memcpy(addr, arg, len);
    addr[len] = 0;
    if (strchr(addr, ':')) { max = 128; ok = inet_pton(AF_INET6, addr, bin) == 1; }
    else ok = inet_pton(AF_INET, addr, bin) == 1;
  }
  if (ok && slash) ok = slash[1] && uint0_scan(slash + 1, &u) && u <= max;
  if (!ok) strerr_dief(UTLS_EXIT_USAGE, "option -A needs an address[/prefixlen] of a trusted balancer, not: ", arg);
}

/* -B, -A: the proxy group. Returns 1 if opt was one of them. */
static int proxy_opt (wrap_state *w, tlsp_wrap_spec const *spec, int opt, char const *arg)
{
  if (!spec->proxy || (opt != 'B' && opt != 'A')) return 0;
  w->use_proxy = 1;
  if (opt == 'A')
  {
    check_trust(arg);
    /* proxy-accept would refuse more at every connection: say it now. */
    if (w->nproxy >= 2 * TLSP_PROXY_TRUST_MAX) strerr_dief(UTLS_EXIT_USAGE, "too many -A options (at most 64)");
    push(w->proxy, &w->nproxy, "-a");
    push(w->proxy, &w->nproxy, arg);
  }
  return 1;
}

void tlsp_wrap (int argc, char const *const *argv, tlsp_wrap_spec const *spec)
{
  static wrap_state w;
  static char const *args[TLSP_ARGV_MAX + 1];
  static char const *longs[TLSP_ARGV_MAX];
  unsigned int nlongs;
  subgetopt l = SUBGETOPT_ZERO;
  char const *superserver = spec->super_default;
  char const *engine = spec->engine;
  char const *argv0 = argv[0];
  unsigned int i, engine_at;
  int is_s6;
  /* Long options are the engine's; it checks them. */
  argc = tlsp_split_long(argc, argv, spec->all_opts, args, longs, &nlongs);
  argv = args;
  if (nlongs && !spec->long_ok) strerr_dieusage(UTLS_EXIT_USAGE, spec->usage);
  for (i = 0; i < nlongs; i++) push(w.tls, &w.ntls, longs[i]);
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, spec->all_opts, &l);
    if (opt == -1) break;
    if (opt == '?') strerr_dieusage(UTLS_EXIT_USAGE, spec->usage);
    if (opt == 'n') { engine = spec->engine_delayed; continue; }
    if (opt == 'W') { superserver = l.arg; continue; }
    if (proxy_opt(&w, spec, opt, l.arg)) continue;
    if (l.arg) check_value(opt, l.arg, spec->numeric_opts);
    w.seen[opt & 127] = l.arg ? l.arg : "";
    /* Kept in the order given, so that the last of -S/-s (etc.) wins
       in the program that reads it, as on any command line. */
    if (strchr(spec->tls_opts, opt))
    {
      push(w.tls, &w.ntls, flag_word(opt));
      if (l.arg) push(w.tls, &w.ntls, l.arg);
    }
    else
    {
      if (w.nsopts >= WRAP_ARGV_MAX) strerr_dief(UTLS_EXIT_USAGE, "too many options");
      w.sopts[w.nsopts].letter = opt;
      w.sopts[w.nsopts++].arg = l.arg;
    }
  }
  argc -= l.ind; argv += l.ind;
  if (argc < 3) strerr_dieusage(UTLS_EXIT_USAGE, spec->usage);
  {
    char const *base = strrchr(superserver, '/');
    base = base ? base + 1 : superserver;
    is_s6 = !strncmp(base, spec->s6_name, strlen(spec->s6_name));
  }
  push(w.super, &w.nsuper, superserver);
  for (i = 0; i < w.nsopts; i++)
  {
    if (is_s6 && !strchr(spec->s6_opts, w.sopts[i].letter))
      strerr_dief(UTLS_EXIT_USAGE, "option ", flag_word(w.sopts[i].letter), " is not supported with ", superserver);
    push(w.super, &w.nsuper, flag_word(w.sopts[i].letter));
    if (w.sopts[i].arg) push(w.super, &w.nsuper, w.sopts[i].arg);
  }
  for (i = 0; spec->defaults[i].unless; i++)
  {
    tlsp_wrap_default const *d = spec->defaults + i;
    char const *u = d->unless;
    int chosen = 0;
    for (; *u; u++) if (w.seen[(unsigned char)*u]) chosen = 1;
    if (chosen || (is_s6 && !strchr(spec->s6_opts, d->letter))) continue;
    push(w.super, &w.nsuper, flag_word(d->letter));
    if (d->arg) push(w.super, &w.nsuper, d->arg);
  }
  push(w.super, &w.nsuper, argv[0]);
  push(w.super, &w.nsuper, argv[1]);
  if (w.use_proxy)
  {
    static char proxy_path[ENGINE_PATH_MAX];
    push(w.super, &w.nsuper, engine_path(argv0, spec->proxy, proxy_path));
    /* The same verbosity: at -v 2 its line too. */
    if (w.seen['v'])
    {
      push(w.super, &w.nsuper, "-v");
      push(w.super, &w.nsuper, w.seen['v']);
    }
    for (i = 0; i < w.nproxy; i++) push(w.super, &w.nsuper, w.proxy[i]);
  }
  engine_at = w.nsuper;
  {
    static char engine_buf[ENGINE_PATH_MAX];
    push(w.super, &w.nsuper, engine_path(argv0, engine, engine_buf));
  }
  if (spec->name_from_host && !w.seen['k'])
  {
    push(w.super, &w.nsuper, "-k");
    push(w.super, &w.nsuper, argv[0]);
  }
  for (i = 0; i < w.ntls; i++) push(w.super, &w.nsuper, w.tls[i]);
  for (i = 2; i < (unsigned int)argc; i++) push(w.super, &w.nsuper, argv[i]);
  /* The engine takes at most TLSP_ARGV_MAX - 1 words, and what it is
     given can be longer than what the wrapper was (-SSS is three words,
     tlsclient adds -k host): refused here, not at every connection. */
  if (w.nsuper - engine_at >= TLSP_ARGV_MAX) strerr_dief(UTLS_EXIT_USAGE, "too many arguments");
  w.super[w.nsuper] = 0;
  xexec(w.super);
}
