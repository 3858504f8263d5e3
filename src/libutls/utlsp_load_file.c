/* ISC license. */

#include <sys/types.h>
#include <sys/stat.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>
#include <utls/utls.h>
#include "load-internal.h"

/* Reads up to cap bytes; returns the count, or -1 on a read error (EOF is not one). */
static ssize_t read_upto (int fd, unsigned char *buf, size_t cap)
{
  size_t r;
  errno = 0;
  r = allread(fd, (char *)buf, cap);
  if (r < cap && errno && errno != EPIPE) return -1;
  return (ssize_t)r;
}

static int fail_wipe (unsigned char *buf, size_t cap, int fd, int r)
{
  int e = errno;
  byte_zzero((char *)buf, cap);
  free(buf);
  fd_close(fd);
  errno = e;
  return r;
}

/*
 * One buffer, sized from fstat and never realloc'ed: a growing buffer
 * would leave copies of key material in freed memory. It has one spare
 * byte, so that a file that grew past the cap is still noticed.
 */
int utlsp_load_file (char const *file, size_t max, unsigned char **data, size_t *len)
{
  struct stat st;
  size_t cap = max;
  unsigned char *buf;
  ssize_t r;
  int fd = open_readb(file);
  if (fd < 0) return -1;
  if (fstat(fd, &st) < 0)
  {
    fd_close(fd);
    return -1;
  }
  if (S_ISREG(st.st_mode))
  {
    if ((uintmax_t)st.st_size > max)
    {
      fd_close(fd);
      return UTLS_ERR_TOOBIG;
    }
    cap = (size_t)st.st_size;
  }
  buf = malloc(cap + 1);
  if (!buf)
  {
    fd_close(fd);
    errno = ENOMEM;
    return -1;
  }
  r = read_upto(fd, buf, cap + 1);
  if (r < 0) return fail_wipe(buf, cap + 1, fd, -1);
  if ((size_t)r > cap)
  {
    if ((size_t)r > max) return fail_wipe(buf, cap + 1, fd, UTLS_ERR_TOOBIG);
    errno = EAGAIN;  /* the file grew while it was being read */
    return fail_wipe(buf, cap + 1, fd, -1);
  }
  fd_close(fd);
  *data = buf;
  *len = (size_t)r;
  return 0;
}
