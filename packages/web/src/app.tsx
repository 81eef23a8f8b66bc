/** Providers (query cache, Ant Design theme + locale, router) and the route table. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider, Spin, theme } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import { lazy, Suspense, useEffect, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { createBrowserRouter, RouterProvider } from "react-router";
import { isApiError } from "./api/client";
import { isZh } from "./i18n";
import { AdminOnly } from "./platform/admin/admin-only";
import { AppLayout } from "./platform/app-layout";
import { LoginPage } from "./platform/login-page";
import { NotFoundPage } from "./platform/not-found-page";

const DashboardPage = lazy(() => import("./modules/sales/dashboard-page").then((m) => ({ default: m.DashboardPage })));
const PipelineBoard = lazy(() => import("./modules/sales/pipeline-board").then((m) => ({ default: m.PipelineBoard })));
const RecordListPage = lazy(() => import("./platform/record-list-page").then((m) => ({ default: m.RecordListPage })));
const RecordPage = lazy(() => import("./platform/record-page").then((m) => ({ default: m.RecordPage })));
const ImportWizard = lazy(() => import("./platform/import-wizard").then((m) => ({ default: m.ImportWizard })));
const ExportRequestsPage = lazy(() => import("./platform/export-requests-page").then((m) => ({ default: m.ExportRequestsPage })));
const AdminObjectsPage = lazy(() => import("./platform/admin-objects-page").then((m) => ({ default: m.AdminObjectsPage })));
const RolesPage = lazy(() => import("./platform/admin/roles-page").then((m) => ({ default: m.RolesPage })));
const UsersPage = lazy(() => import("./platform/admin/users-page").then((m) => ({ default: m.UsersPage })));
const PreviewPage = lazy(() => import("./platform/admin/preview-page").then((m) => ({ default: m.PreviewPage })));
const AuditPage = lazy(() => import("./platform/admin/audit-page").then((m) => ({ default: m.AuditPage })));
const TokensPage = lazy(() => import("./platform/admin/tokens-page").then((m) => ({ default: m.TokensPage })));
const SsoPage = lazy(() => import("./platform/admin/sso-page").then((m) => ({ default: m.SsoPage })));
const AccountSecurityPage = lazy(() => import("./platform/account-security-page").then((m) => ({ default: m.AccountSecurityPage })));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not heal by retrying; network blips may.
      retry: (count, err) => !(isApiError(err) && err.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

function Page({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <div className="rl-page-loading">
          <Spin size="large" />
        </div>
      }
    >
      {children}
    </Suspense>
  );
}

const router = createBrowserRouter([
  { path: "/login", element: <LoginPage /> },
  {
    path: "/",
    element: <AppLayout />,
    children: [
      { index: true, element: <Page><DashboardPage /></Page> },
      { path: "pipeline", element: <Page><PipelineBoard /></Page> },
      { path: "o/:object", element: <Page><RecordListPage /></Page> },
      { path: "o/:object/new", element: <Page><RecordPage /></Page> },
      { path: "o/:object/:id", element: <Page><RecordPage /></Page> },
      { path: "import", element: <Page><ImportWizard /></Page> },
      { path: "exports", element: <Page><ExportRequestsPage /></Page> },
      { path: "admin/objects", element: <Page><AdminObjectsPage /></Page> },
      { path: "admin/roles", element: <Page><AdminOnly><RolesPage /></AdminOnly></Page> },
      { path: "admin/users", element: <Page><AdminOnly><UsersPage /></AdminOnly></Page> },
      { path: "admin/preview", element: <Page><AdminOnly><PreviewPage /></AdminOnly></Page> },
      { path: "admin/audit", element: <Page><AdminOnly><AuditPage /></AdminOnly></Page> },
      { path: "admin/tokens", element: <Page><AdminOnly><TokensPage /></AdminOnly></Page> },
      { path: "admin/sso", element: <Page><AdminOnly><SsoPage /></AdminOnly></Page> },
      { path: "account/security", element: <Page><AccountSecurityPage /></Page> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);

const FONT =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", sans-serif';

export function App() {
  const { i18n } = useTranslation();
  const zh = isZh(i18n.language);
  useEffect(() => {
    dayjs.locale(zh ? "zh-cn" : "en");
  }, [zh]);
  return (
    <QueryClientProvider client={queryClient}>
      <ConfigProvider
        locale={zh ? zhCN : enUS}
        // antd spaces out two-character Chinese labels ("重 置"); the UI's labels are written as meant.
        button={{ autoInsertSpace: false }}
        theme={{
          algorithm: theme.defaultAlgorithm,
          token: { colorPrimary: "#1f4fe0", borderRadius: 8, fontFamily: FONT, colorBgLayout: "#f5f6f8" },
          components: {
            Layout: { siderBg: "#0f1b3d", headerBg: "#ffffff", headerHeight: 56, headerPadding: "0 20px" },
            Menu: { darkItemBg: "#0f1b3d", darkSubMenuItemBg: "#0b1530", darkItemSelectedBg: "#1f4fe0" },
            Table: { headerBg: "#f7f8fa", rowHoverBg: "#f3f6ff" },
            Card: { headerFontSize: 15 },
          },
        }}
      >
        <AntApp>
          <RouterProvider router={router} />
        </AntApp>
      </ConfigProvider>
    </QueryClientProvider>
  );
}
