import { SearchOutlined } from '@ant-design/icons';
import { Button, DatePicker, Input } from 'antd';
import dayjs from 'dayjs';
import { useState, type FormEvent } from 'react';
import { TRANSFER_STATES } from '../../api/types';
import { useI18n } from '../../i18n';
import { NativeSelect } from '../NativeSelect';

export type TransferFilterKey = 'requestId' | 'state' | 'accountSuffix' | 'service' | 'institution' | 'kind' | 'minAmount' | 'maxAmount' | 'from' | 'to';
export type TransferFilterValues = Partial<Record<TransferFilterKey, string>>;

const SUFFIX = /^[0-9]{1,6}$/;
const AMOUNT = /^[0-9]{1,13}$/;

function bad(value: string | undefined, pattern: RegExp): boolean {
  return !!value && !pattern.test(value);
}

/** The transfer search form; it submits whole (the URL keeps what was asked). */
export function TransferFilterBar({ initial, onSubmit }: { initial: TransferFilterValues; onSubmit: (values: TransferFilterValues) => void }) {
  const { t } = useI18n();
  const [values, setValues] = useState<TransferFilterValues>(initial);
  const set = (key: TransferFilterKey, value: string) => setValues((v) => ({ ...v, [key]: value.trim() === '' ? undefined : value }));
  const invalid = bad(values.accountSuffix, SUFFIX) || bad(values.minAmount, AMOUNT) || bad(values.maxAmount, AMOUNT);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!invalid) onSubmit({ ...values, requestId: values.requestId?.trim(), service: values.service?.trim(), institution: values.institution?.trim() });
  };

  return (
    <form className="fb-filters" onSubmit={submit} data-testid="transfer-filters">
      <label>
        {t('transfers.requestId')}
        <Input data-testid="filter-requestId" value={values.requestId ?? ''} onChange={(e) => set('requestId', e.target.value)} allowClear maxLength={128} style={{ width: 200 }} />
      </label>
      <label>
        {t('transfers.state')}
        <NativeSelect
          data-testid="filter-state"
          value={values.state ?? ''}
          onChange={(v) => set('state', v)}
          allLabel={t('common.all')}
          options={TRANSFER_STATES.map((s) => ({ value: s, label: t(`state.${s}`) }))}
        />
      </label>
      <label>
        {t('transfers.kind')}
        <NativeSelect
          data-testid="filter-kind"
          value={values.kind ?? ''}
          onChange={(v) => set('kind', v)}
          allLabel={t('common.all')}
          options={[
            { value: 'transfer', label: t('kind.transfer') },
            { value: 'collection', label: t('kind.collection') },
          ]}
        />
      </label>
      <label>
        {t('transfers.accountSuffix')}
        <Input
          data-testid="filter-accountSuffix"
          value={values.accountSuffix ?? ''}
          onChange={(e) => set('accountSuffix', e.target.value)}
          status={bad(values.accountSuffix, SUFFIX) ? 'error' : undefined}
          title={t('transfers.invalidDigits')}
          inputMode="numeric"
          maxLength={6}
          style={{ width: 110 }}
        />
      </label>
      <label>
        {t('transfers.service')}
        <Input data-testid="filter-service" value={values.service ?? ''} onChange={(e) => set('service', e.target.value)} maxLength={64} style={{ width: 140 }} />
      </label>
      <label>
        {t('transfers.institution')}
        <Input data-testid="filter-institution" value={values.institution ?? ''} onChange={(e) => set('institution', e.target.value)} maxLength={32} style={{ width: 120 }} />
      </label>
      <label>
        {t('transfers.minAmount')}
        <Input
          data-testid="filter-minAmount"
          value={values.minAmount ?? ''}
          onChange={(e) => set('minAmount', e.target.value)}
          status={bad(values.minAmount, AMOUNT) ? 'error' : undefined}
          inputMode="numeric"
          maxLength={13}
          style={{ width: 130 }}
        />
      </label>
      <label>
        {t('transfers.maxAmount')}
        <Input
          data-testid="filter-maxAmount"
          value={values.maxAmount ?? ''}
          onChange={(e) => set('maxAmount', e.target.value)}
          status={bad(values.maxAmount, AMOUNT) ? 'error' : undefined}
          inputMode="numeric"
          maxLength={13}
          style={{ width: 130 }}
        />
      </label>
      <label data-testid="filter-dateRange">
        {t('transfers.dateRange')}
        <DatePicker.RangePicker
          allowEmpty={[true, true]}
          value={[values.from ? dayjs(values.from) : null, values.to ? dayjs(values.to).subtract(1, 'day') : null]}
          onChange={(range) => {
            const [start, end] = range ?? [null, null];
            setValues((v) => ({
              ...v,
              from: start ? start.startOf('day').toISOString() : undefined,
              to: end ? end.add(1, 'day').startOf('day').toISOString() : undefined,
            }));
          }}
        />
      </label>
      <Button data-testid="filter-submit" type="primary" htmlType="submit" icon={<SearchOutlined />} disabled={invalid}>
        {t('common.search')}
      </Button>
      <Button data-testid="filter-reset" htmlType="button" onClick={() => onSubmit({})}>
        {t('common.reset')}
      </Button>
    </form>
  );
}
