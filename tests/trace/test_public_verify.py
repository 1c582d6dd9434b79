"""Public verification: the lean route (medreg.trace.api.public_verify) answers exactly as the
documented Ninja operation — same status, headers and body — for packs in every state, malformed and
hostile codes; one query per verification with the drug summary cached per process."""

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, unquote_to_bytes, urlsplit
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, OperationalError, close_old_connections, connection, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medreg.registry.selectors import DrugSummary
from medreg.trace import selectors
from medreg.trace.api.public_verify import PublicVerifyHandler, PublicVerifyRoute, claims
from medreg.trace.models import Pack, Recall
from medreg.wsgi import application, django_application
from tests.trace.epcis_builders import Chain, build_chain, gtin, sgtin

APPROVAL = "国药准字H20240001"
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
# serial -> (status, lot, expiry); lot R2026 is recalled
PACKS = {
    1: ("received", "L2026A", dt.date(2028, 2, 29)),
    2: ("dispensed", "L2026A", dt.date(2028, 2, 29)),
    3: ("received", "R2026", dt.date(2028, 2, 29)),
    4: ("recalled", "L2026A", None),
    5: ("received", "OLD2020", dt.date(2021, 1, 31)),
    6: ("destroyed", "L2026A", dt.date(2028, 2, 29)),
}


@pytest.fixture
def chain(db: None) -> Chain:
    chain = build_chain()
    for serial, (status, lot, expiry) in PACKS.items():
        Pack.objects.create(
            key=f"gs1:01/{gtin('00001')}/21/{serial}",
            gtin=gtin("00001"),
            serial=str(serial),
            lot=lot,
            expiry=expiry,
            approval_number=APPROVAL,
            status=status,
            holder_enterprise_code=chain.pharmacy.uscc,
            commissioned_by_enterprise_code=chain.manufacturer.uscc,
            location="pharmacy shelf 3",
            jurisdiction_path=chain.pharmacy.jurisdiction.path,
            commissioned_at=NOW,
            updated_at=NOW,
        )
    Recall.objects.create(
        approval_number=APPROVAL,
        lot="R2026",
        reason="杂质超标",
        holder_enterprise_code=chain.manufacturer.uscc,
        jurisdiction_path=chain.manufacturer.jurisdiction.path,
        initiated_at=NOW,
    )
    return chain


@contextmanager
def connections_kept_open() -> Iterator[None]:
    """As Django's test Client does: a test's transaction must outlive the request's signals."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(app: Any, path: str, **headers: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """One request through a WSGI application, its environ made as a WSGI server makes it (the path
    percent-decoded to bytes, held as ISO-8859-1 text): status line, sorted headers, body."""
    parsed = urlsplit(path)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": unquote_to_bytes(parsed.path).decode("iso-8859-1"),
        "QUERY_STRING": parsed.query,
        **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
    }
    setup_testing_defaults(environ)
    started: list[Any] = []
    with connections_kept_open():
        body_parts = app(environ, lambda status, response_headers, *_: started.extend([status, response_headers]))
        try:
            body = b"".join(body_parts)
        finally:
            if hasattr(body_parts, "close"):  # as a WSGI server does (PEP 3333)
                body_parts.close()
    return started[0], sorted(started[1]), body


def both(path: str, **headers: str) -> tuple[tuple[str, list[tuple[str, str]], bytes], ...]:
    return comparable(call(application, path, **headers)), comparable(call(django_application, path, **headers))


def comparable(result: tuple[str, list[tuple[str, str]], bytes]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Django's HTML error pages carry a fresh CSRF token (the language form): mask it."""
    status, headers, body = result
    headers = [(name, "(csrf)" if name == "Set-Cookie" and "csrftoken=" in value else value) for name, value in headers]
    return status, headers, re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"(csrf token)", body)


def path_of(code: str) -> str:
    return "/api/trace/verify/" + quote(code, safe="")


# -- the lean route gives the documented operation's answers --------------------------------------


def test_the_wsgi_application_is_the_lean_route_in_front_of_django() -> None:
    assert isinstance(application, PublicVerifyRoute)
    assert application.application is django_application
    assert isinstance(application.handler, PublicVerifyHandler)


