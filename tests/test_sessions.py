"""Sliding sessions: each request extends the session, writing it at most once a minute."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone

from materiel.core.middleware import REFRESHED_AT


def test_a_request_extends_the_session_but_writes_it_at_most_once_a_minute(client, world):
    client.force_login(world.officer)
    first = client.get("/")
    assert "sessionid" in first.cookies  # the first page view sets the refresh mark
    session = Session.objects.get()
    store = session.get_decoded()
    assert REFRESHED_AT in store

    again = client.get("/trang-bi/")
    assert again.status_code == 200 and "sessionid" not in again.cookies
    assert Session.objects.get().expire_date == session.expire_date  # nothing written

    # A minute later the next request extends it again.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=5))
    engine = client.session.__class__(session_key=session.session_key)
    engine[REFRESHED_AT] = store[REFRESHED_AT] - 120
    engine.save()
    later = client.get("/trang-bi/")
    assert "sessionid" in later.cookies
    assert Session.objects.get().expire_date > timezone.now() + timedelta(minutes=29)


def test_an_expired_session_signs_out(client, world):
    client.force_login(world.officer)
    client.get("/")
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
