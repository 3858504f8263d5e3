/* ISC license. */

#include <bearssl.h>
#include <skalibs/types.h>
#include <utls/utls.h>

typedef struct error_text_s error_text;
struct error_text_s
{
  int code;
  char const *text;
};

static error_text const ssl_errors[] =
{
  { BR_ERR_OK, "no error" },
  { BR_ERR_BAD_PARAM, "malformed handshake message from the peer (or a bad parameter given to BearSSL)" },
  { BR_ERR_BAD_STATE, "internal error: operation not allowed in the current TLS engine state" },
  { BR_ERR_UNSUPPORTED_VERSION, "peer uses an unsupported protocol version (only TLS 1.0 to 1.2 exist here)" },
  { BR_ERR_BAD_VERSION, "peer record version does not match the negotiated version" },
  { BR_ERR_BAD_LENGTH, "peer sent a record with an invalid length" },
  { BR_ERR_TOO_LARGE, "record too large for the buffer, or handshake message too large to send" },
  { BR_ERR_BAD_MAC, "record decryption failed (bad MAC or padding): data corrupted or tampered with" },
  { BR_ERR_NO_RANDOM, "no entropy source available for the TLS engine" },
  { BR_ERR_UNKNOWN_TYPE, "peer sent a record of unknown type (not TLS?)" },
  { BR_ERR_UNEXPECTED, "peer sent an unexpected message for the current handshake state" },
  { BR_ERR_BAD_CCS, "peer sent an invalid ChangeCipherSpec message" },
  { BR_ERR_BAD_ALERT, "peer sent an invalid alert message" },
  { BR_ERR_BAD_HANDSHAKE, "peer sent a malformed handshake message" },
  { BR_ERR_OVERSIZED_ID, "peer sent a session ID longer than 32 bytes" },
  { BR_ERR_BAD_CIPHER_SUITE, "no common cipher suite, or peer chose a cipher suite that was not offered" },
  { BR_ERR_BAD_COMPRESSION, "peer chose a compression method that was not offered" },
  { BR_ERR_BAD_FRAGLEN, "server max fragment length does not match the client's" },
  { BR_ERR_BAD_SECRENEG, "secure renegotiation failed" },
  { BR_ERR_EXTRA_EXTENSION, "server sent an extension that was not requested, or sent one twice" },
  { BR_ERR_BAD_SNI, "invalid server name indication (SNI) extension" },
  { BR_ERR_BAD_HELLO_DONE, "server sent an invalid ServerHelloDone message" },
  { BR_ERR_LIMIT_EXCEEDED, "internal limit exceeded (e.g. peer public key too large)" },
  { BR_ERR_BAD_FINISHED, "peer Finished message does not match: handshake tampered with or wrong keys" },
  { BR_ERR_RESUME_MISMATCH, "session resumption attempted with a different version or cipher suite" },
  { BR_ERR_INVALID_ALGORITHM, "unsupported or invalid algorithm (curve, signature or hash function)" },
  { BR_ERR_BAD_SIGNATURE, "invalid signature in ServerKeyExchange or CertificateVerify" },
  { BR_ERR_WRONG_KEY_USAGE, "peer public key has the wrong type or usage for the chosen cipher suite" },
  { BR_ERR_NO_CLIENT_AUTH, "client sent no certificate, or its certificate could not be validated" },
  { BR_ERR_IO, "I/O error or premature close on the transport" },
  { BR_ERR_X509_OK, "peer certificate chain validated" },
  { BR_ERR_X509_INVALID_VALUE, "peer certificate: invalid value in an ASN.1 structure" },
  { BR_ERR_X509_TRUNCATED, "peer certificate truncated" },
  { BR_ERR_X509_EMPTY_CHAIN, "peer sent an empty certificate chain" },
  { BR_ERR_X509_INNER_TRUNC, "peer certificate: inner element extends beyond its container" },
  { BR_ERR_X509_BAD_TAG_CLASS, "peer certificate: unsupported ASN.1 tag class" },
  { BR_ERR_X509_BAD_TAG_VALUE, "peer certificate: unsupported ASN.1 tag value" },
  { BR_ERR_X509_INDEFINITE_LENGTH, "peer certificate: indefinite length encoding (not DER)" },
  { BR_ERR_X509_EXTRA_ELEMENT, "peer certificate: extraneous ASN.1 element" },
  { BR_ERR_X509_UNEXPECTED, "peer certificate: unexpected ASN.1 element" },
  { BR_ERR_X509_NOT_CONSTRUCTED, "peer certificate: primitive ASN.1 element where a constructed one was expected" },
  { BR_ERR_X509_NOT_PRIMITIVE, "peer certificate: constructed ASN.1 element where a primitive one was expected" },
  { BR_ERR_X509_PARTIAL_BYTE, "peer certificate: BIT STRING length is not a multiple of 8" },
  { BR_ERR_X509_BAD_BOOLEAN, "peer certificate: invalid BOOLEAN encoding" },
  { BR_ERR_X509_OVERFLOW, "peer certificate: value out of range" },
  { BR_ERR_X509_BAD_DN, "peer certificate: invalid distinguished name" },
  { BR_ERR_X509_BAD_TIME, "peer certificate: invalid date/time encoding" },
  { BR_ERR_X509_UNSUPPORTED, "peer certificate uses unsupported features that cannot be ignored" },
  { BR_ERR_X509_LIMIT_EXCEEDED, "peer certificate key or signature too large" },
  { BR_ERR_X509_WRONG_KEY_TYPE, "peer certificate key type does not match the expected one" },
  { BR_ERR_X509_BAD_SIGNATURE, "peer certificate chain has an invalid signature" },
  { BR_ERR_X509_TIME_UNKNOWN, "current time unknown: cannot check certificate validity dates" },
  { BR_ERR_X509_EXPIRED, "peer certificate expired or not yet valid" },
  { BR_ERR_X509_DN_MISMATCH, "peer certificate chain is broken (issuer/subject name mismatch)" },
  { BR_ERR_X509_BAD_SERVER_NAME, "peer certificate does not match the server name" },
  { BR_ERR_X509_CRITICAL_EXTENSION, "peer certificate has an unknown critical extension" },
  { BR_ERR_X509_NOT_CA, "peer certificate chain: issuer is not a CA, or path length exceeded" },
  { BR_ERR_X509_FORBIDDEN_KEY_USAGE, "peer certificate key usage forbids this use" },
  { BR_ERR_X509_WEAK_PUBLIC_KEY, "peer certificate public key is too small" },
  { BR_ERR_X509_NOT_TRUSTED, "peer certificate chain not trusted (unknown CA)" },
  { 0, 0 }
};

