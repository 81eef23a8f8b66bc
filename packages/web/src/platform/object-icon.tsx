/** Navigation icons by Ant Design icon name (ObjectDef.icon), from a curated set to keep the bundle small. */
import {
  AimOutlined,
  AppstoreOutlined,
  BankOutlined,
  ContactsOutlined,
  DatabaseOutlined,
  DollarOutlined,
  EnvironmentOutlined,
  FileTextOutlined,
  FundOutlined,
  GlobalOutlined,
  IdcardOutlined,
  ProfileOutlined,
  ShopOutlined,
  ShoppingCartOutlined,
  ShoppingOutlined,
  SolutionOutlined,
  TagsOutlined,
  TeamOutlined,
  TrophyOutlined,
  OrderedListOutlined,
  UnorderedListOutlined,
  UserAddOutlined,
  UserOutlined,
} from "@ant-design/icons";
import type { ObjectDef } from "@revline/core";
import type { ComponentType } from "react";

const BY_NAME: Record<string, ComponentType> = {
  AimOutlined, OrderedListOutlined, AppstoreOutlined, BankOutlined, ContactsOutlined, DatabaseOutlined, DollarOutlined, EnvironmentOutlined,
  FileTextOutlined, FundOutlined, GlobalOutlined, IdcardOutlined, ProfileOutlined, ShopOutlined,
  ShoppingCartOutlined, ShoppingOutlined, SolutionOutlined, TagsOutlined, TeamOutlined, TrophyOutlined,
  UnorderedListOutlined, UserAddOutlined, UserOutlined,
};

const BY_OBJECT: Record<string, ComponentType> = {
  account: BankOutlined,
  contact: ContactsOutlined,
  lead: UserAddOutlined,
  opportunity: DollarOutlined,
  product: ShoppingOutlined,
  opportunity_line: UnorderedListOutlined,
  user: UserOutlined,
  team: TeamOutlined,
  region: GlobalOutlined,
};

export function ObjectIcon({ object }: { object: Pick<ObjectDef, "name" | "icon"> }) {
  const Icon = (object.icon && BY_NAME[object.icon]) || BY_OBJECT[object.name] || DatabaseOutlined;
  return <Icon />;
}
