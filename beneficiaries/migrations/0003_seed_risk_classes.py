"""The risk classes of 困境儿童 and 留守人员 practice, with a follow-up cadence each.

Classes after 国发〔2016〕36号 (困境儿童: 家庭贫困, 自身残疾, 监护缺失或监护不当), 民发〔2019〕34号
(事实无人抚养儿童, counted under 监护缺失), the 农村留守儿童摸底排查 fields (失学辍学) and
民发〔2017〕193号 for 留守老人 (独居). Visits: monthly where no adult looks after the person,
quarterly otherwise; the administrator changes both in the admin (data, not code)."""

from django.db import migrations

CLASSES = [
    ("guardianship_lacking", "监护缺失", "父母外出或无监护能力、事实无人抚养、无人照料", 30),
    ("guardianship_improper", "监护不当", "监护不当，有遭受虐待、遗弃、意外伤害的风险", 30),
    ("hardship", "生活困难", "家庭经济困难，生活、就医、就学困难", 90),
    ("illness_disability", "重病残疾", "本人患重病或残疾（含失能、半失能）", 90),
    ("schooling", "失学辍学", "失学、辍学或有辍学风险", 90),
    ("living_alone", "独居空巢", "老人独居或空巢，身边无人照料", 90),
]


def seed(apps, schema_editor):
    RiskClass = apps.get_model("beneficiaries", "RiskClass")
    for order, (code, name, description, days) in enumerate(CLASSES, start=1):
        RiskClass.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "visit_every_days": days,
                "order": order,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("beneficiaries", "RiskClass").objects.filter(
        code__in=[c[0] for c in CLASSES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("beneficiaries", "0002_case_work_four_cards_risks_reports_visits")]

    operations = [migrations.RunPython(seed, unseed)]
