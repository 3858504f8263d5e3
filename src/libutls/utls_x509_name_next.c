/* ISC license. */

#include <utls/utls.h>

int utls_x509_name_next (utls_x509_info const *info, utls_certname *name)
{
  unsigned int type;
  utls_der v;
  size_t len;
  if (name->ended) return 0;
  while (utls_x509_san_next(info, &name->pos, &type, &v) == 1)
  {
    if (type != UTLS_CERTNAME_DNS && (type != UTLS_CERTNAME_IP || (v.len != 4 && v.len != 16))) continue;
    name->type = type;
    name->value = v;
    name->found++;
    return 1;
  }
  name->ended = 1;
  if (name->found) return 0;
  len = utls_dn_attr(name->cn, sizeof name->cn, info->subject.s, info->subject.len, (unsigned char const *)UTLS_OID_CN, UTLS_OID_CN_LEN);
  if (!len) return 0;
  name->type = UTLS_CERTNAME_CN;
  name->value.s = (unsigned char const *)name->cn;
  name->value.len = len;
  name->cn_counts = !info->san.len;
  return 1;
}
