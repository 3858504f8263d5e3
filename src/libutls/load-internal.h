/* ISC license. */

#ifndef UTLS_LOAD_INTERNAL_H
#define UTLS_LOAD_INTERNAL_H

/*
 * Internal helpers of the certificate, key and trust anchor loaders.
 * Not installed. Return convention as in utls.h: 0, -1 with errno set,
 * or a positive UTLS_ERR_* / BR_ERR_* code.
 */

#include <stddef.h>
#include <bearssl.h>
#include <utls/utls.h>

/*
 * A trust bundle such as /etc/ssl/certs/ca-certificates.crt is far bigger
 * than UTLS_CERTFILE_MAX (about 220 KiB on Debian 12), so anchor files get
 * their own, larger cap.
 */
#define UTLSP_ANCHORFILE_MAX (8 * 1024 * 1024)

/* Called for each PEM object, or each certificate; nonzero stops the walk and is returned. */
typedef int utlsp_pem_cb (void *ctx, char const *name, unsigned char const *der, size_t len);
typedef int utlsp_cert_cb (void *ctx, unsigned char const *der, size_t len);

/*
 * Reads the whole of file into a fresh malloc'ed buffer, *len bytes.
 * UTLS_ERR_TOOBIG if the file holds more than max bytes. Release the
 * buffer with utlsp_load_release, which wipes it.
 */
extern int utlsp_load_file (char const *file, size_t max, unsigned char **data, size_t *len);
extern void utlsp_load_release (unsigned char *data, size_t len);

/* 1 if the buffer contains a PEM "-----BEGIN " line marker. */
extern int utlsp_load_ispem (unsigned char const *data, size_t len);

/*
 * Decodes every PEM object of the buffer in order and calls cb on each
 * one, with the object label ("CERTIFICATE") and its decoded bytes. The
 * scratch buffer that held the decoded bytes is wiped afterwards. Text
 * outside objects is ignored; inside, the parser is strict (see
 * utlsp_load_pem.c). Returns 0, -1 (ENOMEM), UTLS_ERR_BADPEM, or what cb
 * returned.
 */
extern int utlsp_load_pem (unsigned char const *data, size_t len, utlsp_pem_cb *cb, void *ctx);

/*
 * Calls cb on each CERTIFICATE object of a PEM buffer, or once on the
 * buffer itself if it is not PEM but one DER SEQUENCE spanning it all.
 * UTLS_ERR_NOCERT if there is no certificate at all.
 */
extern int utlsp_load_certs (unsigned char const *data, size_t len, utlsp_cert_cb *cb, void *ctx);

/*
 * Runs br_x509_decoder over one DER certificate. append_dn (may be 0)
 * receives the subject DN. 0 on success (then br_x509_decoder_get_pkey
 * is not null), else UTLS_ERR_BADCERT.
 */
extern int utlsp_load_x509 (br_x509_decoder_context *decoder, unsigned char const *der, size_t len, void (*append_dn) (void *dnctx, void const *buf, size_t len), void *dnctx);

/*
 * Decodes a whole SubjectPublicKeyInfo TLV (as utls_x509_parse finds it)
 * with the rules of br_x509_decoder: RSA, or EC on P-256, P-384 or P-521,
 * no bigger than BR_X509_BUFSIZE_KEY. The pointers of *pk point into
 * spki, leading zeros of the RSA integers stripped. Returns 0,
 * UTLS_ERR_BADDER if malformed, UTLS_ERR_KEYTYPE for keys that
 * br_x509_decoder refuses too; *pk is zeroed on failure.
 */
extern int utlsp_load_spki (br_x509_pkey *pk, utls_der const *spki);

/*
 * The public key of chain->certs[0]: chain->ee_key if the loader kept it,
 * else decoded into *decoder. 0, UTLS_ERR_NOCERT or UTLS_ERR_BADCERT.
 */
extern int utlsp_load_eekey (utls_chain const *chain, br_x509_decoder_context *decoder, br_x509_pkey const **pk);

/*
 * Which certificates become trust anchors: those whose subject Name (the
 * whole DER TLV, compared byte for byte) is one of names[].
 */
typedef struct utlsp_anchor_filter_s utlsp_anchor_filter;
struct utlsp_anchor_filter_s
{
  utls_der const *names;
  size_t nnames;
};

/* 1 if filter wants the subject Name name (always if filter is null). */
extern int utlsp_anchor_wanted (utlsp_anchor_filter const *filter, unsigned char const *name, size_t len);

/*
 * Decodes one DER certificate with BearSSL and appends it as an anchor
 * if filter wants the subject DN that BearSSL found. A key type BearSSL
 * does not support is skipped (0); an undecodable certificate is
 * UTLS_ERR_BADCERT.
 */
extern int utlsp_anchor_add (utls_anchors *anchors, unsigned char const *der, size_t len, utlsp_anchor_filter const *filter);

/*
 * Appends an anchor for each certificate of file (PEM bundle or one DER
 * certificate) that filter wants; every certificate if filter is null.
 * Certificates with keys BearSSL does not support are skipped. Returns 0
 * even if nothing was added; UTLS_ERR_NOCERT if the file holds no
 * certificate at all. On failure, what this call added is removed.
 */
extern int utlsp_load_anchors (utls_anchors *anchors, char const *file, utlsp_anchor_filter const *filter);

/*
 * The same for each regular file of dir (through symlinks); dotfiles and
 * files without certificates are skipped.
 */
extern int utlsp_load_anchordir (utls_anchors *anchors, char const *dir, utlsp_anchor_filter const *filter);

#endif
