import { LockOutlined } from '@ant-design/icons';
import { Tooltip } from 'antd';
import { memo } from 'react';
import type { TelegramField } from '../../api/types';
import { useI18n } from '../../i18n';

interface Props {
  readonly fields: readonly TelegramField[];
  readonly hot: number | null;
  readonly onHoverField: (index: number | null) => void;
}

/** The decoded fields, in telegram order: the spec's name, where, how long, what. */
export const FieldTable = memo(function FieldTable({ fields, hot, onHoverField }: Props) {
  const { t } = useI18n();
  return (
    <div className="fb-fields">
      <table>
        <thead>
          <tr>
            <th>{t('telegram.label')}</th>
            <th>{t('telegram.field')}</th>
            <th>{t('telegram.offset')}</th>
            <th>{t('telegram.length')}</th>
            <th>{t('telegram.value')}</th>
          </tr>
        </thead>
        <tbody onMouseLeave={() => onHoverField(null)}>
          {fields.map((f, i) => (
            <tr
              key={`${f.name}-${f.offset}`}
              data-testid="telegram-field"
              data-name={f.name}
              data-offset={f.offset}
              data-length={f.length}
              className={hot === i ? 'is-hot' : undefined}
              onMouseEnter={() => onHoverField(i)}
            >
              <td>{f.label}</td>
              <td className="fb-mono">{f.name}</td>
              <td className="fb-mono">{f.offset}</td>
              <td className="fb-mono">{f.length}</td>
              <td className="fb-value">
                {f.value ?? '—'}
                {f.masked ? (
                  <Tooltip title={t('common.masked')}>
                    <LockOutlined style={{ marginLeft: 6, color: '#bfbfbf' }} />
                  </Tooltip>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});
