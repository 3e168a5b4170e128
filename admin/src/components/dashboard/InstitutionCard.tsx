import { Badge, Card, Descriptions, Space, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import type { InstitutionStatus } from '../../api/types';
import { age, groupDigits, won } from '../../lib/format';
import { useI18n } from '../../i18n';
import { SwitchStateTag } from '../Tags';

const BREAKER_COLORS: Record<InstitutionStatus['breaker'], string> = { closed: 'success', open: 'error', 'half-open': 'warning' };

/** One institution at a glance: links, breaker, switches, unknowns, 전문번호, queue, today. */
export function InstitutionCard({ status, now }: { status: InstitutionStatus; now: number }) {
  const { t } = useI18n();
  const { links, queue, today } = status;
  const linkState = links.total === 0 ? 'default' : links.up === links.total ? 'success' : links.up === 0 ? 'error' : 'warning';
  const switches = Object.entries(status.switches);
  return (
    <Card
      data-testid="institution-card"
      data-id={status.id}
      size="small"
      title={
        <Space>
          <Typography.Text strong>{status.id}</Typography.Text>
          <Badge status={linkState} text={`${links.up}/${links.total}`} data-testid="links" />
        </Space>
      }
      extra={
        <Tag color={BREAKER_COLORS[status.breaker]} data-testid="breaker" data-state={status.breaker}>
          {t('dashboard.breaker')}: {t(`breaker.${status.breaker}`)}
        </Tag>
      }
    >
      <Descriptions size="small" column={1} colon={false} styles={{ label: { width: 150 } }}>
        <Descriptions.Item label={t('dashboard.switches')}>
          {switches.length === 0 ? (
            <Typography.Text type="secondary">—</Typography.Text>
          ) : (
            <Space size={[4, 4]} wrap>
              {switches.map(([flow, state]) => (
                <SwitchStateTag key={flow} label={flow} state={state} />
              ))}
            </Space>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('dashboard.unknownOpen')}>
          <Space size={4} wrap>
            <Link to={`/transfers?state=unknown&institution=${encodeURIComponent(status.id)}`} data-testid="unknown-open">
              <Typography.Text strong type={status.unknownOpen > 0 ? 'warning' : undefined}>
                {status.unknownOpen}
              </Typography.Text>
            </Link>
            {status.unknownNeedOperator > 0 ? <Tag color="red">{t('dashboard.unknownNeedOperator', { n: status.unknownNeedOperator })}</Tag> : null}
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('dashboard.oldestUnknown')}>{status.oldestUnknownAt ? age(t, status.oldestUnknownAt, now) : '—'}</Descriptions.Item>
        <Descriptions.Item label={t('dashboard.seqUsedToday')}>
          <span data-testid="seq-used-today">{groupDigits(String(status.seqUsedToday))}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('dashboard.latency')}>
          <span data-testid="latency">
            {status.latency.settled === 0
              ? '—'
              : t('dashboard.latencyValue', { p50: Math.round(status.latency.p50Ms ?? 0), p99: Math.round(status.latency.p99Ms ?? 0), n: status.latency.settled })}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t('dashboard.queue')}>{t('dashboard.queueValue', { waiting: queue.waiting, active: queue.active, delayed: queue.delayed })}</Descriptions.Item>
        <Descriptions.Item label={t('dashboard.today')}>
          <Space direction="vertical" size={2}>
            <Space size={[8, 2]} wrap data-testid="today">
              <span>
                {t('dashboard.todayCount')} {today.count}
              </span>
              <Typography.Text type="success">
                {t('dashboard.succeeded')} {today.succeeded}
              </Typography.Text>
              <Typography.Text type="danger">
                {t('dashboard.failed')} {today.failed}
              </Typography.Text>
              <Typography.Text type="warning">
                {t('dashboard.unknown')} {today.unknown}
              </Typography.Text>
            </Space>
            <span>
              {t('dashboard.succeededAmount')} <Typography.Text strong data-testid="succeeded-amount">{won(t, today.succeededAmount)}</Typography.Text>
            </span>
          </Space>
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
