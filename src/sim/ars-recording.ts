import type { ArsOutcome } from '../flows/ars-port.js';
import type { WireStartCall } from '../ars/ars-wire.js';

/** The keys the simulated payer pressed, by outcome (nothing for a call that was not answered). */
const KEYS: Readonly<Record<ArsOutcome, string>> = {
  confirmed: '1',
  declined: '2',
  'wrong-input': '7,9,#',
  'hung-up': '',
  'no-answer': '',
  failed: '',
};

/** Outcomes of an answered call: the ones a real provider has a recording of. */
export function isRecorded(outcome: ArsOutcome): boolean {
  return outcome === 'confirmed' || outcome === 'declined' || outcome === 'hung-up' || outcome === 'wrong-input';
}

/**
 * The simulated recording of a call: a valid WAV header (8 kHz, 8-bit, mono PCM) whose "audio" is the
 * call's transcript in UTF-8 — the script as read out, the keys pressed, the call id. Deterministic (no
 * time, no randomness beyond the call id), so that a test can rebuild the bytes and check the SHA-256
 * the evidence store keeps. The phone number is not in it, as in a real recording.
 */
export function simRecording(callId: string, req: Pick<WireStartCall, 'consentId' | 'script'>, outcome: ArsOutcome): Buffer {
  const { company, bankName, accountMasked, payerNumber } = req.script;
  const transcript = [
    `ARS-SIM recording of call ${callId} (consent ${req.consentId})`,
    `${company}에서 ${bankName} ${accountMasked} 계좌로 납부자번호 ${payerNumber}의 출금을 신청하였습니다.`,
    '출금에 동의하시면 1번, 동의하지 않으시면 2번을 눌러 주십시오.',
    `keys: ${KEYS[outcome] || '(none)'}`,
    `outcome: ${outcome}`,
    '',
  ].join('\n');
  const data = Buffer.from(transcript, 'utf8');
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24); // sample rate
  header.writeUInt32LE(8000, 28); // byte rate
  header.writeUInt16LE(1, 32); // block align
  header.writeUInt16LE(8, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
