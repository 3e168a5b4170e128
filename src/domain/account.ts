/** Digits of a Korean bank account number, without hyphens: the rule for the API, the flows, the CLI. */
export const ACCOUNT_PATTERN = '^[0-9]{6,15}$';
const ACCOUNT = new RegExp(ACCOUNT_PATTERN);

/** Why `account` cannot be an account number, or undefined when it can. */
export function accountProblem(account: string): string | undefined {
  return ACCOUNT.test(account) ? undefined : 'must be 6–15 digits, without hyphens';
}
