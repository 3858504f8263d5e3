/* ISC license. */

#include <utls/utls.h>
#include <utls/setup.h>

void utls_policy_wipe (utls_policy *policy)
{
  size_t i = 0;
  for (; i < policy->n; i++) utls_skey_wipe(&policy->entries[i].key);
  policy->chosen = 0;
}
