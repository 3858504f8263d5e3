/* ISC license. */

#include <errno.h>
#include <fcntl.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>

#include <utls/utls.h>
#include <utls/remote.h>

/* Exactly 32 bytes: one more byte read tells a longer file apart. */
int utls_sealkey_readfile (utls_sealkey *k, char const *path)
{
  unsigned char raw[UTLS_SEAL_KEY_SIZE + 1];
  ssize_t r;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return -1;
  r = allread(fd, (char *)raw, sizeof raw);
  fd_close(fd);
  if (r < 0) { byte_zzero((char *)raw, sizeof raw); return -1; }
  if (r != UTLS_SEAL_KEY_SIZE) { byte_zzero((char *)raw, sizeof raw); return UTLS_ERR_SEALKEY; }
  utls_sealkey_derive(k, raw);
  byte_zzero((char *)raw, sizeof raw);
  return 0;
}
