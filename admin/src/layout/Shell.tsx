import { BankOutlined } from '@ant-design/icons';
import { ProLayout } from '@ant-design/pro-components';
import { Suspense, useEffect, useRef, useState } from 'react';
import { Link, Outlet, useLocation } from 'react-router-dom';
import { onApiEvent } from '../api/client';
import { Forbidden } from '../components/Forbidden';
import { PageSpinner } from '../components/PageSpinner';
import { hasRole, useOperator } from '../hooks/useSession';
import { useI18n } from '../i18n';
import { NAV_ITEMS, navItemFor } from '../nav';
import { HeaderActions } from './HeaderActions';

/** What the API refused (403 FB_ADMIN_FORBIDDEN) on which screen. */
interface Refusal {
  readonly pathname: string;
  readonly detail: string;
}

/** The frame around every screen: the side menu (by role), who is logged in, the language, logging out. */
export default function Shell() {
  const operator = useOperator();
  const { t, lang } = useI18n();
  const location = useLocation();
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const pathname = useRef(location.pathname);
  pathname.current = location.pathname;

  useEffect(() => {
    setRefusal(null);
  }, [location.pathname]);
  useEffect(
    () =>
      onApiEvent((event) => {
        if (event.kind === 'forbidden') setRefusal({ pathname: pathname.current, detail: event.error.detail });
      }),
    [],
  );
  useEffect(() => {
    document.title = t('app.title');
  }, [t]);

  const items = NAV_ITEMS.filter((item) => hasRole(operator, item.role));
  const testIds = new Map(items.map((item) => [item.path, item.testId]));
  const selected = navItemFor(location.pathname)?.path ?? '';

  return (
    <ProLayout
      title="firmbank"
      logo={<BankOutlined style={{ fontSize: 22, color: '#1d4ed8' }} />}
      layout="mix"
      fixSiderbar
      fixedHeader
      siderWidth={220}
      locale={lang === 'ko' ? 'ko-KR' : 'en-US'}
      menu={{ locale: false }}
      pageTitleRender={false}
      location={{ pathname: selected }}
      route={{ path: '/', routes: items.map((item) => ({ path: item.path, name: t(item.label), icon: item.icon, key: item.path })) }}
      menuItemRender={(item, dom) => {
        const path = item.path ?? '/';
        return (
          <Link to={path} data-testid={testIds.get(path)}>
            {dom}
          </Link>
        );
      }}
      onMenuHeaderClick={() => undefined}
      actionsRender={() => [<HeaderActions key="actions" operator={operator} />]}
      token={{ header: { colorBgHeader: '#ffffff' }, pageContainer: { paddingBlockPageContainerContent: 16, paddingInlinePageContainerContent: 24 } }}
    >
      <div style={{ padding: '16px 24px' }}>
        {refusal && refusal.pathname === location.pathname ? (
          <Forbidden detail={refusal.detail} />
        ) : (
          <Suspense fallback={<PageSpinner />}>
            <Outlet />
          </Suspense>
        )}
      </div>
    </ProLayout>
  );
}