@pytest.mark.parametrize(
    "path",
    [
        *[path_of(sgtin("00001", serial)) for serial in PACKS],
        path_of(sgtin("00001", 99)),  # unknown
        "/api/trace/verify/" + quote(f"gs1:01/{gtin('00001')}/21/1", safe=":/"),  # a key is a code too: 404
        "/api/trace/verify/garbage",
        "/api/trace/verify/" + "x" * 301,  # too long: 400
        "/api/trace/verify/" + "x" * 300,
        "/api/trace/verify/a%00b",
        "/api/trace/verify/%E4%B8%AD%E6%96%87",
        "/api/trace/verify/a%FFb",  # not UTF-8
        "/api/trace/verify/%20" + quote(sgtin("00001", 2), safe="") + "%20",
        path_of(sgtin("00001", 2)) + "?lang=en",
        path_of(sgtin("00001", 2)) + "?lang=xx&code=1",
        "/api/trace/verify/x%0A",
    ],
)
def test_lean_route_and_ninja_operation_give_the_same_status_headers_and_body(chain: Chain, path: str) -> None:
    lean, documented = both(path)

    assert lean == documented
    assert lean[0] in ("200 OK", "400 Bad Request", "404 Not Found")


def test_the_answers_themselves(chain: Chain) -> None:
    # when
    answers = {serial: call(application, path_of(sgtin("00001", serial))) for serial in PACKS}
    too_long = call(application, "/api/trace/verify/" + "x" * 301)

    # then
    assert {status for status, _, _ in answers.values()} == {"200 OK"}
    _, headers, body = answers[2]
    assert body == (
        b'{"code": "gs1:01/06901234000016/21/2", "genuine": true, "status": "dispensed", "product": '
        b'"\\u963f\\u83ab\\u897f\\u6797\\u80f6\\u56ca", "strength": "0.25g", "approval_number": '
        b'"\\u56fd\\u836f\\u51c6\\u5b57H20240001", "marketing_authorization_holder": '
        b'"\\u676d\\u5dde\\u793a\\u8303\\u5236\\u836f\\u6709\\u9650\\u516c\\u53f8", "batch": "L2026A", '
        b'"expiry": "2028-02-29", "warnings": ["already_dispensed"]}'
    )
    assert headers == [
        ("Content-Language", "zh-hans"),
        ("Content-Length", str(len(body))),
        ("Content-Type", "application/json; charset=utf-8"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Referrer-Policy", "same-origin"),
        ("Vary", "Cookie"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
    ]
    warnings = {s: Client().get(path_of(sgtin("00001", s))).json()["warnings"] for s in PACKS}
    assert warnings == {
        1: [],
        2: ["already_dispensed"],
        3: ["recalled"],
        4: ["recalled"],
        5: ["expired"],
        6: ["inactive"],
    }
    assert too_long == (
        "400 Bad Request",
        [
            ("Content-Language", "zh-hans"),
            ("Content-Length", "166"),
            ("Content-Type", "application/json; charset=utf-8"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Referrer-Policy", "same-origin"),
            ("Vary", "Cookie"),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
        ],
        b'{"errors": [{"field": "code", "code": "too_long", "message": "A pack code has at most a few dozen '
        b'characters.", "fix": "Scan or type the code printed on the pack."}]}',
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    code=st.one_of(
        st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=320),
        st.from_regex(r"urn:epc:id:sgtin:6901234\.0[0-9]{5}\.[0-9A-Za-z%!-]{1,22}", fullmatch=True),
        st.from_regex(r"\(01\)0690123400001[0-9]\(21\)[0-9A-Za-z]{1,20}", fullmatch=True),
        st.from_regex(r"86123010[0-9]{12}", fullmatch=True),
    )
)
def test_generated_codes_get_the_same_answer_from_both_routes(chain: Chain, code: str) -> None:
    lean, documented = both(path_of(code))

    assert lean == documented
    assert lean[0] in ("200 OK", "400 Bad Request", "404 Not Found")


# -- what the lean route leaves to Django -------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "headers", "claimed"),
    [
        ("GET", "/api/trace/verify/abc", {}, True),
        ("GET", "/api/trace/verify/abc", {"HTTP_AUTHORIZATION": "Bearer x"}, False),
        ("HEAD", "/api/trace/verify/abc", {}, False),
        ("POST", "/api/trace/verify/abc", {}, False),
        ("GET", "/api/trace/verify/", {}, False),
        ("GET", "/api/trace/verify/a/b", {}, False),
        ("GET", "/api/trace/verifyabc", {}, False),
        ("GET", "/trace/", {}, False),
    ],
)
def test_only_anonymous_gets_of_one_code_are_claimed(
    method: str, path: str, headers: dict[str, str], claimed: bool
) -> None:
    assert claims({"REQUEST_METHOD": method, "PATH_INFO": path, **headers}) is claimed


def test_a_token_goes_to_the_documented_operation_which_refuses_an_unknown_one(chain: Chain) -> None:
    # given a valid token and an unknown one
    token = chain.tokens["pharmacy"]

    # when
    valid = call(application, path_of(sgtin("00001", 2)), Authorization=f"Bearer {token}")
    unknown = call(application, path_of(sgtin("00001", 2)), Authorization="Bearer nope")

    # then
    assert valid[2] == call(application, path_of(sgtin("00001", 2)))[2]
    assert (unknown[0], unknown[2]) == (
        "401 Unauthorized",
        b'{"errors": [{"field": "Authorization", "code": "unauthenticated", "message": "The API token is '
        b'unknown or revoked; ask for a new one.", "fix": ""}]}',
    )


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/trace/verify/garbage", {"Host": "evil.example"}),  # not in ALLOWED_HOSTS: 400
        ("/api/trace/verify/garbage", {"Cookie": "django_language=en"}),
        ("/api/trace/verify/a/b", {}),  # 404 from Django
    ],
)
def test_host_check_language_cookie_and_other_paths_as_django(chain: Chain, path: str, headers: dict[str, str]) -> None:
    lean, documented = both(path, **headers)

    assert lean == documented


