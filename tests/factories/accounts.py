from __future__ import annotations

import factory

from accounts.demo import make_credit_code
from accounts.models import AdminLevel, Organization, OrgKind, Role, User

PASSWORD = "test-pass-123"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试机构{n}")
    kind = OrgKind.NGO
    credit_code = factory.LazyAttribute(lambda o: make_credit_code("52", "420100", o.name))


class BureauFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"测试县{n}民政局")
    kind = OrgKind.BUREAU
    level = AdminLevel.COUNTY
    region = "湖北省"
    credit_code = factory.LazyAttribute(lambda o: make_credit_code("11", "420000", o.name))


class NgoFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"测试社会工作服务中心{n}")
    kind = OrgKind.NGO
    is_sme = True


class AssessorOrgFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"测试评估中心{n}")
    kind = OrgKind.ASSESSOR


class ExpertPoolFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"评审专家库{n}")
    kind = OrgKind.EXPERT_POOL


class AuditOfficeFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"审计局{n}")
    kind = OrgKind.AUDIT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.NGO
    organization = factory.SubFactory(NgoFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook signature
        if create:
            obj.save()


class BureauStaffFactory(UserFactory):
    role = Role.BUREAU_STAFF
    organization = factory.SubFactory(BureauFactory)


class BureauFinanceFactory(UserFactory):
    role = Role.BUREAU_FINANCE
    organization = factory.SubFactory(BureauFactory)


class NgoUserFactory(UserFactory):
    role = Role.NGO
    organization = factory.SubFactory(NgoFactory)


class ExpertFactory(UserFactory):
    role = Role.EXPERT
    organization = factory.SubFactory(ExpertPoolFactory)


class AssessorFactory(UserFactory):
    role = Role.ASSESSOR
    organization = factory.SubFactory(AssessorOrgFactory)


class AuditorFactory(UserFactory):
    role = Role.AUDITOR
    organization = factory.SubFactory(AuditOfficeFactory)


class AdminFactory(UserFactory):
    role = Role.ADMIN
    organization = None
    is_staff = True
    is_superuser = True
