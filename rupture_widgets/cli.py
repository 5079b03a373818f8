"""The `rupture` command. Each subcommand lives in the module of its concern; this file only parses."""
from __future__ import annotations

import argparse
import sys

from .errors import RuptureError


def _serve(args) -> int:
    from .server.serve import serve

    return serve(workspace=args.workspace, port=args.port, trainee=args.trainee,
                 open_browser=args.open)


def _review(args) -> int:
    if args.return_notes:  # a reviewer who works in JupyterLab only
        from .exchange import open_exchange
        from .workbook import Workspace

        if not args.reviewer:
            raise RuptureError("Say whose notes to return: --reviewer NAME.")
        returned = open_exchange(Workspace(args.workspace)).return_notes(args.reviewer)
        print(f"Returned {len(returned)} review{'s' if len(returned) != 1 else ''} written in "
              "the review notebooks.")
        return 0
    from .server.serve import serve

    return serve(workspace=args.workspace, port=args.port, open_browser=args.open, review=True,
                 reviewer=args.reviewer)


def _clips_check(args) -> int:
    from .library.check import main as check_main

    return check_main(args.dir, thresholds=args.thresholds, report=args.report,
                      as_json=args.json)


def _clips_build(args) -> int:
    from .authoring.build import main as build_main

    return build_main(args.scripts, clips_dir=args.clips_dir)


def _clips_add(args) -> int:
    from .authoring.add import main as add_main

    return add_main(args)


def _export(args) -> int:
    if not args.deidentify:  # docs/decisions.md #29
        raise RuptureError("rupture export writes de-identified tables only: give "
                           "--deidentify OUT. Identified tables are not exported; analyse them "
                           "where they are, with rupture_widgets.research.load_attempts(...) in "
                           "JupyterLab.")
    from .research.export import main as export_main

    return export_main(args)


def _demo_data(args) -> int:
    from .research.demo import main as demo_main

    return demo_main(args)


def _bundle_export(args) -> int:
    from .bundles.command import export_main

    return export_main(args)


