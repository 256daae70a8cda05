"""Demo organisations and one login per role, taken from published civil-affairs reports."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from stdnum.cn import uscc

from accounts.models import AdminLevel, Organization, OrgKind, Role, User

DEMO_PASSWORD = "Sanshe@2026"  # noqa: S105 - published on the login page in demo mode only

# The characters GB 32100-2015 allows in the organisation-code part.
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_credit_code(authority_and_type: str, region: str, seed: str) -> str:
    """Build a check-digit-valid 统一社会信用代码 that is stable for the same seed."""
    digest = hashlib.sha256(seed.encode()).digest()
    body = "".join(_CODE_CHARS[b % len(_CODE_CHARS)] for b in digest[:9])
    first17 = f"{authority_and_type}{region}{body}"
    return first17 + uscc.calc_check_digit(first17)


# name, kind, parent, level, region, credit-code prefix, region code, is_sme
ORGANIZATIONS: list[tuple[str, str, str | None, str, str, str, str, bool]] = [
    ("湖北省民政厅", OrgKind.BUREAU, None, AdminLevel.PROVINCE, "湖北省", "11", "420000", False),
    (
        "荆州市民政局",
        OrgKind.BUREAU,
        "湖北省民政厅",
        AdminLevel.CITY,
        "湖北省荆州市",
        "11",
        "421000",
        False,
    ),
    (
        "江陵县民政局",
        OrgKind.BUREAU,
        "荆州市民政局",
        AdminLevel.COUNTY,
        "湖北省荆州市江陵县",
        "11",
        "421024",
        False,
    ),
    (
        "监利县民政局",
        OrgKind.BUREAU,
        "荆州市民政局",
        AdminLevel.COUNTY,
        "湖北省荆州市监利县",
        "11",
        "421023",
        False,
    ),
    (
        "石首市民政局",
        OrgKind.BUREAU,
        "荆州市民政局",
        AdminLevel.COUNTY,
        "湖北省荆州市石首市",
        "11",
        "421081",
        False,
    ),
    (
        "潜江市民政局",
        OrgKind.BUREAU,
        "湖北省民政厅",
        AdminLevel.CITY,
        "湖北省潜江市",
        "11",
        "429005",
        False,
    ),
    ("四川省民政厅", OrgKind.BUREAU, None, AdminLevel.PROVINCE, "四川省", "11", "510000", False),
    (
        "遂宁市民政局",
        OrgKind.BUREAU,
        "四川省民政厅",
        AdminLevel.CITY,
        "四川省遂宁市",
        "11",
        "510900",
        False,
    ),
    (
        "大英县民政局",
        OrgKind.BUREAU,
        "遂宁市民政局",
        AdminLevel.COUNTY,
        "四川省遂宁市大英县",
        "11",
        "510923",
        False,
    ),
    (
        "广西壮族自治区民政厅",
        OrgKind.BUREAU,
        None,
        AdminLevel.PROVINCE,
        "广西壮族自治区",
        "11",
        "450000",
        False,
    ),
    ("山西省民政厅", OrgKind.BUREAU, None, AdminLevel.PROVINCE, "山西省", "11", "140000", False),
    (
        "太原市民政局",
        OrgKind.BUREAU,
        "山西省民政厅",
        AdminLevel.CITY,
        "山西省太原市",
        "11",
        "140100",
        False,
    ),
    ("武汉爱心天使社会工作服务中心", OrgKind.NGO, None, "", "湖北省武汉市", "52", "420100", True),
    ("武汉博雅社会工作服务中心", OrgKind.NGO, None, "", "湖北省武汉市", "52", "420100", True),
    (
        "竹山县天英留守儿童托管中心",
        OrgKind.NGO,
        None,
        "",
        "湖北省十堰市竹山县",
        "52",
        "420323",
        True,
    ),
    ("潜江市阳光社会工作服务中心", OrgKind.NGO, None, "", "湖北省潜江市", "52", "429005", True),
    (
        "监利县乡村快乐之家服务协会",
        OrgKind.NGO,
        None,
        "",
        "湖北省荆州市监利县",
        "51",
        "421023",
        True,
    ),
    ("太原市优社优家社区服务中心", OrgKind.NGO, None, "", "山西省太原市", "52", "140100", True),
    ("荆楚社会服务绩效评估中心", OrgKind.ASSESSOR, None, "", "湖北省武汉市", "52", "420100", False),
    ("西南社会工作评估研究院", OrgKind.ASSESSOR, None, "", "四川省成都市", "52", "510100", False),
    ("湖北省政府采购评审专家库", OrgKind.EXPERT_POOL, None, "", "湖北省", "11", "420000", False),
    ("荆州市审计局", OrgKind.AUDIT, None, "", "湖北省荆州市", "11", "421000", False),
    ("三社平台运维中心", OrgKind.PLATFORM, None, "", "湖北省", "12", "420000", False),
]

# username, display name, role, organisation, listed on the login page
USERS: list[tuple[str, str, str, str, bool]] = [
    ("qj_staff", "王丽（潜江市民政局）", Role.BUREAU_STAFF, "潜江市民政局", True),
    ("qj_finance", "陈敏（潜江市民政局财务）", Role.BUREAU_FINANCE, "潜江市民政局", True),
    # A second finance officer records payments: the approver may not (不相容岗位分离).
    ("qj_cashier", "刘芳（潜江市民政局出纳）", Role.BUREAU_FINANCE, "潜江市民政局", False),
    ("aixin", "刘洋（爱心天使社工中心）", Role.NGO, "武汉爱心天使社会工作服务中心", True),
    ("expert1", "张建国（评审专家）", Role.EXPERT, "湖北省政府采购评审专家库", True),
    ("assessor_lead", "赵静（评估组长）", Role.ASSESSOR, "荆楚社会服务绩效评估中心", True),
    ("auditor", "孙强（审计）", Role.AUDITOR, "荆州市审计局", True),
    ("admin", "平台管理员", Role.ADMIN, "三社平台运维中心", True),
    ("jz_staff", "李华（荆州市民政局）", Role.BUREAU_STAFF, "荆州市民政局", False),
    ("jz_finance", "周芳（荆州市民政局财务）", Role.BUREAU_FINANCE, "荆州市民政局", False),
    ("jz_cashier", "孙丽（荆州市民政局出纳）", Role.BUREAU_FINANCE, "荆州市民政局", False),
    ("jl_staff", "吴涛（监利县民政局）", Role.BUREAU_STAFF, "监利县民政局", False),
    ("jl_finance", "郑红（监利县民政局财务）", Role.BUREAU_FINANCE, "监利县民政局", False),
    ("dy_staff", "杨帆（大英县民政局）", Role.BUREAU_STAFF, "大英县民政局", False),
    ("gx_staff", "韦宁（广西壮族自治区民政厅）", Role.BUREAU_STAFF, "广西壮族自治区民政厅", False),
    ("boya", "黄蕾（博雅社工中心）", Role.NGO, "武汉博雅社会工作服务中心", False),
    ("tianying", "何芳（天英托管中心）", Role.NGO, "竹山县天英留守儿童托管中心", False),
    ("yangguang", "徐磊（阳光社工中心）", Role.NGO, "潜江市阳光社会工作服务中心", False),
    ("kuaile", "罗梅（快乐之家服务协会）", Role.NGO, "监利县乡村快乐之家服务协会", False),
    ("youshe", "高远（优社优家）", Role.NGO, "太原市优社优家社区服务中心", False),
    ("expert2", "林志（评审专家）", Role.EXPERT, "湖北省政府采购评审专家库", False),
    ("expert3", "马琳（评审专家）", Role.EXPERT, "湖北省政府采购评审专家库", False),
    ("expert4", "胡斌（评审专家）", Role.EXPERT, "湖北省政府采购评审专家库", False),
    ("expert5", "朱婷（评审专家）", Role.EXPERT, "湖北省政府采购评审专家库", False),
    ("assessor2", "钱程（评估专家）", Role.ASSESSOR, "荆楚社会服务绩效评估中心", False),
    ("assessor3", "冯雪（评估专家）", Role.ASSESSOR, "荆楚社会服务绩效评估中心", False),
    ("assessor4", "邓凯（评估专家）", Role.ASSESSOR, "荆楚社会服务绩效评估中心", False),
    ("xn_assessor", "曹宇（西南评估院）", Role.ASSESSOR, "西南社会工作评估研究院", False),
]


def demo_logins() -> list[dict[str, Any]]:
    """The demo accounts shown on the login page, one per role, that exist in the database."""
    listed = [u for u in USERS if u[4]]
    existing = {
        u.username: u
        for u in User.objects.filter(username__in=[u[0] for u in listed]).select_related(
            "organization"
        )
    }
    return [
        {"username": name, "user": existing[name], "role": Role(role).label}
        for name, _display, role, _org, _listed in listed
        if name in existing
    ]


@transaction.atomic
def load(ctx: dict[str, Any]) -> None:
    """Create or refresh the demo organisations and users (idempotent)."""
    orgs: dict[str, Organization] = {}
    for name, kind, parent, level, region, prefix, region_code, sme in ORGANIZATIONS:
        org, _ = Organization.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "parent": orgs.get(parent) if parent else None,
                "level": level,
                "region": region,
                "credit_code": make_credit_code(prefix, region_code, name),
                "is_sme": sme,
                "contact_person": "办公室",
                "phone": "0728-" + str(int(hashlib.sha256(name.encode()).hexdigest(), 16))[:7],
            },
        )
        orgs[name] = org
    users: dict[str, User] = {}
    for username, display, role, org_name, _listed in USERS:
        user, created = User.objects.get_or_create(username=username)
        user.display_name = display
        user.role = role
        user.organization = orgs[org_name]
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        user.is_active = True
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.save()
        users[username] = user
    ctx["orgs"] = orgs
    ctx["users"] = users
