"""
Names no one can imitate and addresses no two accounts share: usernames compared
after case and lookalike folding at sign-up and sign-in, and a member's own email
address added, changed or removed from their account page.
"""

import threading

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, connections, transaction
from django.test import Client

from accounts.usernames import fold

User = get_user_model()
TAKEN = "That username, or one that looks the same, is taken. Choose another."
EMAIL_REFUSED = "That email address cannot be used here. Use another one."
PASSWORD = "fireflies-in-1945"


def sign_up(client, username, email=""):
    return client.post(
        "/account/signup/",
        {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )


@pytest.mark.parametrize(
    "lookalike",
    ["READER", "rеader", "rеаder", "ｒｅａｄｅｒ", "Reаder"],
    ids=["upper", "cyrillic-e", "cyrillic-e-a", "fullwidth", "mixed"],
)
def test_a_name_that_looks_like_a_members_cannot_be_taken(client, reader, unchanged, lookalike):
    with unchanged():
        html = sign_up(client, lookalike).content.decode()
    assert TAKEN in html
    assert client.session.get(SESSION_KEY) is None


def test_lookalike_letters_fold_to_the_latin_name():
    assert fold("аlice") == fold("Alice") == fold("ALICE") == fold("ａｌｉｃｅ") == "alice"
    assert fold("josé") != fold("jose")
    assert fold("hotaru") != fold("hotarü")


@pytest.mark.django_db
def test_the_database_refuses_a_second_account_under_a_lookalike_name(reader):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("rеader")  # Cyrillic е
    assert list(User.objects.values_list("username", flat=True)) == ["reader"]


@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_of_lookalike_names_at_once_make_one_account():
    barrier, answers = threading.Barrier(2), []

    def attempt(name):
        try:
            barrier.wait(timeout=30)
            answers.append(sign_up(Client(), name))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(name,)) for name in ("alice", "аlice")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert User.objects.count() == 1
    assert sorted(response.status_code for response in answers) == [200, 200]
    welcomed = [r for r in answers if "Welcome to Sadlist" in r.content.decode()]
    refused = [r for r in answers if TAKEN in r.content.decode()]
    assert len(welcomed) == len(refused) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["READER", "rеader", "Reader"], ids=["upper", "cyrillic", "title"]
)
def test_a_member_signs_in_whatever_the_case_or_lookalikes(client, reader, password, typed):
    response = client.post(
        "/account/signin/", {"username": typed, "password": password}, follow=True
    )
    assert client.session[SESSION_KEY] == str(reader.pk)
    assert "You are signed in as reader." in response.content.decode()


@pytest.mark.django_db
def test_a_curator_signs_in_to_the_admin_whatever_the_case(client, curator, password):
    client.post("/admin/login/?next=/admin/", {"username": "CURATOR", "password": password})
    assert client.session[SESSION_KEY] == str(curator.pk)


@pytest.mark.django_db
def test_signing_out_says_so(reader_client):
    html = reader_client.post("/account/signout/", follow=True).content.decode()
    assert "You are signed out." in html
    assert reader_client.session.get(SESSION_KEY) is None


@pytest.mark.django_db
def test_a_weak_password_is_explained_under_the_password_not_its_confirmation(client):
    html = client.post(
        "/account/signup/",
        {
            "username": "hotaru",
            "email": "h@example.com",
            "password1": "password123",
            "password2": "password123",
        },
    ).content.decode()
    assert rule_under_the_password(html, "id_password1", "id_password2")
    # What can be kept is kept; passwords never are.
    assert 'value="hotaru"' in html and 'value="h@example.com"' in html
    assert "password123" not in html
    assert not User.objects.exists()


def email_change(client, email, password):
    return client.post("/account/email/", {"email": email, "password": password}, follow=True)


@pytest.mark.django_db
def test_a_member_adds_an_email_address(client, password, django_user_model):
    member = django_user_model.objects.create_user("hotaru", "", password)
    client.force_login(member)
    form = client.get("/members/hotaru/").content.decode()
    assert "Email: none" in form and 'href="/account/email/">add one</a>' in form
    html = email_change(client, "hotaru@example.com", password).content.decode()
    assert "Your email address is now hotaru@example.com." in html
    member.refresh_from_db()
    assert member.email == "hotaru@example.com"


