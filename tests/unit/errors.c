/* ISC license. */

/* Unit test of the error table, the cipher suite table and version names. */

#include <stdio.h>
#include <string.h>
#include <bearssl.h>
#include <utls/utls.h>

#define UNIT_NAME "errors"
#include "unit.h"

static int const bearssl_codes[] =
{
  BR_ERR_OK, BR_ERR_BAD_PARAM, BR_ERR_BAD_STATE, BR_ERR_UNSUPPORTED_VERSION,
  BR_ERR_BAD_VERSION, BR_ERR_BAD_LENGTH, BR_ERR_TOO_LARGE, BR_ERR_BAD_MAC,
  BR_ERR_NO_RANDOM, BR_ERR_UNKNOWN_TYPE, BR_ERR_UNEXPECTED, BR_ERR_BAD_CCS,
  BR_ERR_BAD_ALERT, BR_ERR_BAD_HANDSHAKE, BR_ERR_OVERSIZED_ID,
  BR_ERR_BAD_CIPHER_SUITE, BR_ERR_BAD_COMPRESSION, BR_ERR_BAD_FRAGLEN,
  BR_ERR_BAD_SECRENEG, BR_ERR_EXTRA_EXTENSION, BR_ERR_BAD_SNI,
  BR_ERR_BAD_HELLO_DONE, BR_ERR_LIMIT_EXCEEDED, BR_ERR_BAD_FINISHED,
  BR_ERR_RESUME_MISMATCH, BR_ERR_INVALID_ALGORITHM, BR_ERR_BAD_SIGNATURE,
  BR_ERR_WRONG_KEY_USAGE, BR_ERR_NO_CLIENT_AUTH, BR_ERR_IO,
  BR_ERR_X509_OK, BR_ERR_X509_INVALID_VALUE, BR_ERR_X509_TRUNCATED,
  BR_ERR_X509_EMPTY_CHAIN, BR_ERR_X509_INNER_TRUNC, BR_ERR_X509_BAD_TAG_CLASS,
  BR_ERR_X509_BAD_TAG_VALUE, BR_ERR_X509_INDEFINITE_LENGTH,
  BR_ERR_X509_EXTRA_ELEMENT, BR_ERR_X509_UNEXPECTED,
  BR_ERR_X509_NOT_CONSTRUCTED, BR_ERR_X509_NOT_PRIMITIVE,
  BR_ERR_X509_PARTIAL_BYTE, BR_ERR_X509_BAD_BOOLEAN, BR_ERR_X509_OVERFLOW,
  BR_ERR_X509_BAD_DN, BR_ERR_X509_BAD_TIME, BR_ERR_X509_UNSUPPORTED,
  BR_ERR_X509_LIMIT_EXCEEDED, BR_ERR_X509_WRONG_KEY_TYPE,
  BR_ERR_X509_BAD_SIGNATURE, BR_ERR_X509_TIME_UNKNOWN, BR_ERR_X509_EXPIRED,
  BR_ERR_X509_DN_MISMATCH, BR_ERR_X509_BAD_SERVER_NAME,
  BR_ERR_X509_CRITICAL_EXTENSION, BR_ERR_X509_NOT_CA,
  BR_ERR_X509_FORBIDDEN_KEY_USAGE, BR_ERR_X509_WEAK_PUBLIC_KEY,
  BR_ERR_X509_NOT_TRUSTED
};

