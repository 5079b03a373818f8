"""A workshop is checked when composed, and both launch links decode back to it."""
from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from rupture_widgets.errors import WorkshopError
from rupture_widgets.workshop import (Workshop, binder_link, from_query, nbgitpuller_link,
                                      practice_target)

CLIPS = ("c3-beginner-maya", "w1-intermediate-maya", "c1-beginner-kwame")


@pytest.fixture
def workshop(catalog):
    return Workshop("rupture-101", list(CLIPS), title="Ruptures & repair: week 1", catalog=catalog)


@pytest.mark.parametrize("code", ["", "a", "has space", "-leading", "x" * 33, "é-code",
                                  "a/b", "a?b", None, 42])
def test_a_code_that_cannot_go_into_a_link_is_refused(catalog, code):
    with pytest.raises(WorkshopError, match="cannot be a workshop code"):
        Workshop(code, [CLIPS[0]], catalog=catalog)


def test_unknown_clips_are_named_and_repeats_refused(catalog):
    with pytest.raises(WorkshopError) as err:
        Workshop("w1", [CLIPS[0], "no-such-clip", "nor-this"], catalog=catalog)
    assert "no-such-clip, nor-this" in str(err.value) and "2 clip(s)" in str(err.value)
    with pytest.raises(WorkshopError, match="more than once"):
        Workshop("w1", [CLIPS[0], CLIPS[0]], catalog=catalog)
    with pytest.raises(WorkshopError, match="no clips"):
        Workshop("w1", [], catalog=catalog)
    with pytest.raises(WorkshopError, match="control or invisible"):
        Workshop("w1", [CLIPS[0]], title="evil\u202eeman", catalog=catalog)


def test_a_workshop_keeps_its_order_and_a_comma_list_works(catalog):
    w = Workshop("w1", ",".join(reversed(CLIPS)), catalog=catalog)
    assert w.clips == tuple(reversed(CLIPS)) and w.title == "w1"


def test_the_binder_link_decodes_to_the_practice_notebook_and_the_clips_in_order(workshop):
    link = binder_link(workshop, repo="jane/rupture-widgets", ref="main")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("https", "mybinder.org")
    assert parts.path == "/v2/gh/jane/rupture-widgets/main"
    outer = parse_qs(parts.query)
    assert list(outer) == ["urlpath"]  # the page's own query is inside urlpath, not beside it
    page = urlsplit(outer["urlpath"][0])
    assert page.path == "voila/render/notebooks/practice.ipynb"
    inner = parse_qs(page.query)
    assert inner["workshop"] == ["rupture-101"]
    assert inner["clips"][0].split(",") == list(CLIPS)
    assert inner["title"] == ["Ruptures & repair: week 1"]
    assert practice_target(link).clips == CLIPS


def test_a_branch_with_a_slash_is_one_path_segment(workshop):
    link = binder_link(workshop, repo="jane/rw", ref="workshop/spring", binderhub="https://b.org/")
    assert urlsplit(link).path == "/v2/gh/jane/rw/workshop%2Fspring"
    with pytest.raises(WorkshopError, match="OWNER/REPO"):
        binder_link(workshop, repo="https://github.com/jane/rw")


def test_the_nbgitpuller_link_names_the_repo_and_opens_the_app_in_its_folder(workshop):
    link = nbgitpuller_link(workshop, hub="https://hub.example.org/",
                            repo="https://github.com/jane/rupture-widgets.git", branch="spring")
    parts = urlsplit(link)
    assert parts.netloc == "hub.example.org" and parts.path == "/hub/user-redirect/git-pull"
    q = parse_qs(parts.query)
    assert q["repo"] == ["https://github.com/jane/rupture-widgets.git"]
    assert q["branch"] == ["spring"] and "targetPath" not in q
    page = urlsplit(q["urlpath"][0])
    # nbgitpuller clones into the URL's last segment as it is, '.git' and all
    # (nbgitpuller/handlers.py: repo.rstrip('/').split('/')[-1])
    assert page.path == "voila/render/rupture-widgets.git/notebooks/practice.ipynb"
    assert parse_qs(page.query)["clips"][0].split(",") == list(CLIPS)
    target = practice_target(nbgitpuller_link(workshop, repo="https://github.com/jane/rw",
                                              target_path="practice"))
    assert target.notebook == "practice/notebooks/practice.ipynb" and target.clips == CLIPS
    with pytest.raises(WorkshopError, match="plain folder"):
        nbgitpuller_link(workshop, target_path="../elsewhere")
    with pytest.raises(WorkshopError, match="https://"):
        nbgitpuller_link(workshop, hub="hub.example.org")


def test_the_binder_redirect_as_binderhubs_client_builds_it_keeps_the_workshop(workshop):
    """BinderHub's launch page takes ``urlpath`` from its query (one decode), resolves it against
    the user's server and appends the token, re-serialising the query as a form would
    (js/packages/binderhub-client/lib/spec.js: new URL(urlPath, serverUrl), searchParams)."""
    from urllib.parse import parse_qsl, urlencode, urljoin

    urlpath = parse_qs(urlsplit(binder_link(workshop, repo="jane/rw")).query)["urlpath"][0]
    redirect = urlsplit(urljoin("https://hub.mybinder.org/user/jane-rw-abc123/", urlpath))
    query = urlencode(parse_qsl(redirect.query) + [("token", "t0k3n")])  # '+' for spaces
    assert redirect.path == "/user/jane-rw-abc123/voila/render/notebooks/practice.ipynb"
    opened = from_query(query, workshop_catalog())
    assert [c.id for c in opened.clips] == list(CLIPS) and opened.code == "rupture-101"
    assert opened.title == "Ruptures & repair: week 1" and not opened.notice


def test_the_page_query_is_decoded_only_once_by_the_service(workshop):
    """What the service redirects to is the practice page's query, percent-signs and all."""
    link = binder_link(workshop, repo="jane/rw")
    urlpath = unquote(link.split("urlpath=", 1)[1])
    assert urlpath.startswith("voila/render/notebooks/practice.ipynb?workshop=rupture-101&")
    assert from_query(urlsplit(urlpath).query, workshop_catalog()).title == workshop.title


def workshop_catalog():
    from rupture_widgets.library.catalog import load_catalog
    return load_catalog()


def test_a_page_link_with_unknown_clips_keeps_the_rest_and_says_so(catalog):
    w = from_query("workshop=w1&clips=nope," + ",".join(CLIPS) + f",{CLIPS[0]}", catalog)
    assert [c.id for c in w.clips] == list(CLIPS)
    assert "1 clip" in w.notice and "nope" in w.notice
    assert from_query("", catalog) is None and from_query("clips=a", catalog) is None
    bad = from_query("workshop=bad code&clips=" + CLIPS[0], catalog)
    assert not bad.clips and "whole clip library" in bad.notice
    none = from_query("workshop=w1&clips=x,y", catalog)
    assert not none.clips and "x, y" in none.notice