def _bundle_import(args) -> int:
    from .bundles.command import import_main

    return import_main(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rupture", description="Deliberate practice for repairing "
                                "alliance ruptures: the trainee app and the clip library tools.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="start the trainee practice app (Voilà on 127.0.0.1)")
    s.add_argument("--workspace", help="workspace folder (default: $RUPTURE_WORKSPACE or ./workspace)")
    s.add_argument("--port", type=int, default=8866, help="port to listen on (default 8866)")
    s.add_argument("--trainee", help="trainee id to practise as (default: asked in the app, or "
                   "$JUPYTERHUB_USER under JupyterHub)")
    s.add_argument("--open", action="store_true", help="open a browser tab")
    s.set_defaults(func=_serve)

    r = sub.add_parser("review", help="start the review app for instructors, supervisors and "
                       "peers (Voilà on 127.0.0.1)")
    r.add_argument("--workspace", help="workspace folder (default: $RUPTURE_WORKSPACE or ./workspace)")
    r.add_argument("--port", type=int, default=8867, help="port to listen on (default 8867)")
    r.add_argument("--reviewer", help="your name as trainees send to you (default: asked in the "
                   "app, or $JUPYTERHUB_USER under JupyterHub)")
    r.add_argument("--open", action="store_true", help="open a browser tab")
    r.add_argument("--return-notes", action="store_true", help="return what you wrote in your "
                   "review notebooks in JupyterLab, then exit (the review app does this itself)")
    r.set_defaults(func=_review)

    x = sub.add_parser("export", help="write the research tables, de-identified, as CSV and "
                       "Parquet (needs the 'research' extra)")
    x.add_argument("--deidentify", metavar="OUT", help="the new folder to write into; ids "
                   "become keyed pseudonyms, no media, no names, no free text")
    x.add_argument("--workspace", help="workspace folder (default: $RUPTURE_WORKSPACE or "
                   "./workspace)")
    x.add_argument("--include-text", action="store_true", help="also export free text "
                   "(self-assessment notes, comments, summaries), known names replaced")
    x.add_argument("--key", metavar="FILE", help="the pseudonym key (default: "
                   "<workspace>/research/pseudonym.key, created on first use)")
    x.set_defaults(func=_export)

    clips = sub.add_parser("clips", help="check, build or add clips in the clip library")
    csub = clips.add_subparsers(dest="clips_command", required=True)
    c = csub.add_parser("check", help="validate the catalog and the media files, then measure "
                        "coverage, captions, loudness, faces and voices")
    c.add_argument("dir", nargs="?", help="clip library folder (default: the shipped clips/)")
    c.add_argument("--thresholds", metavar="FILE", help="thresholds to measure against "
                   "(default: quality.json in the library, else the built-in ones)")
    c.add_argument("--report", action="store_true", help="also print the measured figures")
    c.add_argument("--json", action="store_true", help="print the figures and problems as JSON")
    c.set_defaults(func=_clips_check)

    b = csub.add_parser("build", help="synthesise clips from script files (needs the "
                        "'authoring' extra)")
    b.add_argument("scripts", nargs="+", help="clip script files (.json)")
    b.add_argument("--clips-dir", help="library to add the clips to (default: the shipped clips/)")
    b.set_defaults(func=_clips_build)

    a = csub.add_parser("add", help="add your own footage as a web-safe clip")
    a.add_argument("video", help="any video file the media library can read")
    a.add_argument("--marker", required=True, help="rupture marker id, e.g. C3")
    a.add_argument("--level", required=True, help="beginner, intermediate or advanced")
    a.add_argument("--salience", type=int, default=3, help="3RS salience 1-5 (default 3)")
    a.add_argument("--id", dest="clip_id", help="clip id (default: from the file name)")
    a.add_argument("--title", help="short title")
    a.add_argument("--context", required=True, help="the context line shown before the clip")
    a.add_argument("--persona", default="client", help="client persona id")
    a.add_argument("--captions", help="WebVTT captions file")
    a.add_argument("--transcript", default="", help="transcript text")
    a.add_argument("--clips-dir", help="library to add the clip to (default: the shipped clips/)")
    a.set_defaults(func=_clips_add)

    bundle = sub.add_parser("bundle", help="carry work off a server and back: a trainee's or a "
                            "reviewer's work as one zip (docs/bundles.md)")
    bsub = bundle.add_subparsers(dest="bundle_command", required=True)
    be = bsub.add_parser("export", help="write a trainee's or a reviewer's work to a new zip")
    who = be.add_mutually_exclusive_group(required=True)
    who.add_argument("--trainee", metavar="ID", help="the trainee id whose work to bundle")
    who.add_argument("--reviewer", metavar="NAME", help="the reviewer (name or id) whose "
                     "reviews to bundle")
    be.add_argument("--for-trainee", metavar="ID", help="with --reviewer: only that trainee's "
                    "review notebook and feedback, the bundle to hand them")
    be.add_argument("--workspace", help="workspace folder (default: $RUPTURE_WORKSPACE or "
                    "./workspace)")
    be.add_argument("out", metavar="OUT.zip", help="the new file to write")
    be.set_defaults(func=_bundle_export)
    bi = bsub.add_parser("import", help="merge bundles into a workspace (nothing is "
                         "overwritten; a damaged or tampered bundle is refused)")
    bi.add_argument("--workspace", help="workspace folder (default: $RUPTURE_WORKSPACE or "
                    "./workspace)")
    bi.add_argument("bundles", nargs="+", metavar="BUNDLE.zip", help="one or more bundles")
    bi.set_defaults(func=_bundle_import)

    d = sub.add_parser("demo-data", help="write a synthetic workspace to try the research "
                       "analysis on (needs the 'research' extra)")
    d.add_argument("out", help="a new or empty folder for the workspace")
    d.add_argument("--trainees", type=int, default=5, help="number of trainees (default 5)")
    d.add_argument("--attempts", type=int, default=20, help="attempts per trainee (default 20)")
    d.add_argument("--seed", type=int, default=0, help="random seed (default 0): the same seed "
                   "gives the same data")
    d.add_argument("--no-media", action="store_true", help="attempts without recordings "
                   "(faster; reviews then go straight into the workbooks, not the exchange)")
    d.set_defaults(func=_demo_data)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except RuptureError as e:
        print(f"rupture: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
