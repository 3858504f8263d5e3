/* ISC license. */

#include <errno.h>
#include <sys/random.h>

#include <bearssl.h>

#include <skalibs/bytestr.h>

#include <utls/setup.h>

/*
 * Seeds the engine from the kernel. skalibs' random_buf cannot report
 * failure (it dies or blocks), so getrandom(2) is used directly and a
 * failure is reported: the caller fails closed.
 */
int utls_engine_seed (br_ssl_engine_context *eng)
{
  unsigned char seed[32];
  size_t got = 0;
  while (got < sizeof seed)
  {
    ssize_t r = getrandom(seed + got, sizeof seed - got, 0);
    if (r < 0)
    {
      if (errno == EINTR) continue;
      byte_zzero((char *)seed, sizeof seed);
      return -1;
    }
    got += r;
  }
  br_ssl_engine_inject_entropy(eng, seed, sizeof seed);
  byte_zzero((char *)seed, sizeof seed);
  return 0;
}
