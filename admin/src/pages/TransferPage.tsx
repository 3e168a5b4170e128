import { ArrowLeftOutlined, EyeOutlined } from '@ant-design/icons';
import { Alert, Card, Col, Empty, Row, Space, Switch, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { PageSpinner } from '../components/PageSpinner';
import { QueryError } from '../components/QueryError';
import { AskNowButton } from '../components/settlement/AskNowButton';
import { ProposeSettleButton } from '../components/settlement/ProposeSettleButton';
import { SettlementsTable } from '../components/settlement/SettlementsTable';
import { TelegramView } from '../components/telegram/TelegramView';
import { EventsTimeline } from '../components/transfers/EventsTimeline';
import { TransferSummaryCard } from '../components/transfers/TransferSummaryCard';
import { hasRole, useOperator } from '../hooks/useSession';
import { useTransfer } from '../hooks/useTransfers';
import { useI18n } from '../i18n';

/** One transfer: summary, events, telegrams (hex beside fields), settlements, and what an operator can do. */
export default function TransferPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const operator = useOperator();
  const [unmask, setUnmask] = useState(false);
  const detail = useTransfer(id, unmask && operator.canUnmask);
  const isOperator = hasRole(operator, 'operator');

  if (detail.isPending) return <PageSpinner />;
  if (!detail.data) return <QueryError error={detail.error} />;
  const { transfer, events, telegrams, settlements, unmasked } = detail.data;
  const pending = settlements.some((s) => s.status === 'pending');

  return (
    <div data-testid="transfer-page" data-id={transfer.id} data-state={transfer.state}>
      <Space style={{ width: '100%', justifyContent: 'space-between', flexWrap: 'wrap', marginBottom: 12 }}>
        <Space direction="vertical" size={0}>
          <Link to="/transfers">
            <ArrowLeftOutlined /> {t('transfer.back')}
          </Link>
          <Typography.Title level={3} style={{ margin: 0 }} className="fb-mono">
            {t('transfer.title', { id: transfer.id })}
          </Typography.Title>
        </Space>
        <Space wrap>
          {operator.canUnmask ? (
            <Space size={6}>
              <Switch data-testid="unmask-toggle" checked={unmask} loading={detail.isFetching && unmask !== unmasked} onChange={setUnmask} />
              <EyeOutlined />
              {t('common.unmask')}
            </Space>
          ) : null}
          {isOperator ? <AskNowButton transferId={transfer.id} /> : null}
          {isOperator && transfer.state === 'unknown' && !pending ? <ProposeSettleButton transferId={transfer.id} /> : null}
        </Space>
      </Space>
      {unmasked ? <Alert type="warning" showIcon message={t('transfer.unmaskedNotice')} style={{ marginBottom: 16 }} data-testid="unmasked-notice" /> : null}
      <QueryError error={detail.error} />
      <TransferSummaryCard transfer={transfer} />
      {settlements.length > 0 ? (
        <Card size="small" title={t('transfer.settlements')} style={{ marginBottom: 16 }}>
          <SettlementsTable settlements={settlements} me={operator.name} canAct={isOperator} amount={transfer.amount} />
        </Card>
      ) : null}
      <Row gutter={16}>
        <Col xs={24} xxl={6}>
          <Card size="small" title={t('transfer.events')} style={{ marginBottom: 16 }}>
            <EventsTimeline events={events} />
          </Card>
        </Col>
        <Col xs={24} xxl={18}>
          <Typography.Title level={5}>{t('transfer.telegrams')}</Typography.Title>
          {telegrams.length === 0 ? <Empty description={t('transfer.noTelegrams')} /> : telegrams.map((tg, i) => <TelegramView key={`${tg.at}-${i}`} telegram={tg} />)}
        </Col>
      </Row>
    </div>
  );
}
