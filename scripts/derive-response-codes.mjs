// Derives specs/codes/hecto-bank-response-codes.csv from Hecto's per-bank response code list.
// usage: node scripts/derive-response-codes.mjs ../shared/reference/hecto-bank-response-codes-202410.csv
//
// Normalisation (the spreadsheet lost leading zeros in numeric cells):
//   bank: left-padded with zeros to 3 digits (2 → 002).
//   code: a code of 1–3 digits is left-padded to 4 (0 → 0000, 100 → 0100), because the telegram field is X(4)
//         and banks send four characters; codes with letters are kept as written. Four duplicate rows after
//         padding (same bank and code twice) keep the first message and note the second.
//   message: full-width spaces become spaces, runs of spaces collapse, ends trimmed. The rules read an NFKC
//         folding of it (Citi writes ＴＩＭＥＯＵＴ, （）, ，), the column keeps the message as written.
//
// Outcome classes (src/codes/outcome.ts). The rules read the folded message; the first that matches wins, in this
// order, and column `rule` names it:
//   success             code-0000.
//   (any class)         exception: an explicit (bank, code) list, EXCEPTIONS below, each a decision about one message:
//                       wordings that name a failure (장애, 시스템, 통신, 회선 …) yet say plainly that nothing was done
//                       ("장애로 거래불가", "사용불가(장애상태)", "시스템 개시전", "거래불가(서비스준비중-…장애)") →
//                       request-error, or that use such a word in another sense ("SYSTEM ID 오류" is a field of our
//                       request → request-error; "전자통신금융사기", "소재불명으로 거래정지" restrict the account → rejected).
//   no-such-transaction no-record-wording: "원거래 없음 / 원거래를 찾을 수 없음 / (해당)거래내역 없음" at the start of the
//                       message — the only class that may allow a new attempt, so the rule is narrow on purpose.
//   unknown             positive rules, ahead of every refusal rule so that a refusal word next to them never wins:
//                       timeout-or-check-wording (시간 초과/경과, 응답 없음, 무응답, 응답대기, 지연, TIME OUT/OVER, 타임아웃,
//                       조회필, 처리결과 확인, 재거래요망, 재처리); failure-wording (장애, 시스템/SYSTEM, 통신, 회선/LINE,
//                       전산, DOWN, 불명, 폭주/업무량/BUSY, HOST, DB/DATABASE, 비정상, 서버, "…시/중 오류" of a lookup,
//                       update or posting); error-without-words (an ERROR wording without a word of Hangul).
//   processing          processing-wording: "처리중" without a refusal word after it: ask again later.
//   unknown             seen-before-or-done-wording ("정상 …", 완료, 처리됨, 전문번호 중복, 중복/이중 거래, 동일전문,
//                       기처리, 이미 처리/송금/입금 — the bank saw this number or did something: it may be this very
//                       transfer, an operator looks); unclear-wording (기타오류/기타에러, "미처리" alone, 미정의);
//                       original-transaction-wording (원거래 …, 개설기관 계좌/금액 상위: the bank holds a record of an
//                       original transaction, so the code is never a refusal of what we asked).
//   request-error       this request could not be taken as sent, and it says nothing about any other transaction:
//                       format-wording (전문 형식/포맷/길이/TYPE, 공통부/개별부 오류, MESSAGE 코드, 전문전송내역불일치);
//                       message-type-wording (전문구분/업무구분/거래구분/조회구분 코드 오류, 거래코드 오류);
//                       company-or-institution-wording (업체번호/업체코드, 기관코드/이용기관코드 오류·미등록, 미참가
//                       기관); not-registered-for-this-wording (미등록 유형거래, 서비스 미등록/미신청, 미계약 전문);
//                       hours-wording (개시전/개시이전/미개시, 마감(후), 업무종료/타행환 종료, 서비스시간 아님, 휴일,
//                       업무중단, "…까지만 가능"); bank-unavailable-wording (입금/출금/개설은행 사용불가: the network
//                       refused before sending); too-early-wording (조회 가능시간 전, "N분 후 조회");
//                       date-of-request-wording (전송일자/이체일자/거래일자/조회일자 오류, 전일자 거래 불가);
//                       bank-code-of-request-wording (은행코드 오류/누락/입력오류, 입금은행코드 틀림);
//                       request-field-wording (누락, 스페이스, 숫자 아님, 필수 입력항목, 의뢰인명/적요 오류, 복기부호,
//                       MAC, 복호화). A wrong date or bank code is a request error: it is a field we filled in, and a
//                       result inquiry answered so must not settle the transfer it asks about. Wordings naming another
//                       party's telegram (수신전문, 응답전문, 개설기관, 결제원, 중계센터 …) are not about our request:
//                       the format/field/date/company rules skip them, so they stay unknown.
//   rejected            the transaction was refused for what it is: funds-wording (잔액/예금/잔고 부족, 지급가능잔액
//                       부족); limit-wording (한도 초과, 횟수 초과); closed-account-wording (해지, 해약, 폐쇄, 전출, 이관,
//                       잡좌, 휴면, 장기미사용); legal-or-accident-wording (사고신고, 법적 제한, 지급정지, 압류, 질권,
//                       거래정지/제한/중지, 사망, 분실, 사기, 잔액증명 발급, 통장정리 후 거래, 부도, 범죄, 파산);
//                       holder-wording (비실명, 실명 미확인/미등록, 가명, 차명, 수취인/예금주 성명 오류·불일치, 주민/
//                       사업자번호 상이); password-wording (비밀번호 오류/상이/횟수); deposit-impossible-wording
//                       (입금불가, 수취불가, 이체불능, 거래불가, 처리불가); account-wording (계좌(번호) 오류/없음/상이/
//                       미등록/상태 오류, CHECK DIGIT, CMS번호); amount-wording (금액 오류/상위/불일치, 불입금 상위);
//                       overdue-wording (연체); destination-bank-wording (미참가은행, 타행환 미실시, 서비스 안함).
//   unknown             default: anything else is not a clear refusal.
// Biased on purpose: a refusal read as unknown only costs an inquiry (and, at worst, an operator's look); an unknown
// read as a refusal loses money. Between request-error and rejected the doubt goes to request-error, because a
// rejected code in the header of a result inquiry settles the transfer asked about, a request-error never does.
// Hecto's own codes (bank "*", HECTO below) are classed by hand from spec 7-4.
import { readFileSync, writeFileSync } from 'node:fs';

