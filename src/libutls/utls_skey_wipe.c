/* ISC license. */

#include <skalibs/bytestr.h>
#include <utls/utls.h>

/* Leaves the key empty: type 0, no pointers, no key bytes. */
void utls_skey_wipe (utls_skey *key)
{
  byte_zzero((char *)key, sizeof(utls_skey));
}
