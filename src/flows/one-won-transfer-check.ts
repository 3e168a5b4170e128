import { Decimal } from 'decimal.js';
import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { InstitutionProfile } from '../institution/profile.js';
import type { TransferCheck } from './one-won-ports.js';
import { validateTransfer } from './transfer-input.js';

/**
 * The {@link TransferCheck} of an institution: the rules and the trial encoding that TransferFlow.submit
 * applies (src/flows/transfer-input.ts), so that a 1 won it would refuse is refused before anything is
 * kept or counted. Memo and name bytes are counted by encoding, in the institution's charset.
 */
export function transferCheckOf(profile: InstitutionProfile, codec: TelegramCodec, contractedBank: string): TransferCheck {
  const one = new Decimal(1);
  return {
    check: (t) => void validateTransfer({ ...t, requestId: 'one-won-trial' }, one, profile, codec, contractedBank),
  };
}
