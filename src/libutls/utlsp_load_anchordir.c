/* ISC license. */

#include <sys/stat.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <skalibs/direntry.h>
#include <skalibs/stralloc.h>
#include <utls/utls.h>
#include "load-internal.h"

/*
 * Adds the anchors of one directory entry. Dotfiles, non-regular files,
 * dangling symlinks and files without any certificate are skipped (0).
 */
static int anchordir_entry (utls_anchors *anchors, stralloc *path, size_t dirlen, char const *name, utlsp_anchor_filter const *filter)
{
  struct stat st;
  int r;
  if (name[0] == '.') return 0;
  path->len = dirlen;
  if (!stralloc_cats(path, name) || !stralloc_0(path)) return -1;
  if (stat(path->s, &st) < 0) return errno == ENOENT ? 0 : -1;
  if (!S_ISREG(st.st_mode)) return 0;
  r = utlsp_load_anchors(anchors, path->s, filter);
  return r == UTLS_ERR_NOCERT ? 0 : r;
}

static void anchors_truncate (utls_anchors *anchors, size_t n)
{
  for (; anchors->n > n; anchors->n--) free(anchors->tas[anchors->n - 1].dn.data);
}

/* Appends to *anchors; on failure, what this call added is removed. */
int utlsp_load_anchordir (utls_anchors *anchors, char const *dir, utlsp_anchor_filter const *filter)
{
  stralloc path = STRALLOC_ZERO;
  size_t n0 = anchors->n;
  size_t dirlen = strlen(dir) + 1;
  int r = 0;
  DIR *d = opendir(dir);
  if (!d) return -1;
  if (!stralloc_cats(&path, dir) || !stralloc_cats(&path, "/")) r = -1;
  while (!r)
  {
    direntry *entry;
    errno = 0;
    entry = readdir(d);
    if (!entry)
    {
      if (errno) r = -1;
      break;
    }
    r = anchordir_entry(anchors, &path, dirlen, entry->d_name, filter);
  }
  {
    int e = errno;
    dir_close(d);
    stralloc_free(&path);
    if (r) anchors_truncate(anchors, n0);
    errno = e;
  }
  return r;
}
