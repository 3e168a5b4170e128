import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { isApiError } from './api/client';
import { PageSpinner } from './components/PageSpinner';
import { I18nProvider, useI18n } from './i18n';
import { ApiEventBridge } from './session/ApiEventBridge';
import { RequireRole } from './session/RequireRole';
import { RequireSession } from './session/RequireSession';

const Shell = lazy(() => import('./layout/Shell'));
const LoginPage = lazy(() => import('./pages/LoginPage'));
const PasswordChangePage = lazy(() => import('./pages/PasswordChangePage'));
const DashboardPage = lazy(() => import('./pages/DashboardPage'));
const TransfersPage = lazy(() => import('./pages/TransfersPage'));
const TransferPage = lazy(() => import('./pages/TransferPage'));
const UnknownsPage = lazy(() => import('./pages/UnknownsPage'));
const NoticesPage = lazy(() => import('./pages/NoticesPage'));
const ConsentsPage = lazy(() => import('./pages/ConsentsPage'));
const OneWonPage = lazy(() => import('./pages/OneWonPage'));
const ReconciliationPage = lazy(() => import('./pages/ReconciliationPage'));
const WebhooksPage = lazy(() => import('./pages/WebhooksPage'));
const SwitchesPage = lazy(() => import('./pages/SwitchesPage'));
const ApiKeysPage = lazy(() => import('./pages/ApiKeysPage'));
const OperatorsPage = lazy(() => import('./pages/OperatorsPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; a 5xx or a dropped connection might.
      retry: (failures, error) => !(isApiError(error) && error.status >= 400 && error.status < 500) && failures < 2,
      refetchOnWindowFocus: true,
      staleTime: 2_000,
    },
  },
});

function AppRoutes() {
  return (
    <Suspense fallback={<PageSpinner />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route
          path="/password"
          element={
            <RequireSession passwordScreen>
              <PasswordChangePage />
            </RequireSession>
          }
        />
        <Route
          element={
            <RequireSession>
              <Shell />
            </RequireSession>
          }
        >
          <Route index element={<DashboardPage />} />
          <Route path="transfers" element={<TransfersPage />} />
          <Route path="transfers/:id" element={<TransferPage />} />
          <Route path="unknowns" element={<UnknownsPage />} />
          <Route path="notices" element={<NoticesPage />} />
          <Route path="consents" element={<ConsentsPage />} />
          <Route path="one-won" element={<OneWonPage />} />
          <Route path="reconciliation" element={<ReconciliationPage />} />
          <Route path="webhooks" element={<WebhooksPage />} />
          <Route path="switches" element={<SwitchesPage />} />
          <Route
            path="api-keys"
            element={
              <RequireRole role="admin">
                <ApiKeysPage />
              </RequireRole>
            }
          />
          <Route
            path="operators"
            element={
              <RequireRole role="admin">
                <OperatorsPage />
              </RequireRole>
            }
          />
          <Route path="audit" element={<AuditPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </Suspense>
  );
}

function LocalizedApp() {
  const { antdLocale } = useI18n();
  return (
    <ConfigProvider locale={antdLocale} theme={{ token: { colorPrimary: '#1d4ed8', borderRadius: 6 } }}>
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter basename="/admin" future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
            <ApiEventBridge />
            <AppRoutes />
          </BrowserRouter>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <I18nProvider>
      <LocalizedApp />
    </I18nProvider>
  );
}
