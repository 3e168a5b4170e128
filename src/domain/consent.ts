/**
 * A payer's consent to be debited (출금동의, 전자금융거래법 §15), obtained by ARS, and the registration of the
 * payer's account at the bank that follows it (2000/550). A collection may be sent for a consent only while
 * it is `registered`; the payer may withdraw it until the debit is posted.
 *
 * States:
 * - `calling`: accepted and persisted; the ARS provider is calling the payer (or will, once it answers).
 * - `declined`: no consent was given — the payer pressed "no", hung up, pressed wrong keys, did not pick
 *   up, the call could not be placed, or no result came in time. Final; `arsOutcome` says which.
 * - `consented`: the payer confirmed on the keypad; the evidence (recording, its SHA-256, time, phone) is
 *   kept. Nothing was sent to the bank yet.
 * - `registering`: a registration (2000/550 신규) is on its way or its answer was lost; only the bank's
 *   answer to a registration settles it.
 * - `registered`: the bank registered the payer's account under the payer number: collections may go.
 * - `refused`: the bank refused the registration (its 불능코드 kept). Final.
 * - `withdrawing`: the payer withdrew the consent; no collection is sent from here on, and the
 *   cancellation (2000/550 해지) is on its way once no collection of this consent is in flight.
 * - `withdrawn`: withdrawn (before anything reached the bank, or the bank answered the cancellation). Final.
 * - `cancelled-at-bank`: the payer cancelled at the bank, which told us (2000/650). Final.
 */
export type ConsentState = 'calling' | 'declined' | 'consented' | 'registering' | 'registered' | 'refused' | 'withdrawing' | 'withdrawn' | 'cancelled-at-bank';

export const CONSENT_STATES: readonly ConsentState[] = ['calling', 'declined', 'consented', 'registering', 'registered', 'refused', 'withdrawing', 'withdrawn', 'cancelled-at-bank'];

/** States nothing moves out of. A consent in one of them holds its payer number no more. */
export const FINAL_CONSENT_STATES: readonly ConsentState[] = ['declined', 'refused', 'withdrawn', 'cancelled-at-bank'];

/** States the flow still acts on: what a recovery sweep looks at. */
export const UNSETTLED_CONSENT_STATES: readonly ConsentState[] = ['calling', 'consented', 'registering', 'withdrawing'];

/** 동의자료구분 of an ARS consent in 2000/550 (1 서면, 2 공인인증, 3 일반인증, 4 녹취, 5 ARS, …). */
export const ARS_CONSENT_TYPE = '5';

/**
 * How the ARS part ended, as kept on the consent: the provider's outcome, or `expired` when no result came
 * within the call's time limit (the provider never said; no consent is assumed).
 */
export type ConsentArsOutcome = 'confirmed' | 'declined' | 'hung-up' | 'wrong-input' | 'no-answer' | 'failed' | 'expired';

/** What proves the payer's consent: kept for {@link Consent.retainUntil}. */
export interface ConsentEvidence {
  readonly callId: string;
  readonly recordingId: string;
  /** SHA-256 (hex) of the recording's bytes as the evidence store keeps them. */
  readonly recordingSha256: string;
  /** Where the evidence store keeps the recording. */
  readonly recordingLocation: string;
  /** Where the evidence store keeps the evidence record (JSON; the one place the phone number is in clear). */
  readonly recordLocation: string;
  readonly recordSha256: string;
  /** When the payer confirmed (the provider's completion time). */
  readonly confirmedAt: Date;
  /** 동의자료구분: always {@link ARS_CONSENT_TYPE} here. */
  readonly consentType: string;
}

/** The bank's word on the last registration or cancellation telegram of a consent. */
export interface BankAnswer {
  /** 응답코드, or 불능코드 when the bank refused. */
  readonly code: string;
  readonly message: string;
}

/**
 * A consent as flows and the API see it. Never the payer's id number nor the phone number in clear: those
 * are sealed at rest and read only where a telegram or the evidence needs them.
 */
