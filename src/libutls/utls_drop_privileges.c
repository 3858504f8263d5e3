/* ISC license. */

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <grp.h>

#include <skalibs/types.h>
#include <skalibs/strerr.h>

#include <utls/utls.h>
#include <utls/setup.h>

/*
 * With only_check, parse and check that the drop can work, change nothing:
 * for programs that must fail before starting the application.
 * Order matters: supplementary groups (all cleared) and gid must go while we are
 * still root, uid last. Then make sure root cannot come back: a saved
 * set-user-ID of 0 would let setuid(0) succeed.
 */
void utls_drop_privileges (int only_check)
{
  char const *su = getenv("TLS_UID");
  char const *sg = getenv("TLS_GID");
  uid_t uid;
  gid_t gid;
  if (!su && !sg) return;
  if (!su) strerr_dief(UTLS_EXIT_USAGE, "TLS_GID is set but TLS_UID is not");
  if (!sg) strerr_dief(UTLS_EXIT_USAGE, "TLS_UID is set but TLS_GID is not");
  if (!uid0_scan(su, &uid)) strerr_dief(UTLS_EXIT_USAGE, "TLS_UID must be a numeric uid: ", su);
  if (!gid0_scan(sg, &gid)) strerr_dief(UTLS_EXIT_USAGE, "TLS_GID must be a numeric gid: ", sg);
  if (only_check)
  {
    /* Only root can become someone else: say so now, not after the fork. */
    if (geteuid() && (uid != geteuid() || gid != getegid()))
      strerr_dief(UTLS_EXIT_SYS, "unable to switch to TLS_UID ", su, " and TLS_GID ", sg, ": not running as root");
    return;
  }
  if (setgroups(0, 0) < 0 && (errno != EPERM || getuid() == 0))
    strerr_diefusys(UTLS_EXIT_SYS, "setgroups");
  if (setgid(gid) < 0) strerr_diefusys(UTLS_EXIT_SYS, "setgid to ", sg);
  if (setuid(uid) < 0) strerr_diefusys(UTLS_EXIT_SYS, "setuid to ", su);
  if (uid && !setuid(0)) strerr_dief(UTLS_EXIT_SYS, "privileges could not be dropped: setuid(0) still works");
}
