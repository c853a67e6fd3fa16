"""Options files as an admin writes them: what each error names, and values the comments document."""

from __future__ import annotations

import pytest

from momentsearch.errors import ConfigError
from momentsearch.options import Config, load_config


def test_ocr_frame_side_0_as_documented_reads_the_sampled_frames(tmp_path):
    """default.toml says `frame_side ... 0 = read the sampled frames`; the check refused 0 (">= 32")."""
    cfg = tmp_path / "lab.toml"
    cfg.write_text("[ocr]\nframe_side = 0\n")
    assert load_config(cfg).ocr.frame_side == 0
    cfg.write_text("[ocr]\nframe_side = 10\n")  # a size too small to read is still refused, saying what is allowed
    with pytest.raises(ConfigError, match=r"ocr.frame_side must be 0 \(read the sampled frames\) or >= 32, got 10"):
        load_config(cfg)


def test_an_error_from_a_flag_does_not_blame_the_file(tmp_path):
    cfg = tmp_path / "dept.toml"
    cfg.write_text("[ranking]\nmin_score = 0.2\n")
    with pytest.raises(ConfigError) as err:
        load_config(cfg, {"asr": {"language": "klingon"}})  # --language klingon
    assert str(cfg) not in str(err.value) and "asr.language" in str(err.value)
    cfg.write_text("[ranking]\nmin_score = -0.2\n")
    with pytest.raises(ConfigError) as err:
        load_config(cfg, {"asr": {"language": "de"}})
    assert str(err.value).startswith(f"{cfg}: ") and "ranking.min_score must be >= 0, got -0.2" in str(err.value)


def test_yaml_no_read_as_false_says_to_quote_it(tmp_path):
    """`language: no` (Norwegian) is false to YAML: "must be text or empty, got False" left the admin guessing."""
    cfg = tmp_path / "oslo.yaml"
    cfg.write_text("asr:\n  language: no\n")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert str(err.value).startswith(f"{cfg}: asr.language must be text") and 'quote it ("no")' in str(err.value)
    cfg.write_text('asr:\n  language: "no"\n')
    assert load_config(cfg).asr.language == "no"


@pytest.mark.parametrize("name", ["empty.toml", "empty.yaml", "empty.json"])
def test_an_empty_options_file_keeps_the_defaults(tmp_path, name):
    """An empty TOML or YAML file was the defaults, an empty JSON one "cannot parse ...: Expecting value"."""
    cfg = tmp_path / name
    cfg.write_text("\n")
    assert load_config(cfg) == Config()


def test_a_config_built_in_python_is_checked_like_a_file(tmp_path):
    """`MomentIndex(db, config=Config(...))` was used unchecked: a negative channel weight ranked silently,
    and min_score = "0.5" was a numpy UFuncTypeError at the first search."""
    from momentsearch import MomentIndex
    from momentsearch.options import RankingOptions

    negative = Config(ranking=RankingOptions(weights={**RankingOptions().weights, "transcript": -1.0}))
    with pytest.raises(ConfigError, match=r"ranking.weights.transcript must be >= 0, got -1.0"):
        MomentIndex(tmp_path / "db", config=negative)
    with pytest.raises(ConfigError, match="ranking.min_score must be a number, got '0.5'"):
        MomentIndex(tmp_path / "db", config=Config(ranking=RankingOptions(min_score="0.5")))
    fine = Config(ranking=RankingOptions(min_score=0.3))
    assert MomentIndex(tmp_path / "db", config=fine).config.ranking.min_score == 0.3


def test_a_yaml_exponent_read_as_text_says_how_to_write_it(tmp_path):
    """PyYAML reads `min_score: 5e-2` as the text '5e-2': "must be a number, got '5e-2'" looked like a number."""
    cfg = tmp_path / "dept.yaml"
    cfg.write_text("ranking:\n  min_score: 5e-2\n")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert "ranking.min_score must be a number, got '5e-2'" in str(err.value) and "write 0.05" in str(err.value)
    cfg.write_text("ranking:\n  min_score: 0.05\n")
    assert load_config(cfg).ranking.min_score == 0.05
    quoted = tmp_path / "dept.toml"
    quoted.write_text('[ranking]\nmin_score = "0.2"\n')
    with pytest.raises(ConfigError, match="got '0.2'; write the number without quotes"):
        load_config(quoted)


