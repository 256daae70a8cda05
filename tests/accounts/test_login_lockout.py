"""Five wrong passwords lock the user name from that address; the right one is then refused too."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories.accounts import PASSWORD, BureauStaffFactory

pytestmark = pytest.mark.django_db


def test_brute_force_is_locked_out(settings):
    settings.AXES_ENABLED = True
    user = BureauStaffFactory()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
        assert "用户名或密码错误" in response.content.decode()
    locked = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    again = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    # The autouse fixture speeds tests up with MD5; the configured first hasher is Argon2.
    from config import settings as configured

    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("Sanshe@2026", hasher.salt())
    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify("Sanshe@2026", encoded)
