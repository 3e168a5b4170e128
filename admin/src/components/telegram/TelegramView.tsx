import { Alert, Card, Space, Tag, Typography } from 'antd';
import { useCallback, useMemo, useState } from 'react';
import type { Telegram } from '../../api/types';
import { dateTime } from '../../lib/format';
import { useI18n } from '../../i18n';
import { fieldIndexByOffset, hexToBytes } from './bytes';
import { FieldTable } from './FieldTable';
import { HexDump, type HotRange } from './HexDump';

/**
 * One telegram: its hex dump beside its decoded fields. Hovering a field lights its bytes; hovering a
 * byte lights its field (and the field's other bytes).
 */
export function TelegramView({ telegram }: { telegram: Telegram }) {
  const { t } = useI18n();
  const bytes = useMemo(() => hexToBytes(telegram.hex), [telegram.hex]);
  const fieldAt = useMemo(() => fieldIndexByOffset(bytes.length, telegram.fields), [bytes.length, telegram.fields]);
  const maskedFields = useMemo(() => new Set(telegram.fields.flatMap((f, i) => (f.masked ? [i] : []))), [telegram.fields]);
  const [hotField, setHotField] = useState<number | null>(null);

  const onHoverByte = useCallback((offset: number | null) => {
    setHotField(offset === null ? null : (fieldAt[offset] ?? -1) >= 0 ? (fieldAt[offset] ?? null) : null);
  }, [fieldAt]);
  const field = hotField === null ? undefined : telegram.fields[hotField];
  const hot: HotRange | null = field ? { start: field.offset, end: field.offset + field.length } : null;

  return (
    <Card
      size="small"
      data-testid="telegram"
      data-direction={telegram.direction}
      data-message={telegram.message}
      style={{ marginBottom: 16 }}
      title={
        <Space wrap>
          <Tag color={telegram.direction === 'out' ? 'blue' : 'green'}>{telegram.direction === 'out' ? `→ ${t('telegram.out')}` : `← ${t('telegram.in')}`}</Tag>
          <Typography.Text strong className="fb-mono">
            {telegram.message}
          </Typography.Text>
          {telegram.seqNo ? <Typography.Text className="fb-mono">#{telegram.seqNo}</Typography.Text> : null}
          <Typography.Text type="secondary">{dateTime(telegram.at)}</Typography.Text>
          <Typography.Text type="secondary">{t('telegram.bytes', { n: telegram.length })}</Typography.Text>
        </Space>
      }
    >
      {telegram.error ? <Alert type="warning" showIcon message={t('telegram.decodeError', { error: telegram.error })} style={{ marginBottom: 12 }} /> : null}
      <div className="fb-telegram-body">
        <HexDump bytes={bytes} fieldAt={fieldAt} maskedFields={maskedFields} hot={hot} onHoverByte={onHoverByte} />
        <FieldTable fields={telegram.fields} hot={hotField} onHoverField={setHotField} />
      </div>
    </Card>
  );
}
