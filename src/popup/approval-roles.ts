import { t } from '../shared/i18n.ts';

// The background names each account of a request by its role, in English: that text is part
// of what the request's digest binds, so it stays the identifier. The popup shows the user's
// language for each role it knows, and the text itself for one it does not.
const ROLES: Record<string, () => string> = {
  'pays (main account)': () => t('approvalRolePays'),
  'stakes (staking key)': () => t('approvalRoleStakes'),
  task: () => t('approvalRoleTask'),
  'stake pot': () => t('approvalRoleStakePot'),
  'pays the fee and receives the stake (main account)': () => t('approvalRolePaysReceives'),
  'withdraws, then claims (staking key)': () => t('approvalRoleWithdraws'),
  'stake pot (pays out)': () => t('approvalRoleStakePotPays'),
  receives: () => t('approvalRoleReceives'),
};

export const roleText = (role: string): string => (Object.hasOwn(ROLES, role) ? ROLES[role]!() : role);
