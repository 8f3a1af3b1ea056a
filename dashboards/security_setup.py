"""Create or update Anju's Superset roles, demo users and row-level security. Idempotent.

Runs inside the Superset environment with SUPERSET_CONFIG_PATH set, after the bundle import
(pipelines/superset_service.prepare calls it). The spec comes as JSON on stdin, never on the
command line (it holds passwords):

    {"leadership": {"role": "anju_leadership", "username": "leader", "password": "..."},
     "districts": [{"code": "420102", "name": "江城区", "role": "anju_district_420102",
                    "username": "district_420102", "password": "..."}],
     "shared_datasets": ["publication"]}

- Every role starts from Gamma's permissions (read dashboards and charts, download CSV/XLSX, no
  SQL Lab: Gamma holds none of its permissions).
- Leadership: plus all_datasource_access and the built-in sql_lab role: sees every district.
- District roles: plus datasource_access on every dataset that has a district_code column (and
  the shared ones without it, e.g. publication for 数据截至), and one Regular row-level-security
  filter `district_code = '<code>'` on all those datasets. Data-quality datasets (no district) are
  not granted, so district users do not see that dashboard.
- Users get exactly the roles above; their passwords are reset to the spec's (the secrets files
  are the truth).

Prints one JSON line: the roles, and per RLS filter the datasets it covers.
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    spec = json.load(sys.stdin)
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import db, security_manager as sm
        from superset.connectors.sqla.models import RowLevelSecurityFilter, SqlaTable
        from superset.utils.core import RowLevelSecurityFilterType

        tables = db.session.query(SqlaTable).all()
        district_tables = [t for t in tables if any(c.column_name == "district_code" for c in t.columns)]
        shared_tables = [t for t in tables if t.table_name in set(spec.get("shared_datasets", []))]

        gamma = sm.find_role("Gamma")
        if gamma is None:
            print("security_setup: no Gamma role (run `superset init` first)", file=sys.stderr)
            return 2
        base = list(gamma.permissions)
        for perm, view in (("can_csv", "Superset"),):
            pvm = sm.find_permission_view_menu(perm, view)
            if pvm is not None and pvm not in base:
                base.append(pvm)

        def pvm(perm: str, view: str):
            return sm.find_permission_view_menu(perm, view) or sm.add_permission_view_menu(perm, view)

        def ensure_role(name: str, permissions: list) -> object:
            role = sm.find_role(name) or sm.add_role(name)
            role.permissions = permissions
            return role

        def ensure_user(username: str, first: str, last: str, password: str, roles: list) -> None:
            user = sm.find_user(username=username)
            if user is None:
                user = sm.add_user(username, first, last, f"{username}@anju.invalid", roles, password=password)
                if not user:
                    raise RuntimeError(f"could not create user {username}")
            else:
                user.roles = roles
                user.active = True
                sm.reset_password(user.id, password)

        lead = spec["leadership"]
        lead_role = ensure_role(
            lead["role"], base + [pvm("all_datasource_access", "all_datasource_access"), pvm("all_database_access", "all_database_access")]
        )
        sql_lab = sm.find_role("sql_lab")
        ensure_user(lead["username"], "领导", "驾驶舱", lead["password"], [lead_role] + ([sql_lab] if sql_lab else []))

        report = {"roles": [lead["role"]], "rls": {}}
        access = [pvm("datasource_access", t.get_perm()) for t in district_tables + shared_tables]
        for district in spec["districts"]:
            role = ensure_role(district["role"], base + access)
            ensure_user(district["username"], district["name"], "区县用户", district["password"], [role])
            name = f"district_{district['code']}"
            rls = db.session.query(RowLevelSecurityFilter).filter_by(name=name).one_or_none()
            if rls is None:
                rls = RowLevelSecurityFilter(name=name)
                db.session.add(rls)
            rls.filter_type = RowLevelSecurityFilterType.REGULAR
            rls.group_key = "district_code"
            rls.clause = "district_code = '{}'".format(district["code"].replace("'", "''"))
            rls.description = f"{district['name']}用户只看本区县的数据"
            rls.tables = district_tables
            rls.roles = [role]
            report["roles"].append(district["role"])
            report["rls"][name] = sorted(t.table_name for t in district_tables)
        db.session.commit()
        print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