def test_the_lean_route_leaves_session_cookies_alone(chain: Chain) -> None:
    # when a forged session cookie comes with the request
    lean, documented = both("/api/trace/verify/garbage", Cookie="sessionid=forged")

    # then the same status and body; Django's stack also deletes the cookie, the lean route never reads it
    assert (lean[0], lean[2]) == (documented[0], documented[2])
    assert [h for h in documented[1] if h not in lean[1]] == [
        ("Set-Cookie", ' sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax')
    ]
    assert [h for h in lean[1] if h not in documented[1]] == []


class CountingHandler:
    """The lean handler, counting the requests it is given."""

    def __init__(self, handler: PublicVerifyHandler) -> None:
        self.handler, self.paths = handler, []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.paths.append(environ["PATH_INFO"])
        return self.handler(environ, start_response)


def test_plain_requests_are_answered_without_the_handler_once_its_headers_are_known(chain: Chain) -> None:
    # given a fresh route whose handler counts what it is given
    route = PublicVerifyRoute(django_application)
    route.handler = counting = CountingHandler(route.handler)  # type: ignore[assignment]

    # when: plain requests (no query, no cookie), then one with the language cookie and one too long
    plain = [call(route, path_of(sgtin("00001", serial))) for serial in (1, 2, 99)]
    with_cookie = call(route, path_of(sgtin("00001", 2)), Cookie="django_language=en")
    too_long = call(route, "/api/trace/verify/" + "x" * 301)

    # then the handler saw one probe (to learn the headers), the cookie and the refusal, no plain request
    assert counting.paths == [
        "/api/trace/verify/0",
        unquote_to_bytes(path_of(sgtin("00001", 2))).decode(),
        "/api/trace/verify/" + "x" * 301,
    ]
    assert plain == [call(django_application, path_of(sgtin("00001", s))) for s in (1, 2, 99)]
    assert with_cookie == call(django_application, path_of(sgtin("00001", 2)), Cookie="django_language=en")
    assert dict(with_cookie[1])["Content-Language"] == "en"
    assert too_long[0] == "400 Bad Request"
    assert [json.loads(body)["genuine"] for _, _, body in plain] == [True, True, False]


def set_a_cookie(get_response: Any) -> Any:
    def middleware(request: Any) -> Any:
        response = get_response(request)
        response.set_cookie("tracking", "1")
        return response

    return middleware