const [, , source, target = 'specs/codes/hecto-bank-response-codes.csv'] = process.argv;
if (!source) {
  console.error('usage: node scripts/derive-response-codes.mjs <hecto-bank-response-codes.csv> [target.csv]');
  process.exit(2);
}
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

// Rows with a failure word (장애, 시스템, 통신, 회선, 불명, 전산) that still say nothing was done, or that use the word in
// another sense. Keyed by bank and code, so that each is a decision about one message, never a pattern that could catch
// a new row; the derivation stops if a listed row no longer says what was decided about.
const EXCEPTIONS = new Map(Object.entries({
  // "unusable / not possible because of a failure": the bank or the network refused before doing anything.
  '005,G004': ['request-error', '당행 장애로 인하여 거래를 할 수 없습니다'],
  '020,3035': ['request-error', '당행 장애로 타행이체 불가'],
  '020,A821': ['request-error', '금융결제원 전산시스템 사정으로 서비스 처리불가'],
  '020,A911': ['request-error', '시스템 사정으로 인한 서비스 중단'],
  '266,0091': ['request-error', '개설은행 사용불가 (개설은행 장애상태)'],
  '266,0096': ['request-error', '입금은행 사용불가(입금은행 장애상태)'],
  '266,0903': ['request-error', '연합회 시스템 장애발생으로 거래불가'],
  '266,0904': ['request-error', '제휴은행 시스템 장애발생으로 거래불가'],
  '266,0905': ['request-error', '시스템 장애발생으로 거래불가'],
  '266,0906': ['request-error', '제휴은행 통신장애 발생으로 거래불가'],
  '266,0907': ['request-error', '통신장애 발생으로 거래불가'],
  '027,2569': ['request-error', '개설은행(해당은행) 사용불가(장애상태)'],
  '027,7892': ['request-error', '거래불가(서비스준비중-KTI장애)'],
  '027,7895': ['request-error', '거래불가(서비스준비중-PNC장애)'],
  '027,7898': ['request-error', '거래불가(서비스준비중-FLEXCUBE장애)'],
  '027,7940': ['request-error', '거래불가(시스템준비중-KTI 24상태 상이)'],
  '027,7941': ['request-error', '거래불가(시스템준비중-KTI 영업일자 상이)'],
  '027,7942': ['request-error', '거래불가(시스템준비중-FLX 24상태 상이)'],
  '027,7943': ['request-error', '거래불가(시스템준비중-FLX 영업일자 상이)'],
  '003,U711': ['request-error', '출금은행사용불가,출금은행장애'],
  '032,T711': ['request-error', '출금은행 사용불가(출금은행 장애상태)'],
  '007,H058': ['request-error', '출금기관 사용불가 합니다.(출금기관 장애상태)'],
  '039,0203': ['request-error', '개설은행장애(입금은행사용불가)'],
  '050,7017': ['request-error', '이용저축은행 서비스 임시중단(별도시스템 사용저축은행 시스템 작업)'],
  '002,M603': ['request-error', '시스템작업중. 잠시 후 재거래요망'],
  // Hours of a system: before the open, after the close, maintenance.
  '020,A806': ['request-error', '시스템 개시전 (업무개시전)'],
  '020,A807': ['request-error', '시스템 종료 (업무종료)'],
  '020,A808': ['request-error', '시스템 종료중 (업무종료중)'],
  '240,1908': ['request-error', 'F008 펌뱅킹 시스템 업무 개시전 입니다'],
  '240,1909': ['request-error', 'F009 펌뱅킹 시스템 업무 종료 되었습니다'],
  '081,U131': ['request-error', '은행시스템 종료'],
  '027,3668': ['request-error', '금융결제원 시스템종료(종료)'],
  '090,0915': ['request-error', '시스템 점검(일자전환)'],
  // "System" / "line" as a field or a registration of our request, not a failure.
  '064,1301': ['request-error', 'SYSTEM - ID 오류'],
  '266,0301': ['request-error', 'SYSTEM - ID 오류'],
  '267,1301': ['request-error', 'SYSTEM - ID 오류'],
  '027,2559': ['request-error', 'SYSTEM ID 오류'],
  '081,U101': ['request-error', '고객시스템 ID오류'],
  '007,R020': ['request-error', '시스템ID를 입력하십시오'],
  '240,2912': ['request-error', '전문포멧 오류 공통부 시스템 식별코드를 확인할 수 없습니다'],
  '020,5902': ['request-error', '거래허용 회선이 아닙니다'],
  '089,9153': ['request-error', '해당회선에서 거래불가한 기관'],
  // Restrictions of the account whose wording happens to hold 통신, 불명 or 전산.
  '002,2018': ['rejected', '전자통신금융사기등록계좌'],
  '027,3934': ['rejected', '소재불명으로인한거래정지'],
  '032,0018': ['rejected', '경찰전산망등록계좌 (비정상계좌)'],
}).map(([k, [outcome, message]]) => [k, { outcome, message }]));

