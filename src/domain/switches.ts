import { SwitchNameError } from './switch-name-error.js';

/**
 * Runtime switches: an operator's way to stop or hold a flow without a deploy.
 *
 * - `on`: the flow runs.
 * - `hold`: new requests are accepted and kept, nothing is sent; sending resumes when it is on again.
 * - `off`: new requests are refused (503 naming the switch).
 *
 * A switch is named by a scope (`*` for every institution, or one institution's id) and a flow (`*` for
 * every flow, or one of {@link SWITCH_FLOWS}). A switch never set is on.
 */
export type SwitchState = 'on' | 'hold' | 'off';

export const SWITCH_STATES: readonly SwitchState[] = ['on', 'hold', 'off'];

/** The flows a switch can hold or stop: transfers, collections (출금이체), 1원 인증, notice processing, the nightly batch. */
export type SwitchFlow = 'transfers' | 'collections' | 'one-won' | 'notices' | 'batch';

export const SWITCH_FLOWS: readonly SwitchFlow[] = ['transfers', 'collections', 'one-won', 'notices', 'batch'];

/** "Every institution" as a scope, "every flow" as a flow. */
export const EVERY = '*';

/** Which switch: `scope` is {@link EVERY} or an institution id, `flow` is {@link EVERY} or a flow. */
export interface SwitchName {
  readonly scope: string;
  readonly flow: SwitchFlow | typeof EVERY;
}

/** The one switch over everything (`*\/*`, written `global` too). */
export const GLOBAL_SWITCH: SwitchName = { scope: EVERY, flow: EVERY };

/** A switch as last set: by whom, when and why. `version` changes with every set (see SwitchStore). */
export interface SwitchSetting extends SwitchName {
  readonly state: SwitchState;
  readonly version: number;
  readonly changedAt: Date;
  readonly changedBy: string;
  readonly reason: string;
}

/** One set of a switch, as audited: from what to what, who, when, why, and the version it made. */
export interface SwitchChange extends SwitchName {
  readonly id: number;
  readonly from: SwitchState;
  readonly to: SwitchState;
  readonly changedBy: string;
  readonly reason: string;
  readonly changedAt: Date;
  readonly version: number;
}

/** What decides a flow of an institution: the state, and the switch that made it so (null when on). */
export interface EffectiveSwitch {
  readonly state: SwitchState;
  readonly decidedBy: SwitchName | null;
}

/** How an institution id is written (as in the configuration). */
const INSTITUTION_ID = /^[a-z][a-z0-9-]{0,31}$/;

/** How restrictive each state is: the higher wins. */
const RESTRICTION: Readonly<Record<SwitchState, number>> = { on: 0, hold: 1, off: 2 };

export function isSwitchState(s: unknown): s is SwitchState {
  return typeof s === 'string' && (SWITCH_STATES as readonly string[]).includes(s);
}

export function isSwitchFlow(s: unknown): s is SwitchFlow {
  return typeof s === 'string' && (SWITCH_FLOWS as readonly string[]).includes(s);
}

/** The more restrictive of two states (off > hold > on). */
export function moreRestrictive(a: SwitchState, b: SwitchState): SwitchState {
  return RESTRICTION[b] > RESTRICTION[a] ? b : a;
}

/** A switch as operators write it and a 503 names it: `hecto/transfers`, `*\/batch`, `*\/*`. */
export function switchKey(name: SwitchName): string {
  return `${name.scope}/${name.flow}`;
}

/**
 * Reads a switch's name: `SCOPE/FLOW` where SCOPE is `*` or an institution id and FLOW is `*` or a flow
 * (`hecto/transfers`, `*\/batch`, `hecto/*`), or `global` for `*\/*`. A bare institution or flow is
 * refused rather than guessed at: `batch` could be either.
 *
 * @throws SwitchNameError (`FB_SWITCH_INVALID`) naming the part that is wrong.
 */
export function parseSwitchName(text: string): SwitchName {
  if (text === 'global') return GLOBAL_SWITCH;
  const parts = text.split('/');
  if (parts.length !== 2) throw new SwitchNameError(text, 'write SCOPE/FLOW (e.g. hecto/transfers, */batch, hecto/*), or global for */*');
  return checkSwitchName({ scope: parts[0]!, flow: parts[1]! as SwitchName['flow'] }, text);
}

/**
 * The name itself when its scope and flow are ones a switch can have (for names that did not come
 * through {@link parseSwitchName}).
 *
 * @throws SwitchNameError (`FB_SWITCH_INVALID`) naming the part that is wrong.
 */
export function checkSwitchName(name: SwitchName, input = `${String(name.scope)}/${String(name.flow)}`): SwitchName {
  if (name.scope !== EVERY && !INSTITUTION_ID.test(name.scope)) {
    throw new SwitchNameError(input, `scope ${JSON.stringify(name.scope)} is neither * nor an institution id (a lower-case letter, then up to 31 lower-case letters, digits or -)`);
  }
  if (name.flow !== EVERY && !isSwitchFlow(name.flow)) throw new SwitchNameError(input, `flow ${JSON.stringify(name.flow)} is not one of *, ${SWITCH_FLOWS.join(', ')}`);
  return { scope: name.scope, flow: name.flow };
}

/**
 * The state of `flow` for `institution`: the most restrictive (off > hold > on) of the four switches over
 * it, `*\/*`, `*\/flow`, `institution/*` and `institution/flow`; switches of other institutions and
 * flows play no part, and a switch missing from `settings` is on.
 *
 * `decidedBy` names the switch to lift (for the 503): null when the flow is on. When two switches are
 * equally restrictive the broader one is named, in the order above, since lifting the narrower one would
 * change nothing.
 */
export function effectiveSwitch(settings: Iterable<Pick<SwitchSetting, 'scope' | 'flow' | 'state'>>, institution: string, flow: SwitchFlow): EffectiveSwitch {
  let best: { state: SwitchState; breadth: number; name: SwitchName } | null = null;
  for (const s of settings) {
    if (s.state === 'on') continue;
    const breadth = breadthOver(s, institution, flow);
    if (breadth < 0) continue;
    const stricter = best === null || RESTRICTION[s.state] > RESTRICTION[best.state] || (s.state === best.state && breadth < best.breadth);
    if (stricter) best = { state: s.state, breadth, name: { scope: s.scope, flow: s.flow } };
  }
  return best ? { state: best.state, decidedBy: best.name } : { state: 'on', decidedBy: null };
}

/** 0 for `*\/*` through 3 for `institution/flow` when the switch is over that flow of that institution; -1 when not. */
function breadthOver(name: SwitchName, institution: string, flow: SwitchFlow): number {
  const everyScope = name.scope === EVERY;
  const everyFlow = name.flow === EVERY;
  if (!everyScope && name.scope !== institution) return -1;
  if (!everyFlow && name.flow !== flow) return -1;
  return (everyScope ? 0 : 2) + (everyFlow ? 0 : 1);
}
