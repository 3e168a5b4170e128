import { BankOutlined } from '@ant-design/icons';
import { Card, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { LangToggle } from './LangToggle';

/** The card the login and password screens sit in. */
export function CenteredCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f2f5', padding: 16 }}>
      <Card style={{ width: 400, maxWidth: '100%' }}>
        <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
          <Space>
            <BankOutlined style={{ fontSize: 24, color: '#1d4ed8' }} />
            <Typography.Title level={4} style={{ margin: 0 }}>
              {title}
            </Typography.Title>
          </Space>
          <LangToggle />
        </Space>
        {children}
      </Card>
    </div>
  );
}