@pytest.mark.django_db
def test_changing_the_address_tells_the_old_one(reader_client, reader, password, mail_sent):
    html = email_change(reader_client, "new@example.com", password).content.decode()
    assert "Your email address is now new@example.com." in html
    reader.refresh_from_db()
    assert reader.email == "new@example.com"
    (notice,) = mail_sent()
    assert notice.to == ["reader@example.com"]
    assert "changed from this address to new@example.com" in notice.body


@pytest.mark.django_db
def test_removing_the_address(reader_client, reader, password, mail_sent):
    html = email_change(reader_client, "", password).content.decode()
    assert "Your email address is removed." in html
    reader.refresh_from_db()
    assert reader.email == ""
    assert mail_sent()[0].to == ["reader@example.com"]


@pytest.mark.django_db
def test_a_wrong_password_changes_no_address(reader_client, reader, unchanged, mail_sent):
    with unchanged():
        html = email_change(reader_client, "new@example.com", "not-mine").content.decode()
    assert "That is not your password; nothing was changed." in html
    assert 'value="new@example.com"' in html
    assert mail_sent() == []


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["OTHER@example.com", "other@EXAMPLE.com"])
def test_an_address_another_account_holds_is_refused_without_saying_whose(
    reader_client, other_reader, password, unchanged, mail_sent, address
):
    with unchanged():
        html = email_change(reader_client, address, password).content.decode()
    assert EMAIL_REFUSED in html
    assert "exists" not in html.split('class="messages"')[0].split("<main")[-1]
    assert mail_sent() == []


@pytest.mark.django_db
def test_sign_up_refuses_an_address_in_use_in_the_same_words(client, reader, unchanged):
    with unchanged():
        html = sign_up(client, "hotaru", "Reader@Example.com").content.decode()
    assert EMAIL_REFUSED in html


@pytest.mark.django_db
def test_the_database_refuses_two_accounts_with_one_address(reader):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("someone", "READER@example.com")
    User.objects.create_user("quiet1", "")
    User.objects.create_user("quiet2", "")  # no address: as many as there are


@pytest.mark.django_db
def test_only_the_member_sees_their_address(client, reader, other_client):
    assert "reader@example.com" not in other_client.get("/members/reader/").content.decode()
    assert "reader@example.com" not in client.get("/members/reader/").content.decode()
    assert client.get("/account/email/").url == "/account/signin/?next=/account/email/"


@pytest.mark.django_db
def test_changing_the_address_needs_a_csrf_token(csrf_client, reader, password, unchanged):
    csrf_client.force_login(reader)
    with unchanged():
        response = csrf_client.post(
            "/account/email/", {"email": "x@example.com", "password": password}
        )
    assert response.status_code == 403


@pytest.mark.django_db
def test_accounts_that_looked_alike_before_folding_each_sign_in_by_their_own_name(
    reader, password, django_user_model
):
    # Inserted in bulk, as before names were folded: no key of its own.
    (twin,) = django_user_model.objects.bulk_create(
        [django_user_model(username="Reader", password=make_password(password))]
    )
    for typed, member in (("Reader", twin), ("reader", reader)):
        client = Client()
        client.post("/account/signin/", {"username": typed, "password": password})
        assert client.session[SESSION_KEY] == str(member.pk)


def rule_under_the_password(html, first, confirmation):
    """True when "too common" is shown between the chosen password's label and the next."""
    chosen, repeated = html.index(f'for="{first}"'), html.index(f'for="{confirmation}"')
    return chosen < html.index("This password is too common.") < repeated


@pytest.mark.django_db
def test_changing_to_a_weak_password_is_explained_under_the_new_password(
    reader_client, reader, password
):
    html = reader_client.post(
        "/account/password/",
        {"old_password": password, "new_password1": "password123", "new_password2": "password123"},
    ).content.decode()
    assert rule_under_the_password(html, "id_new_password1", "id_new_password2")
    reader.refresh_from_db()
    assert reader.check_password(password)


@pytest.mark.django_db
def test_a_weak_new_password_after_a_reset_is_explained_under_it(client, reader, password):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(reader.pk))
    form = client.get(
        f"/account/password/reset/{uid}/{default_token_generator.make_token(reader)}/", follow=True
    )
    html = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "password123", "new_password2": "password123"},
    ).content.decode()
    assert rule_under_the_password(html, "id_new_password1", "id_new_password2")
    reader.refresh_from_db()
    assert reader.check_password(password)
