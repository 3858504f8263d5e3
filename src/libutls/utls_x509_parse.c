/* ISC license. */

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <utls/utls.h>
#include "der-internal.h"

#define TAG_VERSION (UTLSP_TAG_CLASS_CONTEXT | UTLSP_TAG_CONSTRUCTED | 0)
#define TAG_ISSUER_UID (UTLSP_TAG_CLASS_CONTEXT | 1)
#define TAG_SUBJECT_UID (UTLSP_TAG_CLASS_CONTEXT | 2)
#define TAG_EXTENSIONS (UTLSP_TAG_CLASS_CONTEXT | UTLSP_TAG_CONSTRUCTED | 3)

#define OID_SAN "\x55\x1d\x11"
#define OID_EKU "\x55\x1d\x25"

/* version [0] EXPLICIT INTEGER { v1(0), v2(1), v3(2) } DEFAULT v1 */
static int get_version (utls_der *tbs)
{
  utls_der wrap, v;
  if (!tbs->len || tbs->s[0] != TAG_VERSION) return 1;
  if (!utlsp_der_expect(tbs, TAG_VERSION, &wrap, 0)) return 0;
  if (!utlsp_der_expect(&wrap, UTLSP_TAG_INTEGER, &v, 0) || wrap.len) return 0;
  return v.len == 1 && v.s[0] <= 2;
}

/* Validity ::= SEQUENCE { notBefore Time, notAfter Time } */
static int get_validity (utls_der *tbs, utls_x509_info *info)
{
  utls_der validity, t;
  unsigned int tag;
  if (!utlsp_der_expect(tbs, UTLSP_TAG_SEQUENCE, &validity, 0)) return 0;
  if (!utlsp_der_next(&validity, &tag, &t, 0) || !utlsp_der_time(tag, &t, &info->not_before)) return 0;
  if (!utlsp_der_next(&validity, &tag, &t, 0) || !utlsp_der_time(tag, &t, &info->not_after)) return 0;
  return !validity.len;
}

/* The SAN value is GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName. */
static int get_san (utls_der const *extvalue, utls_x509_info *info)
{
  utls_der in = *extvalue, names, cur;
  if (info->san.s) return 0;    /* RFC 5280 4.2: at most one instance */
  if (!utlsp_der_expect(&in, UTLSP_TAG_SEQUENCE, &names, 0) || in.len || !names.len) return 0;
  for (cur = names ; cur.len ;)
  {
    utls_der v;
    unsigned int tag;
    if (!utlsp_der_next(&cur, &tag, &v, 0)) return 0;
    if ((tag & UTLSP_TAG_CLASS_MASK) != UTLSP_TAG_CLASS_CONTEXT) return 0;
  }
  info->san = names;
  return 1;
}

/* Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
static int get_extension (utls_der *exts, utls_x509_info *info)
{
  utls_der ext, oid, b, value;
  if (!utlsp_der_expect(exts, UTLSP_TAG_SEQUENCE, &ext, 0)) return 0;
  if (!utlsp_der_expect(&ext, UTLSP_TAG_OID, &oid, 0) || !utlsp_der_oid_check(&oid)) return 0;
  if (ext.len && ext.s[0] == UTLSP_TAG_BOOLEAN)
  {
    if (!utlsp_der_expect(&ext, UTLSP_TAG_BOOLEAN, &b, 0) || b.len != 1) return 0;
    if (b.s[0] != 0xff && b.s[0] != 0x00) return 0;
  }
  if (!utlsp_der_expect(&ext, UTLSP_TAG_OCTETSTRING, &value, 0) || ext.len) return 0;
  if (UTLSP_OID_IS(oid, OID_SAN)) return get_san(&value, info);
  if (UTLSP_OID_IS(oid, OID_EKU))
  {
    if (info->eku) return 0;    /* RFC 5280 4.2: at most one instance */
    return utlsp_eku_scan(&value, &info->eku);
  }
  return 1;
}

/* Optional unique identifiers and extensions at the end of tbsCertificate. */
static int get_tail (utls_der *tbs, utls_x509_info *info)
{
  utls_der wrap, exts, v;
  if (tbs->len && tbs->s[0] == TAG_ISSUER_UID && !utlsp_der_expect(tbs, TAG_ISSUER_UID, &v, 0)) return 0;
  if (tbs->len && tbs->s[0] == TAG_SUBJECT_UID && !utlsp_der_expect(tbs, TAG_SUBJECT_UID, &v, 0)) return 0;
  if (!tbs->len) return 1;
  if (!utlsp_der_expect(tbs, TAG_EXTENSIONS, &wrap, 0) || tbs->len) return 0;
  if (!utlsp_der_expect(&wrap, UTLSP_TAG_SEQUENCE, &exts, 0) || wrap.len || !exts.len) return 0;
  while (exts.len)
    if (!get_extension(&exts, info)) return 0;
  return 1;
}

static int get_name (utls_der *tbs, utls_der *name)
{
  utls_der contents, rdns;
  size_t n;
  if (!utlsp_der_expect(tbs, UTLSP_TAG_SEQUENCE, &contents, name)) return 0;
  return utlsp_dn_open(name->s, name->len, &rdns, &n);
}

static int get_tbs (utls_der *tbs, utls_x509_info *info)
{
  utls_der v;
  if (!get_version(tbs)) return 0;
  if (!utlsp_der_expect(tbs, UTLSP_TAG_INTEGER, &info->serial, 0) || !info->serial.len) return 0;
  if (!utlsp_der_expect(tbs, UTLSP_TAG_SEQUENCE, &v, 0)) return 0;
  if (!get_name(tbs, &info->issuer)) return 0;
  if (!get_validity(tbs, info)) return 0;
  if (!get_name(tbs, &info->subject)) return 0;
  if (!utlsp_der_expect(tbs, UTLSP_TAG_SEQUENCE, &v, &info->spki)) return 0;
  return get_tail(tbs, info);
}

/* AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } */
static int get_sigalg (utls_der *cert, utls_der *oid)
{
  utls_der alg;
  if (!utlsp_der_expect(cert, UTLSP_TAG_SEQUENCE, &alg, 0)) return 0;
  return utlsp_der_expect(&alg, UTLSP_TAG_OID, oid, 0) && utlsp_der_oid_check(oid);
}

/*
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
 * signatureValue BIT STRING }, spanning exactly len bytes. The signature
 * is not checked here: that is the X.509 engine's job; its algorithm is
 * kept, to say why the engine refused it.
 */
int utls_x509_parse (utls_x509_info *info, unsigned char const *der, size_t len)
{
  utls_der in = { .s = der, .len = len };
  utls_der cert, tbs, v;
  utls_x509_info tmp;
  memset(&tmp, 0, sizeof(tmp));
  if (!utlsp_der_expect(&in, UTLSP_TAG_SEQUENCE, &cert, 0) || in.len) return UTLS_ERR_BADDER;
  if (!utlsp_der_expect(&cert, UTLSP_TAG_SEQUENCE, &tbs, 0)) return UTLS_ERR_BADDER;
  if (!get_tbs(&tbs, &tmp) || tbs.len) return UTLS_ERR_BADDER;
  if (!get_sigalg(&cert, &tmp.sigalg)) return UTLS_ERR_BADDER;
  if (!utlsp_der_expect(&cert, UTLSP_TAG_BITSTRING, &v, 0) || cert.len) return UTLS_ERR_BADDER;
  if (!tmp.san.s) tmp.san.s = der;      /* empty, but never a null pointer */
  *info = tmp;
  return 0;
}
