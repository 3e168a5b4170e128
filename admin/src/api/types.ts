/** Names for the contract's schemas, as the screens use them. */
import type { AnswerOf, Schemas } from './client';

export type Role = Schemas['Role'];
export type Operator = Schemas['Operator'];
export type Session = Schemas['Session'];
export type TransferState = Schemas['TransferState'];
export type TransferSummary = Schemas['TransferSummary'];
export type TransferDetail = Schemas['TransferDetail'];
export type TransferEvent = Schemas['TransferEvent'];
export type Telegram = Schemas['Telegram'];
export type TelegramField = Schemas['TelegramField'];
export type Settlement = Schemas['Settlement'];
export type UnknownOutcome = Schemas['UnknownOutcome'];
export type InstitutionStatus = Schemas['InstitutionStatus'];
export type Dashboard = Schemas['Dashboard'];
export type MinutePoint = Dashboard['lastHour'][number];
export type Notice = Schemas['Notice'];
export type NoticeGap = Schemas['NoticeGap'];
export type Consent = Schemas['Consent'];
export type OneWon = Schemas['OneWon'];
export type OneWonState = OneWon['state'];
export type ReconRun = Schemas['ReconRun'];
export type ReconBreak = Schemas['ReconBreak'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type DeliveryStatus = WebhookDelivery['status'];
export type Switch = Schemas['Switch'];
export type SwitchState = Switch['state'];
export type EffectiveSwitch = Schemas['EffectiveSwitch'];
export type SwitchChange = AnswerOf<'/switches/changes', 'get'>['items'][number];
export type ApiKey = Schemas['ApiKey'];
export type AuditEntry = Schemas['AuditEntry'];

export const TRANSFER_STATES: readonly TransferState[] = ['requested', 'sending', 'succeeded', 'failed', 'unknown', 'reversed'];
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];
export const SWITCH_STATES: readonly SwitchState[] = ['on', 'hold', 'off'];
export const ONE_WON_STATES: readonly OneWonState[] = ['open', 'verified', 'locked', 'failed', 'expired'];
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'dead'];
/** Consent states as the engine knows them (the contract leaves the field a free string). */
export const CONSENT_STATES: readonly string[] = ['calling', 'declined', 'consented', 'registering', 'registered', 'refused', 'withdrawing', 'withdrawn', 'cancelled-at-bank'];
/** Switch flows as the engine knows them (the contract leaves the field a free string). */
export const SWITCH_FLOWS: readonly string[] = ['*', 'transfers', 'collections', 'one-won', 'notices', 'batch'];
/** API key scopes as the engine knows them. */
export const API_KEY_SCOPES: readonly string[] = ['transfers', 'verifications', 'parent-account', 'consents', 'collections', 'metrics', 'admin'];