def test_asr_base_keeps_the_language_the_config_file_names(tmp_path):
    """`--asr base` implies language detection; it replaced a department file's `language = "de"` without a word."""
    from momentsearch.cli.args import build_parser
    from momentsearch.cli.main import _config

    cfg = tmp_path / "german-dept.toml"
    cfg.write_text('[asr]\nlanguage = "de"\n')

    def language(*flags):
        return _config(build_parser().parse_args(["index", str(tmp_path), *flags])).asr.language

    assert language("--config", str(cfg), "--asr", "base") == "de"
    assert language("--config", str(cfg), "--asr", "base", "--language", "auto") is None  # a flag still wins
    assert language("--asr", "base") is None  # no file names one: base detects, as the README says
    cfg.write_text('[asr]\nbeam_size = 5\n')
    assert language("--config", str(cfg), "--asr", "base") is None


def test_a_file_named_neither_yaml_nor_json_says_it_was_read_as_toml(tmp_path):
    """A YAML file named dept.conf failed with TOML's "Expected '=' after a key", naming no format."""
    cfg = tmp_path / "dept.conf"
    cfg.write_text("asr:\n  model: tiny.en\n")
    with pytest.raises(ConfigError, match=r"cannot parse .*dept.conf: .*\(read as TOML: a YAML file's name ends in "
                                          r"\.yaml, a JSON one's in \.json\)"):
        load_config(cfg)
    cfg.write_text('[asr]\nmodel = "tiny.en"\n')  # TOML by another name still works
    assert load_config(cfg).asr.model == "tiny.en"


def test_asr_cpu_threads_above_the_cpus_is_capped_like_the_environment_variable(monkeypatch):
    """$MOMENTSEARCH_THREADS=99999 was capped at the CPUs, asr.cpu_threads = 5000 was not: 11 s of speech took
    213 s on 2 CPUs (a big server's setting copied to a laptop)."""
    import faster_whisper

    import momentsearch.models.asr as asr_module
    import momentsearch.models.device as device
    from momentsearch.options import ASROptions

    asked = {}

    class Engine:
        def __init__(self, path, **kwargs):
            asked.update(kwargs)

    monkeypatch.setattr(faster_whisper, "WhisperModel", Engine)
    monkeypatch.setattr(asr_module, "resolve_faster_whisper_model", lambda name: "/models/" + name)
    monkeypatch.setattr(device, "available_cpus", lambda: 2)
    monkeypatch.delenv("MOMENTSEARCH_THREADS", raising=False)
    for wanted, used in ((5000, 2), (1, 1), (0, 2)):
        asked.clear()
        asr_module.FasterWhisperASR(ASROptions(model="tiny.en", cpu_threads=wanted, cpu_batch_size=0), "cpu").load()
        assert asked["cpu_threads"] == used, wanted


@pytest.mark.parametrize("toml,expect", [
    ('[ranking]\nmodel = "tiny.en"', "unknown option ranking.model (model is an option of [asr]); known: "),
    ('language = "de"', "unknown option language (language is an option of [asr]); known: asr, "),  # no table
    ("[asr]\nworkers = 2", "unknown option asr.workers (workers is an option of [ocr] and [distributed])"),
])
def test_an_option_in_the_wrong_table_says_where_it_belongs(tmp_path, toml, expect):
    """The error listed the table's own options only: nothing said that `model` is set under [asr]."""
    cfg = tmp_path / "dept.toml"
    cfg.write_text(toml + "\n")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert expect in str(err.value)


@pytest.mark.parametrize("suffix, text", [(".toml", '[asr]\nlanguage = "auto"\n'),
                                          (".yaml", "asr:\n  language: auto\n"),
                                          (".json", '{"asr": {"language": "auto"}}')])
def test_language_auto_in_an_options_file_detects_the_language(tmp_path, suffix, text):
    """`--language auto` detects each file's language; the same word in an options file was refused ("must be a
    Whisper language code ... --language auto detects it"), and TOML has no null to write None with: a TOML file
    could not ask for detection at all. A dict of options (the Python API) takes it too."""
    from momentsearch.api import MomentIndex

    cfg = tmp_path / f"multilingual{suffix}"
    cfg.write_text(text)
    assert load_config(cfg).asr.language is None
    assert load_config(overrides={"asr": {"language": "auto"}}).asr.language is None
    assert MomentIndex(tmp_path / "db", config={"asr": {"language": "auto"}}).config.asr.language is None
    cfg.write_text(text.replace("auto", "klingon"))
    with pytest.raises(ConfigError, match=r"asr.language must be a Whisper language code .*, or auto to detect it"):
        load_config(cfg)
