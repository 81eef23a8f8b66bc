/** Standard objects of the organisation: users, teams and regions (synced into metadata at start). */
import type { FieldDef, ObjectDef } from "@revline/core";

const f = (name: string, type: FieldDef["type"], en: string, zh: string, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  type,
  label: { en, zh },
  isStandard: true,
  ...extra,
});

export const userObject: ObjectDef = {
  name: "user",
  label: { en: "User", zh: "用户" },
  labelPlural: { en: "Users", zh: "用户" },
  icon: "UserOutlined",
  nameField: "name",
  externalKeyField: "external_id",
  isStandard: true,
  module: "identity",
  fields: [
    f("name", "text", "Name", "姓名", { required: true }),
    f("email", "email", "Email", "邮箱", { unique: true }),
    f("phone", "phone", "Phone", "电话"),
    f("title", "text", "Title", "职位"),
    f("manager", "relation", "Manager", "上级", { relation: { object: "user" } }),
    f("team", "relation", "Team", "团队", { relation: { object: "team" } }),
    f("region", "relation", "Region", "区域", { relation: { object: "region" } }),
    f("is_active", "boolean", "Active", "启用", { defaultValue: true }),
    // Partner users are external: the partner role limits them to their region ($actor.partner).
    f("user_type", "picklist", "User type", "用户类型", {
      defaultValue: "internal",
      options: [
        { value: "internal", label: { en: "Internal", zh: "内部" } },
        { value: "partner", label: { en: "Partner", zh: "合作伙伴" } },
      ],
    }),
    f("locale", "picklist", "Language", "语言", {
      options: [
        { value: "en", label: { en: "English", zh: "英语" } },
        { value: "zh-CN", label: { en: "Simplified Chinese", zh: "简体中文" } },
      ],
    }),
    f("external_id", "text", "External ID", "外部编号", { unique: true }),
  ],
};

export const teamObject: ObjectDef = {
  name: "team",
  label: { en: "Team", zh: "团队" },
  labelPlural: { en: "Teams", zh: "团队" },
  icon: "TeamOutlined",
  nameField: "name",
  externalKeyField: "name",
  isStandard: true,
  module: "identity",
  fields: [
    f("name", "text", "Name", "名称", { required: true, unique: true }),
    f("manager", "relation", "Manager", "负责人", { relation: { object: "user" } }),
    f("parent_team", "relation", "Parent team", "上级团队", { relation: { object: "team" } }),
    f("region", "relation", "Region", "区域", { relation: { object: "region" } }),
  ],
};

export const regionObject: ObjectDef = {
  name: "region",
  label: { en: "Region", zh: "区域" },
  labelPlural: { en: "Regions", zh: "区域" },
  icon: "GlobalOutlined",
  nameField: "name",
  externalKeyField: "name",
  isStandard: true,
  module: "identity",
  fields: [
    f("name", "text", "Name", "名称", { required: true, unique: true }),
    f("code", "text", "Code", "代码"),
  ],
};

export const identityObjects: ObjectDef[] = [userObject, teamObject, regionObject];