static error_text const utls_errors[] =
{
  { UTLS_ERR_NOPEM, "no PEM object of the expected kind in the file" },
  { UTLS_ERR_BADPEM, "malformed PEM data" },
  { UTLS_ERR_TOOBIG, "file too large" },
  { UTLS_ERR_NOCERT, "no certificate in the file" },
  { UTLS_ERR_TOOMANY, "too many certificates or trust anchors" },
  { UTLS_ERR_BADKEY, "not a valid RSA or EC private key" },
  { UTLS_ERR_KEYTYPE, "unsupported key type or curve (usable: RSA up to 4096 bits, EC P-256, P-384, P-521)" },
  { UTLS_ERR_KEYMISMATCH, "private key does not match the certificate" },
  { UTLS_ERR_BADCERT, "certificate cannot be decoded" },
  { UTLS_ERR_NOANCHOR, "no usable trust anchor (CA certificate) found" },
  { UTLS_ERR_BADDER, "malformed DER structure" },
  { UTLS_ERR_NAMEMISMATCH, "peer certificate does not match the expected name" },
  { UTLS_ERR_PINMISMATCH, "peer public key does not match the pinned key" },
  { UTLS_ERR_NOCLIENTCERT, "a client certificate was required and none was sent" },
  { UTLS_ERR_TIMEOUT, "handshake timed out" },
  { UTLS_ERR_PEEREOF, "peer closed the connection without close_notify" },
  { UTLS_ERR_INJECTION, "server sent data before the TLS handshake started (possible injection attack)" },
  { UTLS_ERR_IDLE, "connection idle for longer than the idle timeout (-I)" },
  { UTLS_ERR_STALLED, "peer stopped reading: nothing could be sent for the write timeout (-L)" },
  { UTLS_ERR_APPGONE, "the application exited before the handshake facts could reach it" },
  { UTLS_ERR_ENVFULL, "the handshake facts do not fit in the application's environment block" },
  { UTLS_ERR_SIGSHA1, "peer certificate signed with SHA-1 (refused)" },
  { UTLS_ERR_SIGMD5, "peer certificate signed with MD5 (refused)" },
  { UTLS_ERR_RSASHORT, "RSA key in peer chain shorter than 2048 bits" },
  { UTLS_ERR_EKUCLIENT, "peer certificate not valid for TLS client authentication (Extended Key Usage)" },
  { UTLS_ERR_EKUSERVER, "peer certificate not valid for TLS server authentication (Extended Key Usage)" },
  { UTLS_ERR_RESUMENAME, "the client's server name (SNI) is ambiguous in its ClientHello: session resumption refused" },
  { UTLS_ERR_MCSPEC, "malformed memcached server list: want memcached:IP:PORT or memcached:/path/to/socket, comma-separated (IPv6 in brackets)" },
  { UTLS_ERR_SEALKEY, "a session key file must hold exactly 32 bytes (head -c 32 /dev/urandom)" },
  { 0, 0 }
};