def test_headers_with_a_cookie_are_never_replayed(chain: Chain) -> None:
    # given a middleware that sets a cookie on every answer
    with override_settings(MIDDLEWARE=[*django_settings.MIDDLEWARE, "tests.trace.test_public_verify.set_a_cookie"]):
        route = PublicVerifyRoute(WSGIHandler())
        route.handler = counting = CountingHandler(route.handler)  # type: ignore[assignment]
        # when
        answers = [call(route, path_of(sgtin("00001", serial))) for serial in (1, 2)]

    # then every request went through the handler (after the probe), each answer with its cookie
    assert len(counting.paths) == 3
    assert [dict(headers)["Set-Cookie"] for _, headers, _ in answers] == [" tracking=1; Path=/", " tracking=1; Path=/"]


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_database_dropped_is_replaced_without_an_error() -> None:
    # given a pack verified once (the connection is open and in use), and the worker's connection lost
    # since its last request
    route = _a_pack_verified_once()

    # when
    with connection_lost():
        status, _, body = call(route, path_of(sgtin("00001", 1)))

    # then the lookup ran again on a new connection: no health check before it, no error after it
    assert (status, json.loads(body)["status"]) == ("200 OK", "received")


@pytest.mark.django_db(transaction=True)
def test_a_migration_run_by_another_process_does_not_break_verification() -> None:
    # given a pack verified once on this connection (on PostgreSQL: its statement prepared)
    route = _a_pack_verified_once()

    # when another process changes a column the statement reads, then changes it back
    with column_widened_elsewhere():
        status, _, body = call(route, path_of(sgtin("00001", 1)))

    # then the verification still answers, and so does the next one on the schema as it was
    assert (status, json.loads(body)["batch"]) == ("200 OK", "L1")
    status, _, body = call(route, path_of(sgtin("00001", 1)))
    assert (status, json.loads(body)["batch"]) == ("200 OK", "L1")


def _a_pack_verified_once() -> PublicVerifyRoute:
    """A received pack (no registry: nothing audited, so the test database can be emptied after),
    verified once through the lean route, which is returned."""
    Pack.objects.create(
        key=f"gs1:01/{gtin('00001')}/21/1", gtin=gtin("00001"), serial="1", lot="L1", approval_number=APPROVAL,
        status="received", holder_enterprise_code="91330100MA2XXXXX0A",
        commissioned_by_enterprise_code="91330100MA2XXXXX0A", jurisdiction_path="330000/330100",
        commissioned_at=NOW, updated_at=NOW,
    )  # fmt: skip
    route = PublicVerifyRoute(django_application)
    assert call(route, path_of(sgtin("00001", 1)))[0] == "200 OK"
    return route


