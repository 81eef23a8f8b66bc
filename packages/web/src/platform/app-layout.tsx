/** The signed-in shell: navigation by object on the left, language, API docs and user menu on top. */
import {
  ApiOutlined,
  AuditOutlined,
  DashboardOutlined,
  DownOutlined,
  EyeOutlined,
  FileSearchOutlined,
  ImportOutlined,
  KeyOutlined,
  LoginOutlined,
  LogoutOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  ProjectOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  TeamOutlined,
} from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Avatar, Button, Dropdown, Layout, Menu, Result, Segmented, Spin, Tooltip, type MenuProps } from "antd";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { isApiError, onUnauthorized } from "../api/client";
import { logout, saveMyLocale } from "../api/records";
import { asUiLanguage, setLanguage, useLabel, type UiLanguage } from "../i18n";
import { sortForNavigation, useMeta } from "./metadata";
import { ObjectIcon } from "./object-icon";
import { ME_KEY, useMe } from "./use-me";
import { Watermark } from "./watermark";

const COLLAPSE_KEY = "revline.nav.collapsed";

function selectedKey(pathname: string): string {
  const m = /^\/o\/([^/]+)/.exec(pathname);
  if (m) return `/o/${m[1]}`;
  const admin = /^\/admin\/[^/]+/.exec(pathname);
  if (admin) return admin[0];
  return pathname === "" ? "/" : pathname;
}

