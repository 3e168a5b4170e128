import { UserAddOutlined } from '@ant-design/icons';
import { Button, Checkbox, Form, Input } from 'antd';
import { useState } from 'react';
import type { Role } from '../../api/types';
import { ROLES } from '../../api/types';
import { useCreateOperator } from '../../hooks/useOperators';
import { useI18n } from '../../i18n';
import { NativeSelect } from '../NativeSelect';
import { ReasonModal } from '../ReasonModal';

const NAME = /^[a-z][a-z0-9._-]{1,63}$/;

function asRole(v: string): Role {
  return ROLES.find((r) => r === v) ?? 'viewer';
}

/** Add an operator; the one-time password comes back once and goes to `onCreated`. */
export function CreateOperator({ onCreated }: { onCreated: (oneTimePassword: string) => void }) {
  const { t } = useI18n();
  const create = useCreateOperator();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [canUnmask, setCanUnmask] = useState(false);
  const nameOk = NAME.test(name);
  return (
    <>
      <Button
        data-testid="operator-create"
        type="primary"
        icon={<UserAddOutlined />}
        onClick={() => {
          setName('');
          setRole('viewer');
          setCanUnmask(false);
          setOpen(true);
        }}
      >
        {t('operators.create')}
      </Button>
      <ReasonModal
        open={open}
        title={t('operators.createTitle')}
        ready={nameOk}
        successMessage={null}
        onClose={() => setOpen(false)}
        onSubmit={(reason) => create.mutateAsync({ name, role, canUnmask, reason })}
        onDone={(created) => onCreated(created.oneTimePassword)}
      >
        <Form.Item label={t('operators.name')} required help={name && !nameOk ? t('operators.namePattern') : undefined} validateStatus={name && !nameOk ? 'error' : undefined}>
          <Input data-testid="operator-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={64} autoComplete="off" />
        </Form.Item>
        <Form.Item label={t('operators.role')} required>
          <NativeSelect data-testid="operator-role" value={role} onChange={(v) => setRole(asRole(v))} options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        </Form.Item>
        <Form.Item>
          <Checkbox data-testid="operator-can-unmask" checked={canUnmask} onChange={(e) => setCanUnmask(e.target.checked)}>
            {t('operators.canUnmask')}
          </Checkbox>
        </Form.Item>
      </ReasonModal>
    </>
  );
}