export interface Consent {
  readonly id: string;
  readonly service: string;
  /** The caller's id for it: the same id with the same body returns the same consent. */
  readonly requestId: string;
  readonly institution: string;
  /** 납부자번호: how the bank and the collections name this payer. */
  readonly payerNumber: string;
  /** The payer's bank (KFTC code) and account. */
  readonly bankCode: string;
  readonly account: string;
  /** The phone number as it may be shown (`010-****-5678`). */
  readonly phoneMasked: string;
  readonly state: ConsentState;
  /** The ARS call, once the provider took it. */
  readonly callId: string | null;
  readonly arsOutcome: ConsentArsOutcome | null;
  readonly evidence: ConsentEvidence | null;
  /** 신청일자 of the last registration or cancellation sent (YYYY-MM-DD, KST). */
  readonly applicationDate: string | null;
  /** 전문번호 and send date of the last 2000/550 kept for this consent. */
  readonly seqNo: string | null;
  readonly sendDate: string | null;
  /** 2000/550 telegrams kept for this consent so far (registrations and cancellations). */
  readonly bankAttempts: number;
  readonly bankAnswer: BankAnswer | null;
  readonly registeredAt: Date | null;
  /** When the payer asked to withdraw (it takes effect as soon as the consent leaves `registering`). */
  readonly withdrawRequestedAt: Date | null;
  /** When it reached a final state. */
  readonly endedAt: Date | null;
  /** Until when its record and evidence must be kept (end + the retention period); null while live. */
  readonly retainUntil: Date | null;
  /** Set when the flow gave up asking (the bank never answered): an operator must look. */
  readonly needsOperator: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Every allowed move. Anything else is a bug or a race, and is refused by the store. */
const NEXT: Readonly<Record<ConsentState, readonly ConsentState[]>> = {
  calling: ['consented', 'declined', 'withdrawn'],
  consented: ['registering', 'withdrawn'],
  // registering → registering: the registration is sent again after an answer that never came
  // (withdrawing: the payer asked to withdraw while the registration was on its way, and the bank said yes)
  registering: ['registering', 'registered', 'withdrawing', 'refused', 'cancelled-at-bank'],
  registered: ['withdrawing', 'cancelled-at-bank'],
  // withdrawing → withdrawing: the cancellation is sent again after an answer that never came
  withdrawing: ['withdrawing', 'withdrawn', 'cancelled-at-bank'],
  declined: [],
  refused: [],
  withdrawn: [],
  'cancelled-at-bank': [],
};

export function canMoveConsent(from: ConsentState, to: ConsentState): boolean {
  return NEXT[from].includes(to);
}

export function isFinalConsent(s: ConsentState): boolean {
  return FINAL_CONSENT_STATES.includes(s);
}

/** The one state a collection may be sent in (the collections flow claims with `state = 'registered'`). */
export function mayCollect(s: ConsentState): boolean {
  return s === 'registered';
}

/**
 * What happens to a consent: the ARS call's end, the registration and cancellation telegrams and their
 * answers, the payer's withdrawal, the bank's cancellation notice.
 */
export type ConsentEvent =
  | { readonly kind: 'ars-ended'; readonly outcome: ConsentArsOutcome }
  /** A 2000/550 (신규) is kept and about to be written, first time or again. */
  | { readonly kind: 'registration-sent' }
  /** The bank's answer to a registration: registered (`yes`), refused (`no`), or no word (`unknown`). */
  | { readonly kind: 'registration-answered'; readonly answer: 'yes' | 'no' | 'unknown' }
  | { readonly kind: 'withdraw' }
  /** A 2000/550 (해지) is kept and about to be written. */
  | { readonly kind: 'cancellation-sent' }
  /** The bank's answer to a cancellation: any word from it ends the consent; none leaves it withdrawing. */
  | { readonly kind: 'cancellation-answered'; readonly answered: boolean }
  /** 2000/650: the payer cancelled at the bank. */
  | { readonly kind: 'bank-cancelled' };

/** A consent's state and whether the payer asked to withdraw while its registration was on its way. */
export interface ConsentStatus {
  readonly state: ConsentState;
  readonly withdrawRequested: boolean;
}

/**
 * Where `event` takes a consent, or a string saying why it does not apply in this state (the store's
 * conditional statements make the same decisions; this is their specification, tested as a property).
 *
 * The rules that matter most:
 * - only the bank's "yes" to a registration makes a consent `registered`, and never once the payer has
 *   withdrawn (a withdrawal that comes while the registration is on its way is remembered and applied the
 *   moment the bank says yes: `withdrawing`, never `registered`);
 * - a withdrawal from `registered` leaves it at once (to `withdrawing`): no collection is sent after it;
 * - before anything reached the bank (`calling`, `consented`) a withdrawal ends the consent outright;
 * - a final state never changes.
 */
export function nextConsentStatus(s: ConsentStatus, event: ConsentEvent): ConsentStatus | string {
  const to = (state: ConsentState, withdrawRequested = s.withdrawRequested): ConsentStatus => ({ state, withdrawRequested });
  if (isFinalConsent(s.state)) return `the consent is ${s.state}: nothing changes it any more`;
  switch (event.kind) {
    case 'ars-ended':
      if (s.state !== 'calling') return `an ARS result for a consent that is ${s.state} changes nothing`;
      return to(event.outcome === 'confirmed' ? 'consented' : 'declined');
    case 'registration-sent':
      return s.state === 'consented' || s.state === 'registering' ? to('registering') : `no registration is sent for a consent that is ${s.state}`;
    case 'registration-answered':
      if (s.state !== 'registering') return `a registration answer for a consent that is ${s.state} changes nothing`;
      if (event.answer === 'yes') return to(s.withdrawRequested ? 'withdrawing' : 'registered');
      return event.answer === 'no' ? to('refused') : to('registering');
    case 'withdraw':
      switch (s.state) {
        case 'calling':
        case 'consented':
          return to('withdrawn', true);
        case 'registering':
          return to('registering', true);
        case 'registered':
        case 'withdrawing':
          return to('withdrawing', true);
        default:
          return `a consent that is ${s.state} cannot be withdrawn`;
      }
    case 'cancellation-sent':
      return s.state === 'withdrawing' ? to('withdrawing') : `no cancellation is sent for a consent that is ${s.state}`;
    case 'cancellation-answered':
      if (s.state !== 'withdrawing') return `a cancellation answer for a consent that is ${s.state} changes nothing`;
      return to(event.answered ? 'withdrawn' : 'withdrawing');
    case 'bank-cancelled':
      return s.state === 'registered' || s.state === 'withdrawing' || s.state === 'registering' ? to('cancelled-at-bank') : `a bank cancellation for a consent that is ${s.state} matches nothing`;
  }
}
