import { Input, Typography } from 'antd';
import { useState } from 'react';
import type { SwitchState } from '../../api/types';
import { SWITCH_FLOWS } from '../../api/types';
import { useI18n } from '../../i18n';
import { SwitchButtons } from './SwitchButtons';

const NAME = /^[A-Za-z0-9*][A-Za-z0-9._-]{0,31}$/;

/** Set a switch that is not listed yet: its scope (`*` or an institution) and flow (`*` or a flow). */
export function NewSwitchForm({ onSet }: { onSet: (scope: string, flow: string, state: SwitchState) => void }) {
  const { t } = useI18n();
  const [scope, setScope] = useState('');
  const [flow, setFlow] = useState('');
  const ok = NAME.test(scope.trim()) && NAME.test(flow.trim());
  return (
    <div data-testid="switch-new">
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {t('switches.new')}
      </Typography.Title>
      <div className="fb-filters">
        <label>
          {t('switches.scope')}
          <Input data-testid="switch-scope" value={scope} onChange={(e) => setScope(e.target.value)} maxLength={32} placeholder="*" style={{ width: 180 }} />
        </label>
        <label>
          {t('switches.flowInput')}
          <Input data-testid="switch-flow" value={flow} onChange={(e) => setFlow(e.target.value)} maxLength={32} placeholder="transfers" list="fb-switch-flows" style={{ width: 180 }} />
          <datalist id="fb-switch-flows">
            {SWITCH_FLOWS.map((f) => (
              <option key={f} value={f} />
            ))}
          </datalist>
        </label>
        <div style={{ paddingBottom: 4 }}>
          <SwitchButtons disabled={!ok} onSet={(state) => onSet(scope.trim(), flow.trim(), state)} />
        </div>
      </div>
      {!ok && (scope || flow) ? <Typography.Text type="secondary">{t('switches.scopeRequired')}</Typography.Text> : null}
    </div>
  );
}