export function AppLayout() {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const me = useMe();
  const meta = useMeta();
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const [collapsed, setCollapsed] = useState(() => localStorage.getItem(COLLAPSE_KEY) === "1");

  // A session that did not start on the login page (single sign-on, a reload) still follows the
  // language the user chose before; once per user, so that this browser's own switch is not undone.
  const appliedFor = useRef<string | null>(null);
  useEffect(() => {
    const user = me.data;
    if (!user || appliedFor.current === user.id) return;
    appliedFor.current = user.id;
    const remembered = asUiLanguage(user.locale);
    if (remembered && remembered !== i18n.language) setLanguage(remembered);
  }, [me.data, i18n.language]);

  const changeLanguage = (v: UiLanguage) => {
    setLanguage(v);
    // Remembered on the server for the next sign-in; a failure only loses that, not the switch.
    saveMyLocale(v).then(
      (user) => qc.setQueryData(ME_KEY, user),
      () => undefined,
    );
  };

  useEffect(
    () =>
      onUnauthorized(() => {
        qc.clear();
        void navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      }),
    [qc, navigate, location],
  );

  if (me.isLoading) {
    return (
      <div className="rl-page-loading" style={{ height: "100vh" }}>
        <Spin size="large" />
      </div>
    );
  }
  if (me.error) {
    if (isApiError(me.error) && me.error.status === 401) {
      return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
    }
    return <Result status="error" title={t("errors.serverUnavailable")} subTitle={me.error.message} extra={<Button onClick={() => void me.refetch()}>{t("common.retry")}</Button>} />;
  }
  const user = me.data;

  const objectItems: MenuProps["items"] = sortForNavigation(meta.objects).map((o) => ({
    key: `/o/${o.name}`,
    icon: <ObjectIcon object={o} />,
    label: label(o.labelPlural, o.name),
  }));
  const items: MenuProps["items"] = [
    { key: "/", icon: <DashboardOutlined />, label: t("nav.dashboard") },
    { key: "/pipeline", icon: <ProjectOutlined />, label: t("nav.pipeline") },
    { type: "group", key: "g-records", label: collapsed ? null : t("nav.records"), children: objectItems },
    {
      type: "group",
      key: "g-tools",
      label: collapsed ? null : t("nav.tools"),
      children: [
        // Import only for those whose roles allow importing into some object.
        ...(meta.objects.some((o) => o.permissions?.import !== false) ? [{ key: "/import", icon: <ImportOutlined />, label: t("nav.import") }] : []),
        { key: "/exports", icon: <AuditOutlined />, label: t("nav.exports") },
      ],
    },
    ...(user?.isAdmin !== false
      ? [
          {
            type: "group" as const,
            key: "g-admin",
            label: collapsed ? null : t("nav.administration"),
            children: [
              { key: "/admin/objects", icon: <SettingOutlined />, label: t("nav.objectsAndFields") },
              { key: "/admin/roles", icon: <SafetyCertificateOutlined />, label: t("nav.roles") },
              { key: "/admin/users", icon: <TeamOutlined />, label: t("nav.users") },
              { key: "/admin/preview", icon: <EyeOutlined />, label: t("nav.previewAs") },
              { key: "/admin/audit", icon: <FileSearchOutlined />, label: t("nav.audit") },
              { key: "/admin/tokens", icon: <KeyOutlined />, label: t("nav.tokens") },
              { key: "/admin/sso", icon: <LoginOutlined />, label: t("nav.sso") },
            ],
          },
        ]
      : []),
  ];

  const doLogout = async () => {
    try {
      await logout();
    } finally {
      qc.clear();
      void navigate("/login", { replace: true });
    }
  };

  const initials = (user?.name ?? user?.email ?? "?").trim().slice(0, 1).toUpperCase();
  return (
    <Layout className="rl-shell">
      <Layout.Sider
        width={224}
        collapsedWidth={64}
        collapsed={collapsed}
        className="rl-sider"
        theme="dark"
      >
        <div className="rl-brand" onClick={() => void navigate("/")}>
          <img src="/favicon.svg" alt="" width={28} height={28} />
          {!collapsed && <span>Revline</span>}
        </div>
        <div className="rl-sider-menu">
          <Menu
            theme="dark"
            mode="inline"
            selectedKeys={[selectedKey(location.pathname)]}
            items={items}
            onClick={(e) => void navigate(e.key)}
            data-testid="main-nav"
          />
        </div>
      </Layout.Sider>
      <Layout>
        <Layout.Header className="rl-header">
          <Button
            type="text"
            aria-label={t("nav.toggle")}
            icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
            onClick={() => {
              localStorage.setItem(COLLAPSE_KEY, collapsed ? "0" : "1");
              setCollapsed(!collapsed);
            }}
          />
          <div className="rl-header-right">
            <Tooltip title={t("nav.apiDocsHint")}>
              <Button type="text" icon={<ApiOutlined />} href="/api/docs" target="_blank">
                {t("nav.apiDocs")}
              </Button>
            </Tooltip>
            <Segmented<UiLanguage>
              size="small"
              data-testid="language-switch"
              value={i18n.language === "zh-CN" ? "zh-CN" : "en"}
              options={[
                { label: "EN", value: "en" },
                { label: "中文", value: "zh-CN" },
              ]}
              onChange={(v) => changeLanguage(v)}
            />
            <Dropdown
              trigger={["click"]}
              menu={{
                items: [
                  { key: "email", label: user?.email, disabled: true },
                  { type: "divider" },
                  { key: "security", icon: <SafetyCertificateOutlined />, label: t("auth.securityMenu") },
                  { key: "logout", icon: <LogoutOutlined />, label: t("nav.logout"), danger: true },
                ],
                onClick: (e) => {
                  if (e.key === "logout") void doLogout();
                  if (e.key === "security") void navigate("/account/security");
                },
              }}
            >
              <Button type="text" className="rl-user-button" data-testid="user-menu">
                <Avatar size={28} style={{ background: "#1f4fe0" }}>{initials}</Avatar>
                <span className="rl-user-name">{user?.name || user?.email}</span>
                <DownOutlined style={{ fontSize: 10 }} />
              </Button>
            </Dropdown>
          </div>
        </Layout.Header>
        <Layout.Content className="rl-content">
          <Outlet />
        </Layout.Content>
      </Layout>
      {user && <Watermark name={user.name || user.email} login={user.email} />}
    </Layout>
  );
}