// The text the rules read: full-width forms folded (ＴＩＭＥＯＵＴ → TIMEOUT), upper case for Latin.
const fold = (msg) => msg.normalize('NFKC').toUpperCase();

// A request-error wording that names another party's telegram or answer is not about our request.
const OTHER_PARTY = /수신\s*전문|응답\s*전문|응답|개설|지급\s*기관|결제원|결제\s*은행|취급\s*(기관|은행)|중계|상대|타행|입금\s*은행|출금\s*은행|SWIFT/;

/** [outcome, rule name, test(folded message)] in order; the first that matches wins. */
const RULES = [
  ['no-such-transaction', 'no-record-wording', /^(원거래\s*(가|를)?\s*(없|찾을\s*수\s*없)|(해당)?\s*거래\s*내역\s*(이)?\s*없)/],
  ['unknown', 'timeout-or-check-wording',
    /TIME\s*-?\s*(OUT|OVER)|TIMEOVER|TIMER\s*OVER|타임\s*아웃|시간\s*(초과|경과)|무응답|응답\s*(이\s*)?없|응답\s*미수신|응답\s*대기|응답.{0,4}지연|지연|조회\s*필|처리\s*결과.*(확인|조회)|결과.{0,12}확인|결과\s*조회|거래\s*(여부\s*)?(를\s*)?확인|확인\s*거래\s*요망|이체\s*확인|재거래\s*요망|재처리/],
  ['unknown', 'failure-wording',
    /장애|시스템|SYSTEM|SYS\b|통신|회선|LINE|전산|DOWN|다운|불명|폭주|업무량|BUSY|HOST|DEAD\s*LOCK|ABEND|\bDB|D\/B|DATA\s*BASE|데이[타터]\s*베이스|비정상(?!적인|일자)|서버|SERVER|CALL\s*(ERROR|오류)|READ\s*중\s*오류|읽기\s*오류|호출\s*모듈|모듈\s*(에서\s*)?오류|(검색|조회|등록|갱신|삭제|수정|저장|처리|출금|입금)\s*(시|중)\s*오류|갱신\s*오류|에라/],
  ['unknown', 'error-without-words', (m) => !/[가-힣]/.test(m) && /ERR|ERROR|FAIL/.test(m)],
  ['processing', 'processing-wording', /처리\s*중(?!.*(오류|거부|불가|종료))/],
  ['unknown', 'seen-before-or-done-wording',
    /^정상(?!\s*계좌)|정상\s*(처리|거래|입금|출금|지급|이체|취소|해지|자료)(?!.*(아님|아닙|않|아니))|이미\s*정상|기\s*정상|완료|처리\s*(되었|됨)|중복|이중\s*(거래|처리|전송|입금|출금|지급|이체)|동일\s*전문|기\s*처리|이미\s*(처리|송금|입금|출금|지급|이체|결제|수납)|기\s*수신|기\s*등록\s*전문|처리\s*완료|완료된\s*거래|기\s*수행/],
  ['unknown', 'unclear-wording', /기타\s*(오류|에러|ERROR)|^미처리$|^오류$|^에러$|^ERROR$|정의되지\s*않은|미정의/],
  // A wording about an original transaction (a cancellation's, an inquiry's) that differs or failed: the bank holds a
  // record, so it is never a refusal of what we asked.
  ['unknown', 'original-transaction-wording',
    /원거래|원\s*전문|(개설|지급|취급)\s*(기관|은행)\s*(의\s*)?(계좌\s*번호|계좌|금액)\s*(이\s*|가\s*)?(상위|상이|불일치)|취소\s*(의뢰|대상|시|금액|계좌).*(상위|상이|불일치)/],
  // --- request errors ---
  ['request-error', 'format-wording', (m) => !OTHER_PARTY.test(m) &&
    /전문\s*(의\s*)?(형식|포[맷멧]|FORMAT|길이|TYPE|ID|항목|데이터|DATA|편집|코드|종별|구분|번호\s*(오류|누락|입력)|거래\s*코드|오류|에러|ERROR)|FORMAT|포[맷멧]\s*(오류|에러|ERROR)|포맷형식|MESSAGE\s*(ID|코드|CODE|TYPE)|메[시세]지\s*(코드|유형)|^식별\s*코드\s*(오류|입력\s*오류|누락)|(공통부|개별부).*(오류|누락|에러|ERROR)|전문\s*전송\s*내역\s*불일치/.test(m)],
  ['request-error', 'message-type-wording', (m) => !OTHER_PARTY.test(m) &&
    /(전문|업무|거래|서비스|처리|조회|매체|식별)\s*구분\s*(코드)?\s*(값\s*)?(의\s*)?(오류|에러|틀림|상이|상위|불일치|누락|입력\s*오류|검증\s*오류|확인)|거래\s*코드\s*(오류|틀림)|(업무|거래)\s*유형\s*(코드)?\s*(오류|틀림)/.test(m)],
  ['request-error', 'company-or-institution-wording', (m) => !OTHER_PARTY.test(m) &&
    /(업체|이용\s*기관|기관|펌뱅킹\s*기관|제휴\s*기관|하위\s*(이용)?\s*기관)\s*(번호|코드|ID|아이디)\s*(가\s*|를\s*|는\s*)?(FORMAT\s*)?(오류|에러|ERROR|틀림|상이|상위|불일치|누락|미입력|미존재|없|미등록|검증\s*오류|입력\s*오류|공백|확인)|(업체|이용\s*기관|기관)\s*(정보\s*)?(미등록|불일치)|미등록\s*(이용\s*)?(기관|업체)|등록된\s*(펌뱅킹\s*)?업체\s*번호\s*(가\s*)?아닙|해당\s*(기관|업체)\s*코드\s*(가\s*)?없|해당하는\s*기관\s*코드가\s*없|미참가\s*(이용\s*)?(업체|기관)/.test(m)],
  ['request-error', 'not-registered-for-this-wording',
    /미등록\s*(된\s*)?유형|유형\s*거래|미계약\s*전문|서비스\s*(계약\s*)?미\s*(등록|신청|가입|체결|약정)|(업무|서비스)\s*미등록|(업무|서비스)\s*(계약\s*)?미체결|등록되지\s*않은\s*(업무|서비스|자동이체\s*이용기관)|미\s*약정\s*업무|거래\s*불가\s*(한\s*)?(업체|기관)|거래\s*가능한\s*채널|해당\s*서비스\s*미등록|미등록\s*된\s*업무|미등록된\s*업무/],
  ['request-error', 'hours-wording',
    /개시\s*(전|이전|시각\s*아님|상태\s*아님|정상\s*상태\s*아님)|미\s*개시|개시\s*되지\s*않|개시\s*거래\s*후|개시\s*전문\s*수신\s*전|업무\s*개시\s*(전문\s*)?수신\s*전|(지점|계좌점|영업점|업무|이체|송금|입금|수납|청약|당일|이미|계정|계좌|점)\s*(이\s*|가\s*|은\s*)?(기\s*|환\s*)?마감|^마감\s*(후|전)|마감\s*(후|전|되었|됨|입니다|상태)\s*(,|\.|\s)*(후\s*)?(거래|처리|입금|입출금|지급|취소|$)|(업무|타행환|센터|센타|서비스|영업|공동망\s*업무\)?|기관|은행|시스템|금융단\s*공동)\s*(가\s*|이\s*)?종료|종료\s*(상태|예고|처리\s*중|준비|전문)|업무\s*종료|(서비스|업무|거래|입금|영업|이용|처리|수납|전문\s*처리)\s*(가능\s*)?(시간|시각)\s*(이\s*)?(아님|아닙|외|오류|경과|종료)|시간\s*아님|영업\s*시간\s*내|일자\s*전환\s*시간|시스템\s*점검|개시\s*상태에서만|업무\s*중단|까지만\s*가능|서비스\s*불가능\s*시간|가능\s*시간이\s*(아직|경과|초과|지났)|휴일\s*(거래|에는)?\s*(불가|안\s*됨)|공휴일/],
  ['request-error', 'bank-unavailable-wording', /(입금|출금|취급|개설|해당|지급|상대)\s*(은행|기관)\s*(이\s*)?(은\s*)?사용\s*불가/],
  ['request-error', 'too-early-wording', /조회\s*가능\s*시간\s*(전|이전)|분\s*(이\s*)?(후|이후|경과\s*후)\s*(에\s*)?(조회|재조회|거래)|조회\s*(가능\s*)?시간\s*미\s*도래/],
  ['request-error', 'date-of-request-wording', (m) => !OTHER_PARTY.test(m) &&
    /(전송|이체|거래|전문|처리|조회|요청|출금|입금|전문\s*전송)\s*일자\s*(가\s*|는\s*)?(FORMAT\s*)?(오류|에러|틀림|상이|상위|불일치|누락|입력\s*오류|형식\s*오류|당일\s*아님|항목에\s*비정상|에\s*0|에\s*비정상|에\s*정상적이지)|^일자\s*(오류|입력)|이체일\s*(자\s*)?오류|전송\s*일자는\s*당일만|거래\s*일자\s*오류|전일자\s*거래\s*(금지|가\s*불가|불가)/.test(m)],
  ['request-error', 'bank-code-of-request-wording', (m) => !/응답|수신\s*전문/.test(m) &&
    /은행\s*코드\s*(가\s*|를\s*|는\s*|에\s*)?(오류|에러|틀림|상이|상위|불일치|누락|미입력|입력\s*(오류|누락|부적|필)|검증\s*오류|없음|정확히|반드시|세자리|입력되지)|은행\s*코드\s*(가\s*)?아닙|은행\s*번호\s*(오류|틀림)/.test(m)],
  ['request-error', 'request-field-wording', (m) => !OTHER_PARTY.test(m) &&
    /(누락|스페이스|공백\s*오류|숫자\s*(가\s*)?아닌|숫자\s*항목|숫자\s*아님|필수\s*(입력)?\s*항목|입력\s*필수|입력\s*하십시오|입력\s*하세요|입력\s*부적|의뢰인\s*(성\s*)?명\s*(오류|입력)|입금\s*적요|적요\s*(오류|입력\s*오류)|복기\s*(부호|암호)|MAC\s*검증|전문\s*관리\s*비밀\s*번호|복호화)/.test(m)],
  // --- refusals of the transaction ---
  ['rejected', 'funds-wording', /잔액\s*(이\s*)?부족|잔고\s*(가\s*)?부족|예금\s*(이\s*)?부족|지불\s*(가능\s*)?잔액\s*부족|(지급|출금|인출|이체)\s*가능\s*(금액|잔액)\s*(이\s*)?(부족|초과|없)|부족\s*잔액|잔액\s*없|가능한\s*잔액이\s*없|수수료\s*부족/],
  ['rejected', 'limit-wording', /한도\s*(액|금액)?\s*(을\s*|를\s*|가\s*)?(초과|오류|부족|제한|미달|도달|넘)|(횟수|회수|건수|회차)\s*(를\s*|가\s*)?초과|한도.{0,12}초과|한도\s*제한|1\s*회\s*이체\s*한도|1\s*일\s*이체\s*한도|한도\s*계좌/],
  ['rejected', 'closed-account-wording', /해지|해약|폐기|폐쇄|전출|이관|잡\s*좌|휴면|장기\s*미\s*사용|소멸/],
  ['rejected', 'legal-or-accident-wording',
    /사고|법적|법착|지급\s*정지|출금\s*정지|입금\s*정지|압류|가압류|질권|가처분|거래\s*(정지|제한|중지|금지)|(출금|입금|지급|이체)\s*(제한|금지|중지)|사망|실종|분실|도난|사기|피해|대포|명의\s*도용|보이스|금융\s*거래\s*제한|제한\s*계좌|보안\s*계좌|잔액\s*증명|잔고\s*확인서|납입\s*증명|통장\s*정리|미기장|대손\s*상각|정지\s*계좌|계좌\s*정지|부도|신용\s*불량|채무\s*불이행|범죄|범인|경찰|파산/],
  ['rejected', 'holder-wording',
    /비실명|실명\s*(확인|등록)\s*이\s*(되지|안)|실명\s*(미\s*확인|미\s*등록|확인\s*(안|불가|오류)|번호\s*(오류|상이|틀림|불일치)|계좌\s*아님)|가명|차명|(수취인|예금주|성명|고객\s*명|명의|수취인\s*명|주민\s*(등록)?\s*번호|사업자\s*(등록)?\s*번호|생년\s*월일|실명\s*번호)\s*(가\s*|이\s*|는\s*)?(FORMAT\s*)?(오류|에러|상이|상위|틀림|불일치|미확인|미등록|없|다름|검증\s*오류)|주민\s*번호\s*또는\s*사업자\s*(등록)?\s*번호\s*상이/],
  ['rejected', 'password-wording', /비밀\s*번호|비번|PIN\s*(번호)?\s*(오류|틀림|상이)/],
  ['rejected', 'deposit-impossible-wording',
    /(입금|수취|지급|출금|인출|이체|타행\s*이체|송금|거래|입출금|사용|처리)\s*(이\s*|가\s*)?(불가|불능|안\s*됨|할\s*수\s*없)|수취\s*거절|입금\s*거절|지급\s*거절/],
  ['rejected', 'account-wording',
    /계좌\s*(번호)?\s*(의\s*)?(가\s*|이\s*|는\s*|에\s*|를\s*)?(체계\s*)?(FORMAT\s*)?(오류|에러|ERROR|ERR|없|미존재|부존재|존재하지|발견\s*(안|되지)|부적|이상|불능|잘못|상이|상위|틀림|불일치|아님|아닙|확인|불가|포[맷멧]\s*에러|CHECK|검증\s*오류|미등록|미\s*신청|상태\s*(오류|이상))|계좌\s*(가\s*)?없|계좌\s*(정보|원장)\s*(에\s*자료가\s*)?없|비활동\s*계좌|신규\s*(가\s*)?취소된?\s*계좌|동일\s*계좌|(수취|입금|출금|입출금|지급|모)\s*계좌\s*(가\s*|이\s*)?(오류|에러|없|미등록|상이|불일치)|(없는|미등록|미신청)\s*계좌|CHECK\s*DIGIT|체크\s*디지트|검증\s*번호\s*(오류|틀림)|원장\s*미존재|계좌\s*상태|외화\s*계좌|가상\s*계좌\s*(오류|없|출금\s*불가)|CMS\s*(번호|계좌)|투자자\s*예탁금\s*계좌\s*아님|통장\s*미발행/],
  ['rejected', 'amount-wording', /금액\s*(이\s*|을\s*|이\s*|의\s*)?(오류|에러|ERROR|틀림|상이|상위|불일치|부족|초과|미달|없|입력\s*오류|0)|금액\s*관련\s*오류|최소\s*(이체\s*)?금액|최고\s*금액|불입\s*(금|단위)/],
  ['rejected', 'overdue-wording', /연체/],
  ['rejected', 'destination-bank-wording', /미참가\s*은행|미참가|참가\s*은행\s*(이\s*)?아님|타행환\s*미실시|미실시\s*은행|취급\s*불가\s*은행|서비스\s*안\s*함|취급\s*안\s*함/],
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
  rows.set(key, [b, bankName.trim(), c, ...classify(key, c, msg), raw, msg]);
}

