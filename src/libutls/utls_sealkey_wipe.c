/* ISC license. */

#include <skalibs/bytestr.h>

#include <utls/remote.h>

void utls_sealkey_wipe (utls_sealkey *k)
{
  byte_zzero((char *)k, sizeof *k);
}
