/* ISC license. */

#include <bearssl.h>

#include <skalibs/bytestr.h>
#include <skalibs/types.h>

#include <utls/utls.h>
#include <utls/setup.h>

void utls_envblock_add_session (utls_envblock *block, br_ssl_engine_context *eng, char const *sni, int resumed)
{
  br_ssl_session_parameters sp;
  utls_suite_info const *suite;
  char const *alpn = br_ssl_engine_get_selected_protocol(eng);
  char const *version = utls_version_str(br_ssl_engine_get_version(eng));
  /* The only public way to the suite is a copy of the whole session,
     master secret included: take what we need and wipe the copy. */
  br_ssl_engine_get_session_parameters(eng, &sp);
  suite = utls_suite_find(sp.cipher_suite);
  byte_zzero((char *)&sp, sizeof sp);
  /* SSL_PROTOCOL first: some UCSPI-TLS consumers require it there. */
  utls_envblock_add(block, "SSL_PROTOCOL", version ? version : "unknown");
  if (suite)
  {
    char fmt[UINT_FMT];
    utls_envblock_add(block, "SSL_CIPHER", suite->name);
    fmt[uint_fmt(fmt, suite->usekeysize)] = 0;
    utls_envblock_add(block, "SSL_CIPHER_USEKEYSIZE", fmt);
    fmt[uint_fmt(fmt, suite->algkeysize)] = 0;
    utls_envblock_add(block, "SSL_CIPHER_ALGKEYSIZE", fmt);
  }
  if (!sni) sni = br_ssl_engine_get_server_name(eng);
  /* A name from the peer is exported only if it is a plain host name. */
  if (sni && utls_hostname_check(sni, 0)) utls_envblock_add(block, "SSL_TLS_SNI_SERVERNAME", sni);
  if (alpn) utls_envblock_add(block, "SSL_ALPN_PROTOCOL", alpn);
  utls_envblock_add(block, "SSL_SESSION_RESUMED", resumed ? "Resumed" : "Initial");
}