/** [outcome, rule] for one row. */
function classify(key, code, msg) {
  if (code === '0000') return ['success', 'code-0000'];
  const exception = EXCEPTIONS.get(key);
  if (exception) {
    if (!fold(msg).includes(fold(exception.message))) throw new Error(`exception ${key} no longer says "${exception.message}": "${msg}"`);
    return [exception.outcome, 'exception'];
  }
  const m = fold(msg);
  for (const [outcome, rule, test] of RULES) if (typeof test === 'function' ? test(m) : test.test(m)) return [outcome, rule];
  return ['unknown', 'default'];
}
for (const key of EXCEPTIONS.keys()) if (!rows.has(key)) throw new Error(`exception ${key} is not in the source list`);

// Hecto's own codes (spec 7-4), valid whatever the bank: bank "*".
const HECTO = [
  ['0000', 'success', '정상처리'],
  ['0001', 'request-error', '전문형식불일치(미등록된 유형거래)'],
  // The telegram with that number was not processed; it says nothing about the earlier one with that number.
  ['0101', 'request-error', '전문전송내역불일치(기존전송번호와 내용불일치)'],
  ['VTIM', 'unknown', '세션타임아웃으로 이체거래시 확인필수'],
  ['NREC', 'no-such-transaction', '거래내역 없음 (7000/100 처리결과)'],
  ['SSSS', 'request-error', '업체번호 오류'],
  ['SB01', 'rejected', '중복계좌(금액)출금오류'], ['SB02', 'rejected', '1회 이체한도초과 오류'], ['SB03', 'rejected', '1일 이체한도초과 오류'],
  ['SB04', 'rejected', '기 환불발생 오류'], ['SB05', 'rejected', '동의자료 구분 값 검증오류'],
  ['SB06', 'request-error', '동의자료 대행생성기관 금결원 기관코드 미세팅'], ['SB08', 'request-error', '미등록 유형거래'],
  ['SB09', 'request-error', '전문전송내역불일치(기존전송번호와 내용불일치)'],
];

