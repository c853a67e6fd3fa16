"""The tests' CLI runner (cli_fork.py) must answer as `python -m momentsearch.cli` does: same exit status,
same output, same environment, whether the command succeeds, fails or is asked something wrong."""

import os

from cli_fork import FORKER, plain_cli


def test_forked_runs_answer_as_a_fresh_process(tmp_path):
    missing = str(tmp_path / "no-index")
    calls = [(["info", "--db", missing, "--json"], {}),  # an error: exit 2, one line on stderr
             (["search", "", "--db", missing], {}),  # an empty query
             (["no-such-command"], {}),  # argparse: usage on stderr, exit 2
             (["--help"], {}),
             (["info", "--json"], {"MOMENTSEARCH_DB": missing})]  # this call's environment is the one read
    codes = set()
    for args, env in calls:
        forked, plain = FORKER.run(args, env, 300), plain_cli(args, env, 300)
        assert forked is not None, "the fork server did not serve a plain call"
        assert (forked.returncode, forked.stdout, forked.stderr) == (plain.returncode, plain.stdout, plain.stderr), args
        codes.add(plain.returncode)
    assert codes == {0, 2}


def test_a_variable_read_at_import_gets_a_plain_process():
    assert FORKER.run(["--help"], {"HF_HUB_OFFLINE": "0" if os.environ.get("HF_HUB_OFFLINE") == "1" else "1"},
                      300) is None
