/* ISC license. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>

#include <utls/sesscache.h>
#include "sesscache-internal.h"

/*
 * A new file is made whole under a temporary name and linked into
 * place: link(2) fails if another process got there first, so every
 * opener sees either no file or a complete header, never a half-made
 * one, and two processes never make two files.
 */
static int create (char const *path, uint32_t nslots)
{
  size_t len = strlen(path);
  char tmp[len + 32];
  utlsp_schdr h;
  int fd, r;
  memcpy(tmp, path, len);
  snprintf(tmp + len, 32, ".%lu.tmp", (unsigned long)getpid());
  memset(&h, 0, sizeof h);
  memcpy(h.magic, UTLSP_SC_MAGIC, 8);
  h.format = UTLSP_SC_FORMAT;
  h.hdrsize = UTLS_SC_HEADER;
  h.slotsize = UTLS_SC_SLOT;
  h.nslots = nslots;
  if (getrandom(h.key, sizeof h.key, 0) != (ssize_t)sizeof h.key) return -1;
  unlink(tmp);
  fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) goto err0;
  if (ftruncate(fd, UTLS_SC_HEADER + (off_t)nslots * UTLS_SC_SLOT) < 0
   || pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h) goto err1;
  byte_zzero((char *)&h, sizeof h);
  fd_close(fd);
  r = link(tmp, path);
  if (r < 0 && errno != EEXIST) goto err0;
  unlink(tmp);
  return 0;
 err1:
  fd_close(fd);
 err0:
  {
    int e = errno;
    byte_zzero((char *)&h, sizeof h);
    unlink(tmp);
    errno = e;
  }
  return -1;
}

static char const *check (struct stat const *st, utlsp_schdr const *h)
{
  if (st->st_uid != geteuid()) return "it belongs to another user";
  if (st->st_mode & 077) return "group or others have access to it (it must be mode 0600)";
  if ((size_t)st->st_size < sizeof *h) return "the file is truncated";
  if (memcmp(h->magic, UTLSP_SC_MAGIC, 8)) return "not a ucspi-tls session cache (bad magic)";
  if (h->format != UTLSP_SC_FORMAT || h->hdrsize != UTLS_SC_HEADER || h->slotsize != UTLS_SC_SLOT)
    return "a session cache of another format version";
  if (h->nslots < UTLS_SC_MIN_SLOTS || h->nslots > UTLS_SC_MAX_SLOTS || h->nslots % UTLS_SC_WAYS)
    return "bad number of entries in the header";
  if ((uint64_t)st->st_size != UTLS_SC_HEADER + (uint64_t)h->nslots * UTLS_SC_SLOT)
    return "the file size does not match its header (truncated?)";
  return 0;
}

int utls_sesscache_open (utls_sesscache *c, char const *path, uint32_t nslots, uint32_t lifetime, char const **why)
{
  struct stat st;
  utlsp_schdr h;
  unsigned char *map;
  uint32_t n;
  int fd, tries = 0;
  c->map = 0;
  if (nslots < UTLS_SC_MIN_SLOTS || nslots > UTLS_SC_MAX_SLOTS) { *why = "bad number of entries"; return -1; }
  nslots -= nslots % UTLS_SC_WAYS;
  for (;;)
  {
    fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0) break;
    if (errno == ELOOP) { *why = "it is a symbolic link"; return -1; }
    if (errno != ENOENT || tries++) goto syserr;
    if (create(path, nslots) < 0) goto syserr;
  }
  if (fstat(fd, &st) < 0) goto syserr1;
  if (!S_ISREG(st.st_mode)) { fd_close(fd); *why = "not a regular file"; return -1; }
  memset(&h, 0, sizeof h);
  if ((size_t)st.st_size >= sizeof h && pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h) goto syserr1;
  *why = check(&st, &h);
  n = h.nslots;
  byte_zzero((char *)&h, sizeof h);
  if (*why) { fd_close(fd); return -1; }
  map = mmap(0, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) goto syserr1;
  fd_close(fd);
  c->map = map;
  c->len = st.st_size;
  c->nslots = n;
  c->lifetime = lifetime;
  return 0;
 syserr1:
  {
    int e = errno;
    fd_close(fd);
    errno = e;
  }
 syserr:
  *why = strerror(errno);
  return -1;
}
