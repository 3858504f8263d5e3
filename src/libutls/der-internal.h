/* ISC license. */

#ifndef UTLS_DER_INTERNAL_H
#define UTLS_DER_INTERNAL_H

/*
 * Internal helpers of libutls for DER walking, distinguished names and
 * bounded string output. Not installed.
 *
 * A utls_der is used as a read cursor: the walking functions consume
 * bytes from its front (s advances, len shrinks).
 */

#include <stddef.h>
#include <stdint.h>
#include <utls/utls.h>

/* Full identifier octets of the DER tags we look at. */
enum utlsp_der_tag_e
{
  UTLSP_TAG_BOOLEAN = 0x01,
  UTLSP_TAG_INTEGER = 0x02,
  UTLSP_TAG_BITSTRING = 0x03,
  UTLSP_TAG_OCTETSTRING = 0x04,
  UTLSP_TAG_OID = 0x06,
  UTLSP_TAG_UTF8STRING = 0x0c,
  UTLSP_TAG_NUMERICSTRING = 0x12,
  UTLSP_TAG_PRINTABLESTRING = 0x13,
  UTLSP_TAG_TELETEXSTRING = 0x14,
  UTLSP_TAG_IA5STRING = 0x16,
  UTLSP_TAG_UTCTIME = 0x17,
  UTLSP_TAG_GENERALIZEDTIME = 0x18,
  UTLSP_TAG_VISIBLESTRING = 0x1a,
  UTLSP_TAG_UNIVERSALSTRING = 0x1c,
  UTLSP_TAG_BMPSTRING = 0x1e,
  UTLSP_TAG_SEQUENCE = 0x30,
  UTLSP_TAG_SET = 0x31
};

/* Bits of the identifier octet. */
#define UTLSP_TAG_CLASS_MASK 0xc0
#define UTLSP_TAG_CLASS_CONTEXT 0x80
#define UTLSP_TAG_CONSTRUCTED 0x20
#define UTLSP_TAG_NUMBER_MASK 0x1f

/*
 * Reads one TLV from the front of in. Sets *tag to the identifier octet,
 * *contents to the value, and *whole (if not null) to the whole TLV.
 * Returns 1, or 0 if in is empty or malformed (high tag numbers,
 * indefinite or non-minimal lengths, lengths past the end).
 */
extern int utlsp_der_next (utls_der *in, unsigned int *tag, utls_der *contents, utls_der *whole);

/* Same as utlsp_der_next, and 0 unless the tag is the wanted one. */
extern int utlsp_der_expect (utls_der *in, unsigned int tag, utls_der *contents, utls_der *whole);

/*
 * Reads an INTEGER that must not be negative, as BearSSL's decoders do:
 * not empty, sign bit clear. *value is its magnitude with the leading
 * zero octets stripped (empty for zero). Returns 1, or 0.
 */
extern int utlsp_der_uint (utls_der *in, utls_der *value);

/* OBJECT IDENTIFIER contents (no tag, no length) of the key algorithms and curves we know. */
#define UTLSP_OID_RSA_ENCRYPTION "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"
#define UTLSP_OID_EC_PUBLIC_KEY "\x2a\x86\x48\xce\x3d\x02\x01"
#define UTLSP_OID_P256 "\x2a\x86\x48\xce\x3d\x03\x01\x07"
#define UTLSP_OID_P384 "\x2b\x81\x04\x00\x22"
#define UTLSP_OID_P521 "\x2b\x81\x04\x00\x23"

/* 1 if the OID contents oid (a utls_der) are those of the string literal lit; needs <string.h>. */
#define UTLSP_OID_IS(oid, lit) ((oid).len == sizeof(lit) - 1 && !memcmp((oid).s, (lit), sizeof(lit) - 1))

/* 1 if oid is well-formed OBJECT IDENTIFIER contents (minimal arcs), else 0. */
extern int utlsp_der_oid_check (utls_der const *oid);

/*
 * Reads the value of an Extended Key Usage extension (the contents of
 * its extnValue OCTET STRING): sets *eku to UTLS_EKU_PRESENT and the
 * bits of the purposes it lists. Returns 1, or 0 if malformed (not
 * exactly one non-empty SEQUENCE of well-formed OIDs).
 */
extern int utlsp_eku_scan (utls_der const *value, unsigned int *eku);

/*
 * UTCTime (YYMMDDHHMMSSZ, YY < 50 is 20YY) or GeneralizedTime
 * (YYYYMMDDHHMMSSZ) contents to seconds since the epoch. 1 or 0.
 */
extern int utlsp_der_time (unsigned int tag, utls_der const *value, int64_t *t);

/*
 * Checks a whole Name TLV: SEQUENCE OF non-empty SET OF
 * SEQUENCE { OID, value }, nothing trailing. On success returns 1 and
 * sets *rdns to the contents of the outer SEQUENCE and *n to the number
 * of RDNs. Returns 0 if malformed.
 */
extern int utlsp_dn_open (unsigned char const *name, size_t namelen, utls_der *rdns, size_t *n);

/* Sets *rdn to the contents of the i-th RDN (SET) of a checked Name. 1 or 0. */
extern int utlsp_dn_rdn (utls_der const *rdns, size_t i, utls_der *rdn);

/*
 * Reads the next AttributeTypeAndValue from the rdn cursor: OID contents,
 * value tag, value contents, whole value TLV. 1, or 0 at the end/on error.
 */
extern int utlsp_dn_atv (utls_der *rdn, utls_der *oid, unsigned int *vtag, utls_der *value, utls_der *vwhole);

/* Bounded output: never writes past max - 1, so that a NUL always fits. */
typedef struct utlsp_out_s utlsp_out;
struct utlsp_out_s
{
  char *s;
  size_t max;
  size_t len;
  int full;                     /* something did not fit */
};
#define UTLSP_OUT_INIT(buf, size) { .s = (buf), .max = (size), .len = 0, .full = 0 }

/* Appends n bytes, or sets full (and writes nothing) if they do not fit. */
extern void utlsp_out_put (utlsp_out *out, char const *s, size_t n);

/* Appends "\XX" (uppercase hex) for the byte c. */
extern void utlsp_out_hexbyte (utlsp_out *out, unsigned char c);

/* Writes the NUL; returns the length, or 0 (with an empty string) if full. */
extern size_t utlsp_out_finish (utlsp_out *out);

/* Appends the dotted-decimal form of OID contents. 0 if an arc exceeds 64 bits. */
extern int utlsp_oid_fmt (utlsp_out *out, utls_der const *oid);

/* Flags for utlsp_dn_value. */
enum utlsp_dn_value_flag_e
{
  UTLSP_DN_RFC4514 = 1 << 0     /* also apply RFC 4514 section 2.4 escaping */
};

/*
 * Appends a directory string value (UTF8String, PrintableString,
 * IA5String, VisibleString, NumericString, TeletexString, BMPString,
 * UniversalString) as UTF-8. Control characters (C0, DEL, C1) and bytes
 * that do not decode are written as \XX. Returns 1, or 0 (writing
 * nothing) if the tag is not a supported string type or the length does
 * not suit it.
 */
extern int utlsp_dn_value (utlsp_out *out, unsigned int tag, utls_der const *value, unsigned int flags);

#endif
