import { AuditOutlined } from '@ant-design/icons';
import { Button, Form, Input, Radio } from 'antd';
import { useState } from 'react';
import type { Settlement } from '../../api/types';
import { useProposeSettlement } from '../../hooks/useSettlements';
import { useI18n } from '../../i18n';
import { ReasonModal } from '../ReasonModal';

const EVIDENCE_MIN = 3;
const EVIDENCE_MAX = 2000;

/** Propose settling an unknown transfer by hand: the outcome, what proves it, why. A second operator confirms. */
export function ProposeSettleButton({ transferId, size }: { transferId: string; size?: 'small' | 'middle' }) {
  const { t } = useI18n();
  const propose = useProposeSettlement();
  const [open, setOpen] = useState(false);
  const [outcome, setOutcome] = useState<Settlement['outcome'] | null>(null);
  const [evidence, setEvidence] = useState('');
  const evidenceOk = evidence.trim().length >= EVIDENCE_MIN;

  const start = () => {
    setOutcome(null);
    setEvidence('');
    setOpen(true);
  };

  return (
    <>
      <Button
        data-testid="propose-settle"
        size={size}
        icon={<AuditOutlined />}
        onClick={(e) => {
          e.stopPropagation();
          start();
        }}
      >
        {t('transfer.proposeSettle')}
      </Button>
      <ReasonModal
        open={open}
        title={t('settle.title')}
        description={transferId}
        ready={outcome !== null && evidenceOk}
        successMessage={t('settle.proposed')}
        onClose={() => setOpen(false)}
        onSubmit={(reason) => {
          if (!outcome) return Promise.reject(new Error(t('settle.outcome')));
          return propose.mutateAsync({ transferId, outcome, evidence: evidence.trim(), reason });
        }}
      >
        <Form.Item label={t('settle.outcome')} required>
          <Radio.Group value={outcome} onChange={(e) => setOutcome(e.target.value === 'failed' ? 'failed' : 'succeeded')} data-testid="settle-outcome">
            <Radio value="succeeded" data-testid="settle-outcome-succeeded">
              {t('settle.succeeded')}
            </Radio>
            <Radio value="failed" data-testid="settle-outcome-failed">
              {t('settle.failed')}
            </Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item
          label={t('settle.evidence')}
          required
          validateStatus={evidence.length > 0 && !evidenceOk ? 'error' : undefined}
          help={evidence.length > 0 && !evidenceOk ? t('settle.evidenceMin') : undefined}
        >
          <Input.TextArea data-testid="settle-evidence" value={evidence} onChange={(e) => setEvidence(e.target.value)} maxLength={EVIDENCE_MAX} autoSize={{ minRows: 3, maxRows: 8 }} />
        </Form.Item>
      </ReasonModal>
    </>
  );
}
