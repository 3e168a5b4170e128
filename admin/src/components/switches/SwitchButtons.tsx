import { Button, Space } from 'antd';
import type { SwitchState } from '../../api/types';
import { SWITCH_STATES } from '../../api/types';

const DANGER: Record<SwitchState, boolean> = { on: false, hold: false, off: true };

/** on / hold / off for one switch (the current state stands out). */
export function SwitchButtons({ current, disabled, onSet }: { current?: SwitchState; disabled?: boolean; onSet: (state: SwitchState) => void }) {
  return (
    <Space size={4}>
      {SWITCH_STATES.map((s) => (
        <Button key={s} data-testid={`switch-set-${s}`} size="small" type={current === s ? 'primary' : 'default'} danger={DANGER[s]} disabled={disabled} onClick={() => onSet(s)}>
          {s}
        </Button>
      ))}
    </Space>
  );
}
