"""Who is practising: a name taken as typed in any language, a safe id derived from it, and a
name box that answers Enter and says what to do when it is empty."""
from __future__ import annotations

import time

import re

import pytest

from rupture_widgets.apps.forms import SETTLE_S

from rupture_widgets.apps.identity import WhoAreYou, as_trainee_id
from rupture_widgets.errors import CorruptWorkbook, InvalidName
from rupture_widgets.workbook import Workspace, check_trainee_id


def old_as_trainee_id(name: str) -> str:
    """The rule before display names: ASCII names accepted by it must keep their ids."""
    return check_trainee_id(re.sub(r"\s+", ".", name.strip()).lower())


@pytest.mark.parametrize("name,tid", [
    ("José O'Brien", "jose.obrien"), ("José O’Brien", "jose.obrien"),
    ("  Alex Morgan ", "alex.morgan"),
    ("Zoë Ångström", "zoe.angstrom"), ("Łukasz Żółć", "lukasz.zolc"), ("Straße", "strasse"),
    ("Anne-Marie d'Arc", "anne-marie.darc"), ("Dr. Sam  Rivera", "dr.sam.rivera"),
    ("Ｆｕｌｌ Ｗｉｄｔｈ", "full.width")])
def test_a_name_in_latin_letters_becomes_a_readable_id(name, tid):
    assert as_trainee_id(name) == tid


@pytest.mark.parametrize("name", ["王小明", "Алиса", "محمد", "Алиса Smith", "Con", "Nul.x"])
def test_a_name_with_no_latin_spelling_gets_a_stable_hashed_id(name):
    tid = as_trainee_id(name)
    assert re.fullmatch(r"t-[0-9a-f]{10}", tid) and check_trainee_id(tid) == tid
    assert as_trainee_id(f"  {name} ") == tid  # trimmed
    assert as_trainee_id(name.upper()) == as_trainee_id(name.lower())  # casefolded


def test_names_that_differ_only_in_script_letters_do_not_share_a_workbook():
    assert len({as_trainee_id(n) for n in ("王小明", "王小红", "Алиса Smith", "Борис Smith",
                                           "Smith")}) == 5


@pytest.mark.parametrize("name", ["Alex Morgan", "alex", "A_B-c.d", "x" * 64, "Sam  Lee",
                                  "alex.", "r2d2"])
def test_ascii_names_keep_the_ids_they_always_had(name):
    assert as_trainee_id(name) == old_as_trainee_id(name)


def test_every_derived_id_is_a_valid_trainee_id():
    for name in ["é" * 80, "a" + "'" * 70, "-x-", "._a", "1 2 3", "ǅemal", "x\u200dy", "ﬁne"]:
        assert check_trainee_id(as_trainee_id(name))


@pytest.mark.parametrize("bad,message", [("", "Type your name first."),
                                         ("\t", "Type your name first."),
                                         ("Sam\x00", "control character"),
                                         ("!!!", "no letters or digits")])
def test_a_name_that_cannot_be_kept_is_refused_in_plain_words(bad, message):
    with pytest.raises(InvalidName, match=re.escape(message)):
        as_trainee_id(bad)


# -- the name box ---------------------------------------------------------------------------------

def press_enter(text) -> None:
    """What the page sends when Enter is pressed in an ipywidgets Text (its 'submit' event),
    then the wait for typed text that may still be on its way (apps/forms.py)."""
    text._handle_msg({"content": {"data": {"method": "custom", "content": {"event": "submit"}}},
                      "buffers": []})
    time.sleep(SETTLE_S + 0.2)


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "workspace")


@pytest.fixture
def gate(ws):
    box = WhoAreYou(ws.workbook)
    box.opened = []
    box.on_identified(box.opened.append)
    return box


def test_enter_opens_the_workbook_under_the_derived_id_keeping_the_name_as_typed(gate):
    gate.name.value = "José O'Brien"
    assert gate.opened == []  # typing alone opens nothing
    press_enter(gate.name)
    [wb] = gate.opened
    assert (wb.trainee_id, wb.display_name) == ("jose.obrien", "José O'Brien")
    assert gate.problem.value == ""


def test_the_button_does_what_enter_does(gate):
    gate.name.value = "王小明"
    gate.go.click()
    [wb] = gate.opened
    assert wb.display_name == "王小明" and wb.trainee_id.startswith("t-")


def test_an_empty_submit_says_type_your_name_first(gate):
    press_enter(gate.name)
    assert "Type your name first." in gate.problem.value and "role='alert'" in gate.problem.value
    gate.name.value = "   "
    gate.go.click()
    assert "Type your name first." in gate.problem.value and gate.opened == []
    gate.name.value = "Alex"
    press_enter(gate.name)
    assert gate.problem.value == "" and [wb.trainee_id for wb in gate.opened] == ["alex"]


def test_a_refused_name_is_shown_escaped_and_the_box_can_be_used_again(gate):
    gate.name.value = "<b>Sam</b>\x07"
    press_enter(gate.name)
    assert "control character" in gate.problem.value and "<b>" not in gate.problem.value
    gate.name.value = "<b>Sam</b>"
    press_enter(gate.name)
    [wb] = gate.opened
    assert (wb.display_name, wb.trainee_id) == ("<b>Sam</b>", "bsamb")


def test_submitting_twice_opens_once(gate):
    gate.name.value = "Alex"
    press_enter(gate.name)
    gate.go.click()
    assert len(gate.opened) == 1


def test_a_workbook_that_cannot_be_opened_is_explained(ws):
    def refuse(trainee_id, display_name=None):
        raise CorruptWorkbook.unreadable("workbook.ipynb", "disk trouble")

    gate = WhoAreYou(refuse)
    gate.name.value = "Alex"
    press_enter(gate.name)
    assert "could not be read (disk trouble)" in gate.problem.value


def test_a_caller_without_display_name_gets_the_name_as_typed():
    seen = []

    def check(name):  # the review app's reviewer: it derives its own id
        seen.append(name)
        return name

    gate = WhoAreYou(check, button="Start reviewing")
    gate.on_identified(seen.append)
    gate.name.value = "  Dr Sam Rivera "
    press_enter(gate.name)
    assert seen == ["Dr Sam Rivera", "Dr Sam Rivera"]
