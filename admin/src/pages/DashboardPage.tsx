import { Card, Col, Empty, Row, Typography } from 'antd';
import { InstitutionCard } from '../components/dashboard/InstitutionCard';
import { LastHourChart } from '../components/dashboard/LastHourChart';
import { PageSpinner } from '../components/PageSpinner';
import { QueryError } from '../components/QueryError';
import { useDashboard } from '../hooks/useDashboard';
import { dateTime } from '../lib/format';
import { useI18n } from '../i18n';

/** Every institution at a glance and the last hour, refreshed every 5 seconds. */
export default function DashboardPage() {
  const { t } = useI18n();
  const dashboard = useDashboard();
  if (dashboard.isPending) return <PageSpinner />;
  if (!dashboard.data) return <QueryError error={dashboard.error} />;
  const { institutions, lastHour, at } = dashboard.data;
  const now = new Date(at).getTime() || Date.now();
  return (
    <div data-testid="dashboard">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('dashboard.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary" data-testid="dashboard-at">
        {t('dashboard.at', { at: dateTime(at) })}
      </Typography.Paragraph>
      {dashboard.error ? <QueryError error={dashboard.error} /> : null}
      {institutions.length === 0 ? (
        <Empty description={t('dashboard.noInstitutions')} />
      ) : (
        <Row gutter={[16, 16]}>
          {institutions.map((inst) => (
            <Col key={inst.id} xs={24} md={12} xxl={8}>
              <InstitutionCard status={inst} now={now} />
            </Col>
          ))}
        </Row>
      )}
      <Card size="small" title={t('dashboard.lastHour')} style={{ marginTop: 16 }}>
        <LastHourChart points={lastHour} />
      </Card>
    </div>
  );
}
