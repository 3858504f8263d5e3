/* ISC license. */

#include <string.h>
#include <signal.h>

#include <skalibs/env.h>
#include <skalibs/posixplz.h>
#include <skalibs/exec.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>

#include "tls-internal.h"

/* Variables that configure us and that the application has no use for:
   a key path is not a secret, but nothing below us needs to know it. */
static int is_config_var (char const *s)
{
  static char const *const names[] = { "CERTFILE=", "KEYFILE=", "CAFILE=", "CADIR=", "TLS_UID=", "TLS_GID=", "TLS_SESSION_CACHE=", "TLS_SESSION_CACHE_SIZE=", "TLS_SESSION_LIFETIME=", "TLS_SESSION_KEYFILE=", "TLS_SESSION_KEYFILE_OLD=", "TLS_SESSION_CACHE_TIMEOUT=", 0 };
  char const *const *p = names;
  if (!strncmp(s, "CERTFILE:", 9) || !strncmp(s, "KEYFILE:", 8)) return 1;
  for (; *p; p++) if (!strncmp(s, *p, strlen(*p))) return 1;
  return 0;
}

/* Appends "NAME\0" (an unset order for env_merge) for each variable to remove. */
static void add_unsets (stralloc *sa, int keep_env)
{
  char const *const *envp = (char const *const *)environ;
  for (; *envp; envp++)
  {
    char const *eq;
    if (strncmp(*envp, "SSL_", 4) && (keep_env || !is_config_var(*envp))) continue;
    eq = strchr(*envp, '=');
    if (!eq) continue;
    if (!stralloc_catb(sa, *envp, eq - *envp) || !stralloc_0(sa))
      strerr_diefusys(UTLS_EXIT_SYS, "build the environment");
  }
}

void tlsp_exec_env (char const *const *argv, utls_envblock const *block, int keep_env, char const *extra, size_t extralen)
{
  stralloc sa = STRALLOC_ZERO;
  add_unsets(&sa, keep_env);
  /* The block ends with an empty entry: leave that out. */
  if (block && block->len > 1 && !stralloc_catb(&sa, block->buf, block->len - 1))
    strerr_diefusys(UTLS_EXIT_SYS, "build the environment");
  if (extralen && !stralloc_catb(&sa, extra, extralen))
    strerr_diefusys(UTLS_EXIT_SYS, "build the environment");
  /* Inherited dispositions would defeat -J's SIGTERM and EPIPE. */
  signal(SIGPIPE, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  xmexec_m(argv, sa.s, sa.len);
}
