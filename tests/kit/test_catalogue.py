"""The mistake catalogue: its validation, its use by exercises, its SQL recognisers."""

import pytest
import yaml
from kit_project import REGISTRY

from kit import sql_patterns
from kit.catalogue import CATALOGUE_PATH, load_catalogue, parse_catalogue
from kit.errors import RegistryError
from kit.facts import Facts
from kit.mistakes import recognise
from kit.registry import Mistake, load_registry, parse_registry

GOOD_ENTRY = {
    "id": "count_star_duplicates",
    "title": "COUNT(*) over duplicated rows",
    "when": {"parsed": "count_star"},
    "message": "COUNT(*) counts a row delivered twice as two. Count DISTINCT ids.",
}


def write_catalogue(tmp_path, entries):
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump({"entries": entries}), encoding="utf-8")
    return path


def registry_using(project, mistakes):
    """Write the fixture registry with ``mistakes`` on its first exercise."""
    exercises = yaml.safe_load(REGISTRY)["exercises"]
    exercises[0]["mistakes"] = mistakes
    path = project / "exercises.yaml"
    path.write_text(yaml.safe_dump({"exercises": exercises}), encoding="utf-8")
    return path


# --- validation of a bad catalogue --------------------------------------


@pytest.mark.parametrize(
    "change,expected",
    [
        (
            lambda e: e.update(when={"parsed": "count_stars"}),
            "catalogue.yaml entry count_star_duplicates: field `when.parsed` names "
            "no recogniser 'count_stars'; kit/sql_patterns.py has window_in_where,",
        ),
        (
            lambda e: e.pop("message"),
            "catalogue.yaml entry count_star_duplicates: field `message` is "
            "missing: write what the mistake is and how to fix it",
        ),
        (
            lambda e: e.update(message="  "),
            "catalogue.yaml entry count_star_duplicates: field `message` is empty "
            "or not text: write what the mistake is and how to fix it",
        ),
        (
            lambda e: e.update(when={"looks_wrong": True}),
            "field `when.looks_wrong` is an unknown condition: use one of error,",
        ),
        (
            lambda e: e.update(when="count_star"),
            "field `when` is not a mapping: write conditions such as "
            "{parsed: count_star}, or leave `when` out",
        ),
        (
            lambda e: e.update(id="Count Star"),
            "field `id` 'Count Star' is invalid: use a snake_case name",
        ),
        (
            lambda e: e.update(hint="x"),
            "field `hint` is unknown: remove it; allowed: id, title, message, when",
        ),
    ],
)
def test_bad_entry_names_entry_field_and_fix(tmp_path, change, expected):
    entry = dict(GOOD_ENTRY)
    change(entry)
    with pytest.raises(RegistryError) as raised:
        parse_catalogue(write_catalogue(tmp_path, [entry]))
    assert expected in str(raised.value)


def test_entry_without_id_named_by_position(tmp_path):
    entry = dict(GOOD_ENTRY)
    del entry["id"]
    with pytest.raises(RegistryError) as raised:
        parse_catalogue(write_catalogue(tmp_path, [GOOD_ENTRY, entry]))
    assert str(raised.value).startswith("catalogue.yaml entry #2 (no id): field `id`")


def test_duplicate_entry_id_rejected(tmp_path):
    with pytest.raises(RegistryError) as raised:
        parse_catalogue(write_catalogue(tmp_path, [GOOD_ENTRY, GOOD_ENTRY]))
    assert "field `id` is used twice" in str(raised.value)