@contextmanager
def column_widened_elsewhere() -> Iterator[None]:
    """On another connection: trace_pack.lot one character wider (on PostgreSQL a new result type for
    a prepared statement), restored after. SQLite cannot change a column's type: a column is added
    and dropped instead, which changes the schema all the same."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    if connection.vendor == "postgresql":
        alter = "ALTER TABLE trace_pack ALTER COLUMN lot TYPE"
        changes = (f"{alter} varchar(41)", f"{alter} varchar(40)")
    else:
        changes = ("ALTER TABLE trace_pack ADD COLUMN medreg_x integer", "ALTER TABLE trace_pack DROP COLUMN medreg_x")
    try:
        with other.cursor() as cursor:
            cursor.execute(changes[0])
        yield
    finally:
        with other.cursor() as cursor:
            cursor.execute(changes[1])
        other.close()


@contextmanager
def connection_lost() -> Iterator[None]:
    """PostgreSQL: the backend terminated, as a restart or an idle timeout does. SQLite has no server
    to lose; its transient failure is a locked database: the next statement fails with it once."""
    if connection.vendor == "postgresql":
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
                assert cursor.fetchone() == (True,)
        finally:
            other.close()
        yield
        return
    failures: list[str] = []

    def locked_once(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not failures:
            failures.append(sql)
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(locked_once):
        yield
    assert len(failures) == 1


def test_the_https_redirect_of_production_applies_to_the_lean_route(chain: Chain) -> None:
    # given production's redirect of plain HTTP, HSTS, and its trust in the proxy's X-Forwarded-Proto
    production = {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    }
    with override_settings(**production):
        route = PublicVerifyRoute(WSGIHandler())
        plain_django = WSGIHandler()
        # when
        lean = call(route, "/api/trace/verify/garbage")
        documented = call(plain_django, "/api/trace/verify/garbage")
        proxied = {"X-Forwarded-Proto": "https"}
        lean_https = call(route, "/api/trace/verify/garbage", **proxied)
        documented_https = call(plain_django, "/api/trace/verify/garbage", **proxied)

    # then
    assert lean == documented
    assert (lean[0], dict(lean[1])["Location"]) == (
        "301 Moved Permanently",
        "https://127.0.0.1/api/trace/verify/garbage",
    )
    assert lean_https == documented_https
    assert (lean_https[0], dict(lean_https[1])["Strict-Transport-Security"]) == ("200 OK", "max-age=31536000")


def test_the_documented_operation_is_in_the_openapi_schema(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()

    operation = schema["paths"]["/api/trace/verify/{code}"]["get"]
    assert (operation["summary"], operation["operationId"]) == (
        "Verify a pack (public)",
        "medreg_trace_api_trace_verify",
    )


# -- one query, drug summaries cached ------------------------------------------------------------


def test_verification_is_one_query_once_the_drug_summary_is_cached(
    chain: Chain, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):  # pack with its recall flag; the drug summary
        first = selectors.verify(sgtin("00001", 1))
    with django_assert_num_queries(1):
        second = selectors.verify(sgtin("00001", 3))
    with django_assert_num_queries(0):
        invalid = selectors.verify("garbage")

    assert (first.product, first.marketing_authorization_holder, first.warnings) == (
        "阿莫西林胶囊",
        "杭州示范制药有限公司",
        (),
    )
    assert (second.product, second.batch, second.warnings) == ("阿莫西林胶囊", "R2026", ("recalled",))
    assert invalid.warnings == ("invalid_code",)


def test_the_verification_statement_is_prepared_on_postgresql_and_no_django_query_is(chain: Chain) -> None:
    # when verifications and ORM queries alternate, each several times
    with CaptureQueriesContext(connection) as queries:
        for number in (1, 3, 1):
            selectors.verify(sgtin("00001", number))
            Pack.objects.filter(key="gs1:01/00000000000000/21/x").exists()

    # then each verification ran the one statement
    statement = selectors._verification_statement()[0]
    assert [q["sql"][:40] for q in queries.captured_queries].count(statement[:40]) == 3
    if connection.vendor == "postgresql":  # as a statement prepared once on the connection
        assert (connection.connection.prepare_threshold, connection.connection.prepared_max) == (2**62, 1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
            prepared = [row[0] for row in cursor.fetchall()]
        assert prepared == [statement.replace("%s", "$1", 1).replace("%s", "$2", 1)]
    else:  # SQLite has no server-side statements: a plain query each time
        assert connection.vendor == "sqlite"


def test_a_renamed_drug_shows_when_the_cache_period_ends(chain: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a summary cached at t = 1000 s
    monkeypatch.setattr(selectors, "_clock", lambda: 1000.0)
    assert selectors.verify(sgtin("00001", 1)).product == "阿莫西林胶囊"

    # when the drug is renamed in the registry
    chain.drug.generic_name = "阿莫西林胶囊（新）"
    chain.drug.save()

    # then the cached name is answered until the period of DRUG_SUMMARY_CACHE_SECONDS ends
    assert selectors.DRUG_SUMMARY_CACHE_SECONDS == 60
    monkeypatch.setattr(selectors, "_clock", lambda: 1019.9)
    assert selectors.verify(sgtin("00001", 1)).product == "阿莫西林胶囊"
    monkeypatch.setattr(selectors, "_clock", lambda: 1020.0)
    assert selectors.verify(sgtin("00001", 1)).product == "阿莫西林胶囊（新）"


def test_the_cache_is_bounded_and_remembers_unknown_drugs(chain: Chain, django_assert_num_queries: Any) -> None:
    assert selectors._drug_summary.cache_info().maxsize == selectors.DRUG_SUMMARY_CACHE_SIZE == 4096
    with django_assert_num_queries(1):
        assert selectors.cached_drug_summary("国药准字H00000000") is None
        assert selectors.cached_drug_summary("国药准字H00000000") is None
    summary = selectors.cached_drug_summary(APPROVAL)
    assert summary == DrugSummary(APPROVAL, "阿莫西林胶囊", "0.25g", "杭州示范制药有限公司")
    assert selectors._drug_summary.cache_info().currsize == 2


def test_a_pack_of_a_drug_missing_from_the_registry_is_genuine_without_product(chain: Chain) -> None:
    # given a pack whose approval number the registry does not hold
    Pack.objects.filter(serial="1").update(approval_number="国药准字H99999999")

    # when
    answer = selectors.verify(sgtin("00001", 1))

    # then
    assert (answer.genuine, answer.product, answer.approval_number, answer.marketing_authorization_holder) == (
        True,
        "",
        "国药准字H99999999",
        "",
    )