/* Alerts BearSSL names, and the ones peers such as OpenSSL send that it does not. */
static int const alert_codes[] =
{
  BR_ALERT_CLOSE_NOTIFY, BR_ALERT_UNEXPECTED_MESSAGE, BR_ALERT_BAD_RECORD_MAC,
  BR_ALERT_RECORD_OVERFLOW, BR_ALERT_DECOMPRESSION_FAILURE,
  BR_ALERT_HANDSHAKE_FAILURE, BR_ALERT_BAD_CERTIFICATE,
  BR_ALERT_UNSUPPORTED_CERTIFICATE, BR_ALERT_CERTIFICATE_REVOKED,
  BR_ALERT_CERTIFICATE_EXPIRED, BR_ALERT_CERTIFICATE_UNKNOWN,
  BR_ALERT_ILLEGAL_PARAMETER, BR_ALERT_UNKNOWN_CA, BR_ALERT_ACCESS_DENIED,
  BR_ALERT_DECODE_ERROR, BR_ALERT_DECRYPT_ERROR, BR_ALERT_PROTOCOL_VERSION,
  BR_ALERT_INSUFFICIENT_SECURITY, BR_ALERT_INTERNAL_ERROR,
  BR_ALERT_USER_CANCELED, BR_ALERT_NO_RENEGOTIATION,
  BR_ALERT_UNSUPPORTED_EXTENSION, BR_ALERT_NO_APPLICATION_PROTOCOL,
  86, 109, 111, 112, 113, 114, 115, 116
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void expect (int code, char const *text)
{
  char const *s = utls_error_str(code);
  CHECK(s && !strcmp(s, text), "%d: got \"%s\", wanted \"%s\"", code, s ? s : "(null)", text);
}

static int looks_known (char const *s)
{
  return s && *s && !strstr(s, "unrecognized BearSSL") && !strstr(s, "unrecognized ucspi-tls")
    && !strstr(s, "unrecognized error") && !strstr(s, "unknown error") && !strstr(s, "alert number");
}

static void test_known_codes (void)
{
  static char const *seen[NELEM(bearssl_codes) + UTLS_ERR_MAX - UTLS_ERR_NOPEM];
  size_t nseen = 0;
  size_t i = 0;
  int code;
  for (; i < NELEM(bearssl_codes); i++)
  {
    char const *s = utls_error_str(bearssl_codes[i]);
    CHECK(looks_known(s), "BearSSL code %d: \"%s\"", bearssl_codes[i], s);
    seen[nseen++] = s;
  }
  for (code = UTLS_ERR_NOPEM; code < UTLS_ERR_MAX; code++)
  {
    char const *s = utls_error_str(code);
    CHECK(looks_known(s), "ucspi-tls code %d: \"%s\"", code, s);
    seen[nseen++] = s;
  }
  /* Every code has its own text, or an operator could not tell them apart. */
  for (i = 0; i < nseen; i++)
  {
    size_t j = i + 1;
    for (; j < nseen; j++) CHECK(strcmp(seen[i], seen[j]), "same text twice: \"%s\"", seen[i]);
  }
}

static void test_alerts (void)
{
  size_t i = 0;
  char wanted[128];
  for (; i < NELEM(alert_codes); i++)
  {
    char const *r = utls_error_str(BR_ERR_RECV_FATAL_ALERT + alert_codes[i]);
    char const *s = utls_error_str(BR_ERR_SEND_FATAL_ALERT + alert_codes[i]);
    CHECK(r && !strncmp(r, "received alert ", 15) && looks_known(r), "received alert %d: \"%s\"", alert_codes[i], r);
    CHECK(s && !strncmp(s, "sent alert ", 11) && looks_known(s), "sent alert %d: \"%s\"", alert_codes[i], s);
    if (r && s && strlen(r) > 15)
    {
      snprintf(wanted, sizeof(wanted), "sent alert %s", r + 15);
      CHECK(!strcmp(s, wanted), "alert %d: \"%s\" vs \"%s\"", alert_codes[i], r, s);
    }
  }
  expect(BR_ERR_RECV_FATAL_ALERT + 40, "received alert handshake_failure");
  expect(BR_ERR_RECV_FATAL_ALERT + 42, "received alert bad_certificate");
  expect(BR_ERR_RECV_FATAL_ALERT + 48, "received alert unknown_ca");
  expect(BR_ERR_RECV_FATAL_ALERT + 70, "received alert protocol_version");
  expect(BR_ERR_RECV_FATAL_ALERT + 112, "received alert unrecognized_name");
  expect(BR_ERR_RECV_FATAL_ALERT + 116, "received alert certificate_required");
  expect(BR_ERR_RECV_FATAL_ALERT + 120, "received alert no_application_protocol");
  expect(BR_ERR_SEND_FATAL_ALERT + 40, "sent alert handshake_failure");
  expect(BR_ERR_SEND_FATAL_ALERT + 120, "sent alert no_application_protocol");
  expect(BR_ERR_SEND_FATAL_ALERT + 0, "sent alert close_notify");
  expect(BR_ERR_RECV_FATAL_ALERT + 255, "received alert number 255");
  expect(BR_ERR_SEND_FATAL_ALERT + 77, "sent alert number 77");
}

static void test_texts (void)
{
  expect(BR_ERR_X509_EXPIRED, "peer certificate expired or not yet valid");
  expect(BR_ERR_X509_NOT_TRUSTED, "peer certificate chain not trusted (unknown CA)");
  expect(BR_ERR_X509_BAD_SERVER_NAME, "peer certificate does not match the server name");
  CHECK(strstr(utls_error_str(BR_ERR_BAD_CIPHER_SUITE), "no common cipher suite") != 0, "BAD_CIPHER_SUITE");
  expect(UTLS_ERR_KEYMISMATCH, "private key does not match the certificate");
  expect(77, "unrecognized BearSSL error 77");
  expect(11, "unrecognized BearSSL error 11");
  expect(1023, "unrecognized BearSSL error 1023");
  expect(UTLS_ERR_SIGSHA1, "peer certificate signed with SHA-1 (refused)");
  expect(UTLS_ERR_RSASHORT, "RSA key in peer chain shorter than 2048 bits");
  expect(UTLS_ERR_EKUCLIENT, "peer certificate not valid for TLS client authentication (Extended Key Usage)");
  expect(UTLS_ERR_EKUSERVER, "peer certificate not valid for TLS server authentication (Extended Key Usage)");
  expect(UTLS_ERR_RESUMENAME, "the client's server name (SNI) is ambiguous in its ClientHello: session resumption refused");
  expect(UTLS_ERR_MCSPEC, "malformed memcached server list: want memcached:IP:PORT or memcached:/path/to/socket, comma-separated (IPv6 in brackets)");
  expect(UTLS_ERR_SEALKEY, "a session key file must hold exactly 32 bytes (head -c 32 /dev/urandom)");
  expect(UTLS_ERR_MAX, "unrecognized ucspi-tls error 2030");
  expect(-5, "unrecognized error code -5");
  expect(1500, "unrecognized error code 1500");
  expect(2147483647, "unrecognized ucspi-tls error 2147483647");
  CHECK(looks_known(utls_error_str(-1)), "-1");
  /* The static buffer is reused: the caller must copy if it needs two. */
  CHECK(!strcmp(utls_error_str(-2147483647 - 1), "unrecognized error code -2147483648"), "INT_MIN");
}

static void test_suites (void)
{
  static struct { uint16_t id; char const *name; unsigned int bits; } const wanted[] =
  {
    { BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", 128 },
    { BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384", 256 },
    { BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305", 256 },
    { BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305", 256 },
    { BR_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, "ECDHE-ECDSA-AES128-CCM8", 128 },
    { BR_TLS_ECDHE_ECDSA_WITH_AES_256_CCM, "ECDHE-ECDSA-AES256-CCM", 256 },
    { BR_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "ECDHE-RSA-AES128-SHA256", 128 },
    { BR_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, "ECDHE-ECDSA-AES256-SHA384", 256 },
    { BR_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "ECDHE-RSA-AES256-SHA", 256 },
    { BR_TLS_RSA_WITH_AES_128_GCM_SHA256, "AES128-GCM-SHA256", 128 },
    { BR_TLS_RSA_WITH_AES_256_CBC_SHA256, "AES256-SHA256", 256 },
    { BR_TLS_RSA_WITH_AES_128_CBC_SHA, "AES128-SHA", 128 },
    { BR_TLS_RSA_WITH_AES_256_CCM_8, "AES256-CCM8", 256 },
    { BR_TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256, "ECDH-RSA-AES128-GCM-SHA256", 128 },
  };
  static uint16_t const all[] =
  {
    0xC02B, 0xC02C, 0xC02F, 0xC030, 0xCCA9, 0xCCA8, 0xC0AC, 0xC0AD, 0xC0AE,
    0xC0AF, 0xC023, 0xC024, 0xC027, 0xC028, 0xC009, 0xC00A, 0xC013, 0xC014,
    0xC02D, 0xC02E, 0xC031, 0xC032, 0xC025, 0xC026, 0xC029, 0xC02A, 0xC004,
    0xC005, 0xC00E, 0xC00F, 0x009C, 0x009D, 0xC09C, 0xC09D, 0xC0A0, 0xC0A1,
    0x003C, 0x003D, 0x002F, 0x0035, 0xC008, 0xC012, 0xC003, 0xC00D, 0x000A
  };
  size_t i = 0;
  for (; i < NELEM(wanted); i++)
  {
    utls_suite_info const *s = utls_suite_find(wanted[i].id);
    CHECK(s && s->id == wanted[i].id && !strcmp(s->name, wanted[i].name) && s->usekeysize == wanted[i].bits && s->algkeysize == wanted[i].bits,
      "suite 0x%04x: %s", wanted[i].id, s ? s->name : "(none)");
  }
  for (i = 0; i < NELEM(all); i++)
  {
    utls_suite_info const *s = utls_suite_find(all[i]);
    size_t j = 0;
    CHECK(s && s->name && s->usekeysize && s->algkeysize >= s->usekeysize, "suite 0x%04x missing", all[i]);
    for (; s && j < i; j++)
    {
      utls_suite_info const *t = utls_suite_find(all[j]);
      CHECK(!t || strcmp(s->name, t->name), "suite name %s twice", s->name);
    }
  }
  CHECK(!utls_suite_find(0x1301), "TLS 1.3 suite found");
  CHECK(!utls_suite_find(0x0000), "null suite found");
  CHECK(!utls_suite_find(BR_TLS_FALLBACK_SCSV), "SCSV found");
  CHECK(!utls_suite_find(BR_TLS_RSA_WITH_NULL_SHA), "NULL cipher found");
  {
    utls_suite_info const *s = utls_suite_find(BR_TLS_RSA_WITH_3DES_EDE_CBC_SHA);
    CHECK(s && !strcmp(s->name, "DES-CBC3-SHA") && s->usekeysize == 112 && s->algkeysize == 168, "3DES");
  }
}

static void test_versions (void)
{
  char const *s;
  s = utls_version_str(BR_TLS12);
  CHECK(s && !strcmp(s, "TLSv1.2"), "TLS 1.2");
  s = utls_version_str(0x0302);
  CHECK(s && !strcmp(s, "TLSv1.1"), "TLS 1.1");
  s = utls_version_str(0x0301);
  CHECK(s && !strcmp(s, "TLSv1"), "TLS 1.0");
  CHECK(!utls_version_str(0x0300), "SSLv3");
  CHECK(!utls_version_str(0x0304), "TLS 1.3");
  CHECK(!utls_version_str(0), "0");
}

int main (void)
{
  test_known_codes();
  test_alerts();
  test_texts();
  test_suites();
  test_versions();
  return failures ? 1 : 0;
}
