import { SearchOutlined } from '@ant-design/icons';
import { Button, Card, Input } from 'antd';
import { useState, type FormEvent } from 'react';
import { NativeSelect } from '../components/NativeSelect';
import { PageTitle } from '../components/PageTitle';
import { ReconBreaksTable } from '../components/recon/ReconBreaksTable';
import { ReconRunsTable } from '../components/recon/ReconRunsTable';
import type { BreakFilters } from '../hooks/useReconciliation';
import { hasRole, useOperator } from '../hooks/useSession';
import { useI18n } from '../i18n';

const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

interface Draft {
  institution: string;
  businessDate: string;
  status: string;
}

function toFilters(d: Draft): BreakFilters {
  return {
    institution: d.institution.trim() || undefined,
    businessDate: DATE.test(d.businessDate) ? d.businessDate : undefined,
    status: d.status === 'open' || d.status === 'resolved' ? d.status : undefined,
  };
}

/** Reconciliation (대사): the runs, and the breaks by category, resolvable by operators. */
export default function ReconciliationPage() {
  const { t } = useI18n();
  const operator = useOperator();
  const [draft, setDraft] = useState<Draft>({ institution: '', businessDate: '', status: '' });
  const [applied, setApplied] = useState<Draft>(draft);
  const dateBad = draft.businessDate !== '' && !DATE.test(draft.businessDate);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!dateBad) setApplied(draft);
  };

  return (
    <div data-testid="reconciliation-page">
      <PageTitle>{t('recon.title')}</PageTitle>
      <form className="fb-filters" onSubmit={submit}>
        <label>
          {t('common.institution')}
          <Input data-testid="recon-institution" value={draft.institution} onChange={(e) => setDraft({ ...draft, institution: e.target.value })} maxLength={32} style={{ width: 140 }} />
        </label>
        <label>
          {t('recon.businessDate')}
          <Input
            data-testid="recon-date"
            value={draft.businessDate}
            placeholder="YYYY-MM-DD"
            status={dateBad ? 'error' : undefined}
            onChange={(e) => setDraft({ ...draft, businessDate: e.target.value })}
            maxLength={10}
            style={{ width: 140 }}
          />
        </label>
        <label>
          {t('common.status')}
          <NativeSelect
            data-testid="break-status"
            value={draft.status}
            onChange={(v) => setDraft({ ...draft, status: v })}
            allLabel={t('common.all')}
            options={[
              { value: 'open', label: t('recon.status.open') },
              { value: 'resolved', label: t('recon.status.resolved') },
            ]}
          />
        </label>
        <Button data-testid="recon-search" htmlType="submit" icon={<SearchOutlined />} disabled={dateBad}>
          {t('common.search')}
        </Button>
      </form>
      <Card size="small" title={t('recon.runs')} style={{ marginBottom: 16 }}>
        <ReconRunsTable institution={applied.institution.trim()} />
      </Card>
      <Card size="small" title={t('recon.breaks')}>
        <ReconBreaksTable filters={toFilters(applied)} canResolve={hasRole(operator, 'operator')} />
      </Card>
    </div>
  );
}