/* Alert names from RFC 5246, 6066, 7301 and 8446. */
#define ALERT(n, name) { n, "received alert " name, "sent alert " name }

typedef struct alert_text_s alert_text;
struct alert_text_s
{
  int code;
  char const *received;
  char const *sent;
};

static alert_text const alerts[] =
{
  ALERT(0, "close_notify"),
  ALERT(10, "unexpected_message"),
  ALERT(20, "bad_record_mac"),
  ALERT(21, "decryption_failed"),
  ALERT(22, "record_overflow"),
  ALERT(30, "decompression_failure"),
  ALERT(40, "handshake_failure"),
  ALERT(41, "no_certificate"),
  ALERT(42, "bad_certificate"),
  ALERT(43, "unsupported_certificate"),
  ALERT(44, "certificate_revoked"),
  ALERT(45, "certificate_expired"),
  ALERT(46, "certificate_unknown"),
  ALERT(47, "illegal_parameter"),
  ALERT(48, "unknown_ca"),
  ALERT(49, "access_denied"),
  ALERT(50, "decode_error"),
  ALERT(51, "decrypt_error"),
  ALERT(60, "export_restriction"),
  ALERT(70, "protocol_version"),
  ALERT(71, "insufficient_security"),
  ALERT(80, "internal_error"),
  ALERT(86, "inappropriate_fallback"),
  ALERT(90, "user_canceled"),
  ALERT(100, "no_renegotiation"),
  ALERT(109, "missing_extension"),
  ALERT(110, "unsupported_extension"),
  ALERT(111, "certificate_unobtainable"),
  ALERT(112, "unrecognized_name"),
  ALERT(113, "bad_certificate_status_response"),
  ALERT(114, "bad_certificate_hash_value"),
  ALERT(115, "unknown_psk_identity"),
  ALERT(116, "certificate_required"),
  ALERT(120, "no_application_protocol"),
  { -1, 0, 0 }
};

static char const *table_find (error_text const *table, int code)
{
  for (; table->text; table++)
    if (table->code == code) return table->text;
  return 0;
}

static char const *alert_find (int alert, int received)
{
  alert_text const *a = alerts;
  for (; a->received; a++)
    if (a->code == alert) return received ? a->received : a->sent;
  return 0;
}

/* Only numbers nobody defined get here: "<prefix><n>" in a static buffer. */
static char const *numeric (char const *prefix, int n)
{
  static char buf[80];
  size_t len = 0;
  unsigned int u = n < 0 ? -(unsigned int)n : (unsigned int)n;
  for (; prefix[len] && len < sizeof(buf) - UINT_FMT - 2; len++) buf[len] = prefix[len];
  if (n < 0) buf[len++] = '-';
  len += uint_fmt(buf + len, u);
  buf[len] = 0;
  return buf;
}

char const *utls_error_str (int err)
{
  char const *s;
  if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_RECV_FATAL_ALERT + 256)
  {
    s = alert_find(err - BR_ERR_RECV_FATAL_ALERT, 1);
    return s ? s : numeric("received alert number ", err - BR_ERR_RECV_FATAL_ALERT);
  }
  if (err >= BR_ERR_SEND_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT + 256)
  {
    s = alert_find(err - BR_ERR_SEND_FATAL_ALERT, 0);
    return s ? s : numeric("sent alert number ", err - BR_ERR_SEND_FATAL_ALERT);
  }
  if (err == -1) return "system call failed (see errno)";
  s = table_find(ssl_errors, err);
  if (s) return s;
  s = table_find(utls_errors, err);
  if (s) return s;
  if (err >= 0 && err < 1024) return numeric("unrecognized BearSSL error ", err);
  if (err >= UTLS_ERR_NOPEM) return numeric("unrecognized ucspi-tls error ", err);
  return numeric("unrecognized error code ", err);
}