def test_catalogue_without_entry_list(tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_text("entry: []\n", encoding="utf-8")
    with pytest.raises(RegistryError) as raised:
        parse_catalogue(path)
    assert "must be a mapping with a list under `entries:`" in str(raised.value)


def test_missing_catalogue_file(tmp_path):
    with pytest.raises(RegistryError) as raised:
        load_catalogue(tmp_path / "catalogue.yaml")
    assert "the file is missing; restore kit/catalogue.yaml" in str(raised.value)


# --- exercises drawing on the catalogue ---------------------------------


def test_unknown_entry_id_in_exercise(project, tmp_path):
    catalogue = write_catalogue(tmp_path, [GOOD_ENTRY])
    registry = registry_using(project, [{"use": "count_star_duplicate"}])
    with pytest.raises(RegistryError) as raised:
        parse_registry(registry, catalogue)
    assert str(raised.value) == (
        "exercise q2.top_arr: field `mistakes.use` names 'count_star_duplicate', "
        "which kit/catalogue.yaml does not list: did you mean "
        "count_star_duplicates? Add the entry to kit/catalogue.yaml or name an "
        "existing one"
    )


def test_entry_without_conditions_needs_exercise_when(project, tmp_path):
    entry = {**GOOD_ENTRY, "when": {}}
    registry = registry_using(project, [{"use": "count_star_duplicates"}])
    with pytest.raises(RegistryError) as raised:
        parse_registry(registry, write_catalogue(tmp_path, [entry]))
    assert (
        "field `mistakes.count_star_duplicates.when` is missing, and catalogue "
        "entry count_star_duplicates has no conditions of its own"
    ) in str(raised.value)


def test_entry_condition_checked_against_answer_kind(project, tmp_path):
    entry = {**GOOD_ENTRY, "when": {"got": "am"}}
    registry = registry_using(project, [{"use": "count_star_duplicates"}])
    with pytest.raises(RegistryError) as raised:
        parse_registry(registry, write_catalogue(tmp_path, [entry]))
    assert (
        "field `mistakes.count_star_duplicates.when.got` does not apply to "
        "answer: sql (the catalogue entry sets it): it applies to number, choice"
    ) in str(raised.value)


def test_detail_copying_catalogue_rejected(project, tmp_path):
    registry = registry_using(
        project,
        [
            {
                "use": "count_star_duplicates",
                "detail": "Too high. COUNT(*) counts a row delivered twice as two.",
            }
        ],
    )
    with pytest.raises(RegistryError) as raised:
        parse_registry(registry, write_catalogue(tmp_path, [GOOD_ENTRY]))
    assert "field `mistakes.count_star_duplicates.detail` repeats the catalogue's" in (
        str(raised.value)
    )


def test_use_with_message_rejected(project, tmp_path):
    registry = registry_using(
        project, [{"use": "count_star_duplicates", "message": "x"}]
    )
    with pytest.raises(RegistryError) as raised:
        parse_registry(registry, write_catalogue(tmp_path, [GOOD_ENTRY]))
    assert "has unknown fields ['message']" in str(raised.value)


def test_exercise_refines_entry(project, tmp_path):
    registry = registry_using(
        project,
        [
            {
                "use": "count_star_duplicates",
                "id": "sessions_counted_twice",
                "when": {"differs": {"column": "sessions_last_30d"}},
                "detail": "Session counts are too high.",
            }
        ],
    )
    exercise = parse_registry(registry, write_catalogue(tmp_path, [GOOD_ENTRY])).get(
        "q2.top_arr"
    )
    mistake = exercise.mistakes[0]
    assert mistake.id == "sessions_counted_twice"
    assert mistake.entry == "count_star_duplicates"
    assert mistake.when == {
        "parsed": "count_star",
        "differs": {"column": "sessions_last_30d"},
    }
    assert mistake.message == f"Session counts are too high. {GOOD_ENTRY['message']}"


def test_registry_without_uses_needs_no_catalogue(project, tmp_path):
    registry = parse_registry(project / "exercises.yaml", tmp_path / "absent.yaml")
    assert len(registry) == 6


def test_every_exercise_draws_on_catalogue():
    entries = load_catalogue()
    for exercise in load_registry(paths_registry()):
        used = [m.entry for m in exercise.mistakes if m.entry is not None]
        assert used, f"{exercise.id} uses no catalogue entry"
        assert set(used) <= set(entries), exercise.id


def test_every_entry_used_by_an_exercise():
    used = {
        mistake.entry
        for exercise in load_registry(paths_registry())
        for mistake in exercise.mistakes
    }
    assert set(load_catalogue()) <= used


def paths_registry():
    return CATALOGUE_PATH.parent.parent / "exercises.yaml"


# --- the recognisers on SQL text -----------------------------------------

# recogniser, SQL with the mistake, the correct form.
RECOGNISER_CASES = [
    (
        "window_in_where",
        "SELECT merchant_id FROM arr WHERE RANK() OVER (ORDER BY total_arr) <= 100",
        "SELECT merchant_id FROM arr QUALIFY RANK() OVER (ORDER BY total_arr) <= 100",
    ),
    (
        "window_in_where",
        "SELECT merchant_id, RANK() OVER (ORDER BY arr) AS r FROM t WHERE r <= 100",
        "SELECT * FROM (SELECT RANK() OVER (ORDER BY arr) AS r FROM t) WHERE r <= 100",
    ),
    (
        "left_join_filtered_in_where",
        "SELECT m.merchant_id FROM merchants m LEFT JOIN recent r "
        "ON r.merchant_id = m.merchant_id WHERE r.sessions > 0",
        "SELECT m.merchant_id FROM merchants m LEFT JOIN recent r "
        "ON r.merchant_id = m.merchant_id AND r.sessions > 0 WHERE m.segment = 'smb'",
    ),
    (
        "left_join_filtered_in_where",
        "SELECT a.id FROM a LEFT JOIN b ON a.id = b.id WHERE b.kind = 'x'",
        "SELECT a.id FROM a LEFT JOIN b ON a.id = b.id WHERE b.id IS NULL",
    ),
    (
        "row_number_or_limit",
        "SELECT *, ROW_NUMBER() OVER (ORDER BY arr DESC) AS r FROM t",
        "SELECT *, RANK() OVER (ORDER BY arr DESC) AS r FROM t",
    ),
    (
        "row_number_or_limit",
        "SELECT * FROM t ORDER BY arr DESC LIMIT 100",
        "SELECT * FROM t QUALIFY RANK() OVER (ORDER BY arr DESC) <= 100",
    ),
    (
        "dense_rank",
        "SELECT DENSE_RANK() OVER (ORDER BY arr DESC) AS r FROM t",
        "SELECT RANK() OVER (ORDER BY arr DESC) AS r FROM t",
    ),
    (
        "count_star",
        "SELECT merchant_id, COUNT(*) FROM merchant_sessions GROUP BY 1",
        "SELECT merchant_id, COUNT(DISTINCT session_id) FROM merchant_sessions "
        "GROUP BY 1",
    ),
    (
        "wall_clock",
        "SELECT * FROM s WHERE session_date >= CURRENT_DATE - 30",
        "SELECT * FROM s WHERE session_date >= as_of_date() - 30",
    ),
    (
        "wall_clock",
        "SELECT * FROM s WHERE session_date < NOW()",
        "SELECT * FROM s WHERE session_date < as_of_date()",
    ),
    (
        "wall_clock",
        "SELECT * FROM s WHERE session_date < today()",
        "SELECT * FROM s WHERE session_date < as_of_date()",
    ),
    (
        "off_by_one_bounds",
        "SELECT * FROM s WHERE d > as_of_date() - INTERVAL '30 days'",
        "SELECT * FROM s WHERE d >= as_of_date() - INTERVAL '30 days'",
    ),
    (
        "off_by_one_bounds",
        "SELECT * FROM s WHERE d >= as_of_date() - 60 AND d <= as_of_date() - 30",
        "SELECT * FROM s WHERE d >= as_of_date() - 60 AND d < as_of_date() - 30",
    ),
    (
        "off_by_one_bounds",
        "SELECT * FROM c WHERE r BETWEEN as_of_date() AND as_of_date() + 90",
        "SELECT * FROM c WHERE r BETWEEN as_of_date() AND as_of_date() + 89",
    ),
    (
        "no_status_filter",
        "SELECT SUM(arr_value) FROM merchant_contracts",
        "SELECT SUM(arr_value) FROM merchant_contracts "
        "WHERE contract_status = 'active'",
    ),
    (
        "no_status_filter",
        "SELECT merchant_id, contract_status, arr_value FROM merchant_contracts",
        "SELECT SUM(arr_value) FILTER (WHERE c.contract_status IN ('active')) "
        "FROM merchant_contracts AS c",
    ),
    (
        "case_else_catches_null",
        "SELECT CASE WHEN change < -40 THEN 'High Risk' ELSE 'Healthy' END FROM t",
        "SELECT CASE WHEN change IS NULL THEN 'No Baseline' "
        "WHEN change < -40 THEN 'High Risk' ELSE 'Healthy' END FROM t",
    ),
    (
        "case_else_catches_null",
        "SELECT CASE WHEN prior = 0 THEN 'none' ELSE 'some' END FROM t",
        "SELECT CASE WHEN COALESCE(prior, 0) = 0 THEN 'none' "
        "WHEN 100.0 * COALESCE(last, 0) / prior < -40 THEN 'drop' ELSE 'ok' END FROM t",
    ),
    (
        "qualify_alias_shadows_input",
        "SELECT m.segment, c.merchant_id, SUM(c.arr_value) AS arr_value "
        "FROM merchant_contracts c JOIN merchants m USING (merchant_id) "
        "GROUP BY ALL QUALIFY RANK() OVER (PARTITION BY m.segment "
        "ORDER BY arr_value DESC) <= 5",
        "SELECT m.segment, c.merchant_id, SUM(c.arr_value) AS total_arr "
        "FROM merchant_contracts c JOIN merchants m USING (merchant_id) "
        "GROUP BY ALL QUALIFY RANK() OVER (PARTITION BY m.segment "
        "ORDER BY total_arr DESC) <= 5",
    ),
    (
        "qualify_alias_shadows_input",
        "SELECT c.merchant_id, c.arr_value * 2 AS arr_value FROM merchant_contracts c "
        "QUALIFY ROW_NUMBER() OVER (ORDER BY arr_value) = 1",
        "SELECT c.merchant_id, c.arr_value AS arr_value FROM merchant_contracts c "
        "QUALIFY ROW_NUMBER() OVER (ORDER BY arr_value) = 1",
    ),
    (
        "qualify_alias_shadows_input",
        "SELECT c.merchant_id, SUM(c.arr_value) AS arr_value, "
        "RANK() OVER (ORDER BY arr_value DESC) AS arr_rank "
        "FROM merchant_contracts c GROUP BY 1 QUALIFY arr_rank <= 5",
        "SELECT c.merchant_id, SUM(c.arr_value) AS total_arr, "
        "RANK() OVER (ORDER BY total_arr DESC) AS arr_rank "
        "FROM merchant_contracts c GROUP BY 1 QUALIFY arr_rank <= 5",
    ),
]


@pytest.mark.parametrize(
    "name,wrong,correct",
    RECOGNISER_CASES,
    ids=[f"{case[0]}-{n}" for n, case in enumerate(RECOGNISER_CASES)],
)
def test_recogniser_fires_on_mistake_only(name, wrong, correct):
    assert sql_patterns.matches(name, wrong)
    assert not sql_patterns.matches(name, correct)


def test_every_recogniser_has_a_case():
    assert {case[0] for case in RECOGNISER_CASES} == set(sql_patterns.RECOGNISERS)


@pytest.mark.parametrize("name", sorted(sql_patterns.RECOGNISERS))
@pytest.mark.parametrize(
    "sql", ["SELEC merchant_id FRM", "SELECT (", "", "   ", "-- only a comment"]
)
def test_unparsable_sql_never_matches(name, sql):
    assert sql_patterns.matches(name, sql) is False


@pytest.mark.parametrize(
    "dialect,wrong,correct",
    [
        (
            "snowflake",
            "SELECT * FROM s WHERE d > DATEADD(day, -30, as_of_date())",
            "SELECT * FROM s WHERE d >= DATEADD(day, -30, as_of_date())",
        ),
        (
            "redshift",
            "SELECT * FROM s WHERE d <= DATEADD(day, -30, as_of_date())",
            "SELECT * FROM s WHERE d < DATEADD(day, -30, as_of_date())",
        ),
        (
            "mysql",
            "SELECT * FROM s WHERE d > DATE_SUB(as_of_date(), INTERVAL 30 DAY)",
            "SELECT * FROM s WHERE d >= DATE_SUB(as_of_date(), INTERVAL 30 DAY)",
        ),
        (
            "bigquery",
            "SELECT * FROM s WHERE d <= DATE_ADD(as_of_date(), INTERVAL 90 DAY)",
            "SELECT * FROM s WHERE d < DATE_ADD(as_of_date(), INTERVAL 90 DAY)",
        ),
    ],
)
def test_off_by_one_in_dialect_functions(dialect, wrong, correct):
    assert sql_patterns.matches("off_by_one_bounds", wrong, dialect)
    assert not sql_patterns.matches("off_by_one_bounds", correct, dialect)


def test_parsed_condition_reads_dialect():
    """The SQL is parsed in the answer's dialect, DuckDB when it is None."""
    wall_clock = {"parsed": "wall_clock"}
    mistake = Mistake("wall_clock_date", wall_clock, "m")
    getdate = "SELECT * FROM s WHERE session_date < GETDATE()"

    assert recognise([mistake], Facts("sql", sql=getdate, dialect="tsql"))
    assert not recognise([mistake], Facts("sql", sql=getdate))
