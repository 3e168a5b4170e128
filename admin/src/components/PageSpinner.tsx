import { Spin } from 'antd';

export function PageSpinner() {
  return (
    <div style={{ display: 'flex', justifyContent: 'center', padding: 64 }} data-testid="page-loading">
      <Spin size="large" />
    </div>
  );
}
