import { Tag } from 'antd';
import type { DeliveryStatus, Role, Settlement, SwitchState, TransferState } from '../api/types';
import { useI18n } from '../i18n';

const TRANSFER_COLORS: Record<TransferState, string> = {
  requested: 'default',
  sending: 'processing',
  succeeded: 'success',
  failed: 'error',
  unknown: 'warning',
  reversed: 'magenta',
};

export function TransferStateTag({ state }: { state: TransferState }) {
  const { t } = useI18n();
  return (
    <Tag color={TRANSFER_COLORS[state]} data-state={state}>
      {t(`state.${state}`)}
    </Tag>
  );
}

const SWITCH_COLORS: Record<SwitchState, string> = { on: 'success', hold: 'warning', off: 'error' };

export function SwitchStateTag({ state, label }: { state: SwitchState; label?: string }) {
  return (
    <Tag color={SWITCH_COLORS[state]} data-state={state}>
      {label ? `${label}: ` : ''}
      {state}
    </Tag>
  );
}

const DELIVERY_COLORS: Record<DeliveryStatus, string> = { pending: 'processing', delivered: 'success', dead: 'error' };

export function DeliveryStatusTag({ status }: { status: DeliveryStatus }) {
  const { t } = useI18n();
  return <Tag color={DELIVERY_COLORS[status]}>{t(`delivery.${status}`)}</Tag>;
}

const SETTLEMENT_COLORS: Record<Settlement['status'], string> = { pending: 'warning', confirmed: 'success', rejected: 'default' };

export function SettlementStatusTag({ status }: { status: Settlement['status'] }) {
  const { t } = useI18n();
  return <Tag color={SETTLEMENT_COLORS[status]}>{t(`settle.status.${status}`)}</Tag>;
}

const ROLE_COLORS: Record<Role, string> = { viewer: 'default', operator: 'blue', admin: 'purple' };

export function RoleTag({ role }: { role: Role }) {
  const { t } = useI18n();
  return (
    <Tag color={ROLE_COLORS[role]} data-role={role}>
      {t(`role.${role}`)}
    </Tag>
  );
}

/** A neutral tag for free-text states the contract does not enumerate. */
export function PlainTag({ value, color }: { value: string; color?: string }) {
  return <Tag color={color}>{value}</Tag>;
}
