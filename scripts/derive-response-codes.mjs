// Derives specs/codes/hecto-bank-response-codes.csv from Hecto's per-bank response code list.
// usage: node scripts/derive-response-codes.mjs ../shared/reference/hecto-bank-response-codes-202410.csv
//
// Normalisation (the spreadsheet lost leading zeros in numeric cells):
//   bank: left-padded with zeros to 3 digits (2 → 002).
//   code: a code of 1–3 digits is left-padded to 4 (0 → 0000, 100 → 0100), because the telegram field is X(4)
//         and banks send four characters; codes with letters are kept as written. Four duplicate rows after
//         padding (same bank and code twice) keep the first message and note the second.
//   message: full-width spaces become spaces, runs of spaces collapse, ends trimmed.
// Outcome classes, first rule that matches (column `rule` says which):
//   success             code 0000
//   no-such-transaction message starts with 원거래 없음 / 원거래를 찾을 수 없음 / (해당)거래내역 없음 — the only
//                       class that may allow a new attempt, so the rule is narrow on purpose
//   unknown             time-out, no answer, "check the result" wording: the money may have moved
//   processing          "처리중" without a refusal word: ask again later
//   rejected            everything else
// Biased on purpose: a refusal read as unknown only costs an inquiry, an unknown read as a refusal loses money.
import { readFileSync, writeFileSync } from 'node:fs';

const [, , source, target = 'specs/codes/hecto-bank-response-codes.csv'] = process.argv;
const lines = readFileSync(source, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).slice(1).filter(Boolean);

function parseCsvLine(line) {
  const out = [];
  let cur = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cur); cur = ''; }
    else cur += ch;
  }
  out.push(cur);
  return out;
}

const RULES = [
  ['no-such-transaction', 'no-record-wording', /^(원거래\s*(가|를)?\s*(없|찾을\s*수\s*없)|(해당)?\s*거래\s*내역\s*(이)?\s*없)/],
  ['unknown', 'timeout-or-check-wording', /TIME\s*-?\s*(OUT|OVER)|TIMEOVER|타임\s*아웃|무응답|응답\s*미수신|조회\s*필|처리\s*결과.*(확인|조회)|결과\s*조회|거래\s*여부\s*확인|확인\s*거래\s*요망|이체\s*확인/i],
  ['processing', 'processing-wording', /처리\s*중(?!.*(오류|거부|불가|종료))/],
];

const rows = new Map();
const notes = [];
for (const line of lines) {
  const [bank, bankName, code, message] = parseCsvLine(line);
  const b = bank.trim().padStart(3, '0');
  const raw = code.trim();
  const c = /^\d{1,3}$/.test(raw) ? raw.padStart(4, '0') : raw;
  const msg = message.replace(/\u3000/g, ' ').replace(/\s+/g, ' ').trim();
  const key = `${b},${c}`;
  if (rows.has(key)) { notes.push(`# duplicate after padding: bank ${b} code ${c} also says "${msg}"`); continue; }
  let outcome = 'rejected', rule = 'default';
  if (c === '0000') { outcome = 'success'; rule = 'code-0000'; }
  else for (const [o, r, re] of RULES) if (re.test(msg)) { outcome = o; rule = r; break; }
  rows.set(key, [b, bankName.trim(), c, outcome, rule, raw, msg]);
}

// Hecto's own codes (spec 7-4), valid whatever the bank: bank "*".
const HECTO = [
  ['0000', 'success', '정상처리'], ['0001', 'rejected', '전문형식불일치(미등록된 유형거래)'],
  ['0101', 'rejected', '전문전송내역불일치(기존전송번호와 내용불일치)'], ['VTIM', 'unknown', '세션타임아웃으로 이체거래시 확인필수'],
  ['NREC', 'no-such-transaction', '거래내역 없음 (7000/100 처리결과)'], ['SSSS', 'rejected', '업체번호 오류'],
  ['SB01', 'rejected', '중복계좌(금액)출금오류'], ['SB02', 'rejected', '1회 이체한도초과 오류'], ['SB03', 'rejected', '1일 이체한도초과 오류'],
  ['SB04', 'rejected', '기 환불발생 오류'], ['SB05', 'rejected', '동의자료 구분 값 검증오류'],
  ['SB06', 'rejected', '동의자료 대행생성기관 금결원 기관코드 미세팅'], ['SB08', 'rejected', '미등록 유형거래'],
  ['SB09', 'rejected', '전문전송내역불일치(기존전송번호와 내용불일치)'],
];

const q = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const out = [
  '# Hecto per-bank response codes (2024-10), normalised by scripts/derive-response-codes.mjs; see that file for the rules.',
  '# bank "*" rows are Hecto\'s own codes (spec v2.0, 7-4) and apply to every bank without a row of its own.',
  ...notes,
  'bank,bank_name,code,outcome,rule,source_code,message',
  ...HECTO.map(([c, o, m]) => ['*', '헥토파이낸셜', c, o, 'hecto-spec', c, m].map(q).join(',')),
  ...[...rows.values()].map((r) => r.map(q).join(',')),
];
writeFileSync(target, out.join('\n') + '\n');
const count = {};
for (const r of rows.values()) count[r[3]] = (count[r[3]] ?? 0) + 1;
console.error(`${rows.size} bank rows + ${HECTO.length} Hecto rows → ${target}`, count);