/** Comment lines of at most 118 characters, each starting with prefix, listing items separated by commas. */
function wrap(items, prefix) {
  const lines = [];
  let line = prefix;
  items.forEach((item, i) => {
    const piece = i < items.length - 1 ? `${item}, ` : item;
    if (line.length + piece.trimEnd().length > 118 && line !== prefix) { lines.push(line.trimEnd()); line = prefix; }
    line += piece;
  });
  lines.push(line.trimEnd());
  return lines;
}

const q = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const out = [
  '# Hecto per-bank response codes (2024-10), normalised by scripts/derive-response-codes.mjs; see that file for the rules.',
  '# bank "*" rows are Hecto\'s own codes (spec v2.0, 7-4) and apply to every bank without a row of its own.',
  '# outcome: success | processing | unknown | no-such-transaction | rejected | request-error (src/codes/outcome.ts).',
  '# rule: the derivation rule that chose the outcome (hecto-spec for bank "*"). The first that matches wins, in order:',
  ...wrap(['code-0000', 'exception', ...RULES.map(([outcome, rule]) => `${rule} (${outcome})`), 'default (unknown)'], '#   '),
  '# exception: an explicit bank+code list of wordings with a failure word (장애, 시스템, 통신, 회선) that still say',
  '#   nothing was done (장애로 거래불가, 사용불가(장애상태), 시스템 개시전) or use the word in another sense (SYSTEM ID).',
  '# Unknown before any refusal: time-out, no answer, failure, seen before (전문번호 중복), unclear (기타오류), 원거래 ….',
  '# A wrong date or bank code of our request is a request-error, never rejected: in the header of a result inquiry',
  '#   a request-error does not settle the transfer asked about.',
  '# Default is unknown: a refusal read as unknown costs an inquiry, an unknown read as a refusal loses money.',
  '# So rejected and request-error rows are never "default": each matched a positive wording rule.',
  ...notes,
  'bank,bank_name,code,outcome,rule,source_code,message',
  ...HECTO.map(([c, o, m]) => ['*', '헥토파이낸셜', c, o, 'hecto-spec', c, m].map(q).join(',')),
  ...[...rows.values()].map((r) => r.map(q).join(',')),
];
writeFileSync(target, out.join('\n') + '\n');
const count = {};
for (const r of rows.values()) count[r[3]] = (count[r[3]] ?? 0) + 1;
console.error(`${rows.size} bank rows + ${HECTO.length} Hecto rows → ${target}`, count);
