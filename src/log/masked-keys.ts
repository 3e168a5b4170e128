/**
 * How a logged value is hidden, chosen by the name of the key that holds it:
 *
 * - `account`: only the last 4 characters stay (`**********1234`), as the codec shows them
 *   (the rule of maskText in src/codec/mask.ts, which this foundation layer may not import), so
 *   that an operator can still tell two accounts apart;
 * - `name`: only the first character stays (`홍**`);
 * - `secret`: `[redacted]`: passwords, API keys, secrets, one-won codes, id and phone numbers show nothing;
 * - `url`: the password of the user part and any `password=` parameter become `***`;
 * - `text`: free text (an error message) keeps its words; what looks like an account number, an API key
 *   or a bearer token inside it is masked (see scrubText).
 */
export type MaskRule = 'account' | 'name' | 'secret' | 'url' | 'text';

/**
 * Every key whose value is masked in a log line, by rule, besides the suffixes of {@link MASKED_SUFFIXES}.
 * Keys are matched wherever they are in the details, down to {@link MASK_DEPTH} objects or arrays deep.
 *
 * The list holds the telegram and bank-file fields marked `mask:` in specs/ (test/logs.test.ts fails on
 * one that is missing), and the names the API, the flows and the configuration use.
 *
 * `code` is deliberately absent: it is our error code (`FB_VALIDATION`, `ECONNREFUSED`) and a bank's
 * response code, which operators need in clear. A one-won verification code must be logged under a key of
 * its own (`oneWonCode`, `verificationCode`), never as `code`. Likewise `message` is the name of a telegram
 * (`0200/100`), not free text.
 */
export const MASKED_KEYS: { readonly [R in MaskRule]: readonly string[] } = {
  account: [
    'account',
    'accountNo',
    'accountNumber',
    'withdrawAccount',
    'depositAccount',
    'parentAccount',
    'recipientAccount',
    'counterpartyAccount',
    'virtualAccount',
    'refundAccount',
    'payerNo', // 납부자번호: hecto masks it as an account
    'fromAcct', // the made-up third institution's names (test/fixtures/third)
    'toAcct',
  ],
  name: [
    'name',
    'holderName',
    'holderName2',
    'holderNameLong',
    'recipientName',
    'depositHolderName',
    'withdrawHolderName',
    'counterpartyName',
    'counterpartyName20',
    'depositorName',
    'senderName',
    'payerName',
  ],
  secret: [
    // passwords and secrets
    'password',
    'accountPassword',
    'companyPassword',
    'secret',
    'newSecret',
    'previousSecret',
    'secretKey',
    'clientSecret',
    'webhookSecret',
    // API keys and tokens
    'apiKey',
    'key',
    'authorization',
    'Authorization',
    'cookie',
    'token',
    'accessToken',
    'controlToken',
    'x-api-key',
    // one-won and 복기부호 codes (never `code`: see above)
    'oneWonCode',
    'verificationCode',
    'verifyCode',
    // id and phone numbers
    'idNo',
    'holderIdNo',
    'depositIdNo',
    'withdrawIdNo',
    'cmsCodeOrIdNo',
    'payerId',
    'payeeId',
    'phone',
    'customerPhone', // 고객연락처 of 2000/650
  ],
  url: ['url', 'databaseUrl', 'redisUrl'],
  text: ['error', 'reason', 'detail'],
};

/**
 * Key endings that mask whatever the start: `fooAccount` is an account, `fooPassword` a secret. A suffix
 * is matched with its first letter in capitals, so that a word merely ending in it (`Discount`) is not.
 * No `Name`: `messageName`, `tableName` and `fileName` are not people.
 */
export const MASKED_SUFFIXES: readonly (readonly [suffix: string, rule: MaskRule])[] = [
  ['Account', 'account'],
  ['HolderName', 'name'],
  ['Password', 'secret'],
  ['Secret', 'secret'],
  ['Token', 'secret'],
  ['ApiKey', 'secret'],
  ['IdNo', 'secret'],
];

/** How many objects (or arrays) down the details are looked at: `a.b.c.key` at most. */
export const MASK_DEPTH = 3;

/** Every key masked by name, and its rule (the suffixes aside). */
export const MASK_RULE_OF: ReadonlyMap<string, MaskRule> = new Map(
  (Object.entries(MASKED_KEYS) as [MaskRule, readonly string[]][]).flatMap(([rule, keys]) => keys.map((k) => [k, rule] as const)),
);

/** One test for every suffix, so that a key that matches none (most) costs one regex run. */
const SUFFIX = new RegExp(`(?:${MASKED_SUFFIXES.map(([s]) => s).join('|')})$`);

/** The rule that masks the value under `key`, or undefined when it is shown as it is. */
export function maskRuleOf(key: string): MaskRule | undefined {
  const exact = MASK_RULE_OF.get(key);
  if (exact !== undefined || !SUFFIX.test(key)) return exact;
  return MASKED_SUFFIXES.find(([suffix]) => key.endsWith(suffix))?.[1];
}
